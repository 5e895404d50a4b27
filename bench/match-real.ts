// Real recurrences for bench/match.ts: syzkaller's report corpus (../shared/corpora, read from
// there, never copied into the project). Console logs sharing a syzbot title (or an alternative
// title, which syzbot merges on) are replicates of one bug: the ground truth that our own
// generator cannot give.
//
// Protocol, the way a new user meets crashkb: one signature per bug, derived from one of its
// logs by the same derivation `POST /signatures/from-dump` runs (refused where the service
// would answer 400); some bugs are not registered (unknown bugs). Then every log is matched:
//   own        the log a signature was made from: must be claimed by it, and by no other
//   replicate  another real log of the same bug
//   variant    a log as another machine would print it (bench/match-corpus.ts randomRecurrence:
//              addresses, offsets, timestamps, pids, prefixes, `?` frames, truncation, noise)
//   unknown    logs (and variants) of bugs not in the index: any claim is a false match
// Rounds rotate which log of a bug is registered and which quarter of the bugs is unknown, so
// every log takes every role. Bugs are split in two halves by a hash of their name: `tune`
// (thresholds are chosen on it and on the synthetic corpus) and `check` (reported apart, to see
// whether the choice holds on bugs it was not chosen on).
//
// Titles that do not name one bug are "ambiguous": `... in corrupted` (syzkaller could not find
// the frame), titles without ` in <frame>` (`WARNING: suspicious RCU usage`) and logs without a
// title. Their signatures are registered like any other (a user would), their logs are queried
// for `own` and as unknown, but never as replicates; a claim between two ambiguous logs with
// the same title is not judged.
import { existsSync, readFileSync } from 'node:fs';
import type { ParsedDump } from '../src/core/types';
import {
  MatchIndex,
  decideVerdicts,
  leadingClaim,
  mainReportIndex,
  THRESHOLDS,
  type IndexedSignature,
} from '../src/core/match';
import { deriveMatcher, derivable } from '../src/core/signature';
import { randomRecurrence, rng } from './match-corpus';

type Parse = (text: string) => ParsedDump;

interface CorpusReport {
  name: string;
  title: string | null;
  alts: string[];
  type: string | null;
  corrupted: boolean;
  text: string;
}

interface Log {
  name: string;
  title: string | null;
  bug: string;
  ambiguous: boolean;
  /** syzkaller's crash type is HANG (hung task, RCU stall, soft/hard lockup, workqueue lockup). */
  hang: boolean;
  text: string;
  parsed: ParsedDump;
  variants: { text: string; parsed: ParsedDump }[];
}

export type RealRole = 'own' | 'replicate' | 'variant' | 'unknown';

export interface RealOutcome {
  role: RealRole;
  /** The log's title does not name one bug (see isAmbiguousTitle). */
  ambiguous: boolean;
  name: string;
  half: 'tune' | 'check';
  hang: boolean;
  /** Every candidate with its score, best first (for the threshold sweep). */
  ranked: { id: string; title: string; score: number; reportIndex: number }[];
  /** Index of the dump's main report (its match leads the answer). */
  mainReport: number;
  right: string | null;
  /** Signatures whose claim is not judged (ambiguous logs of the same title). */
  unjudged: Set<string>;
}

export interface RealCorpus {
  path: string;
  logs: number;
  bugs: number;
  ambiguousLogs: number;
  bugsWithReplicates: number;
  replicatePairs: number;
  unregistrable: { name: string; title: string | null; why: string }[];
  outcomes: RealOutcome[];
  rounds: number;
}

export function isAmbiguousTitle(title: string | null): boolean {
  return !title || /\bcorrupted\b/.test(title) || !/ in \S/.test(title);
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Union of titles and alternative titles (syzbot merges bugs on them), ambiguous ones left out. */
function groupBugs(reports: CorpusReport[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
    parent.set(x, p);
    return p;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const r of reports) {
    if (isAmbiguousTitle(r.title)) continue;
    const t = r.title as string;
    parent.set(t, find(t));
    for (const a of r.alts) if (!isAmbiguousTitle(a)) union(t, a);
  }
  const out = new Map<string, string>();
  for (const t of parent.keys()) out.set(t, find(t));
  return out;
}

export function loadRealCorpus(
  path: string,
  parse: Parse,
  opts: { variants: number; rounds: number; unknownShare: number },
): RealCorpus | null {
  if (!existsSync(path)) return null;
  const data = JSON.parse(readFileSync(path, 'utf8')) as { reports: CorpusReport[] };
  const reports = data.reports.filter((r) => typeof r.text === 'string');
  const bugOf = groupBugs(reports);
  const r = rng(20261202);
  const logs: Log[] = [];
  for (const rep of reports) {
    const ambiguous = isAmbiguousTitle(rep.title);
    // An ambiguous log is a bug of its own (we cannot know which others are the same bug).
    const bug = ambiguous ? `log:${rep.name}` : (bugOf.get(rep.title as string) ?? (rep.title as string));
    let parsed: ParsedDump;
    try {
      parsed = parse(rep.text);
    } catch {
      continue;
    }
    const variants: Log['variants'] = [];
    for (let v = 0; v < opts.variants; v++) {
      const text = randomRecurrence(rep.text, r).text;
      try {
        variants.push({ text, parsed: parse(text) });
      } catch {
        /* a parser crash shows up in bench/parse; here the variant is skipped */
      }
    }
    logs.push({
      name: rep.name,
      title: rep.title,
      bug,
      ambiguous,
      hang: rep.type === 'HANG',
      text: rep.text,
      parsed,
      variants,
    });
  }
  const byBug = new Map<string, Log[]>();
  for (const l of logs) {
    const list = byBug.get(l.bug) ?? [];
    list.push(l);
    byBug.set(l.bug, list);
  }
  const multi = [...byBug.values()].filter((ls) => ls.length > 1 && !ls[0].ambiguous);

  const outcomes: RealOutcome[] = [];
  const unregistrable = new Map<string, { name: string; title: string | null; why: string }>();
  const period = Math.round(1 / opts.unknownShare);
  for (let round = 0; round < opts.rounds; round++) {
    const idx = new MatchIndex();
    const known = new Map<string, Log>();
    for (const [bug, ls] of byBug) {
      if (fnv(bug + ':unknown') % period === round % period) continue;
      const reg = ls[round % ls.length];
      const why = derivable(reg.parsed);
      if (why !== null) {
        unregistrable.set(reg.name, { name: reg.name, title: reg.title, why });
        continue;
      }
      const sig: IndexedSignature = {
        id: bug,
        title: reg.parsed.title ?? reg.title ?? bug,
        matcher: deriveMatcher(reg.parsed),
        fixes: [],
        notes: [],
      };
      idx.upsert(sig);
      known.set(bug, reg);
    }
    for (const [bug, ls] of byBug) {
      const half = fnv(bug + ':half') % 2 === 0 ? 'tune' : 'check';
      const isKnown = fnv(bug + ':unknown') % period !== round % period;
      const reg = known.get(bug);
      for (const l of ls) {
        // Not judged: a claim by another ambiguous log of the very same title.
        const unjudged = new Set<string>();
        if (l.ambiguous)
          for (const o of logs) if (o !== l && o.ambiguous && o.title === l.title) unjudged.add(o.bug);
        const run = (parsed: ParsedDump, raw: string, role: RealRole): void => {
          const all = idx.match(parsed, raw, { thresholds: { similar: 0.0001, match: 2 }, limit: 50 });
          outcomes.push({
            role,
            ambiguous: l.ambiguous,
            name: l.name,
            half,
            hang: l.hang,
            mainReport: mainReportIndex(parsed),
            ranked: all.map((m) => ({
              id: m.signatureId,
              title: m.title,
              score: m.score,
              reportIndex: m.reportIndex ?? 0,
            })),
            right: isKnown ? bug : null,
            unjudged,
          });
        };
        if (!isKnown) {
          run(l.parsed, l.text, 'unknown');
          for (const v of l.variants) run(v.parsed, v.text, 'unknown');
          continue;
        }
        // A bug whose registration was refused stays a known bug the user tried to register:
        // its logs are queried like the others and can only miss.
        const registered = reg ?? ls[round % ls.length];
        if (l === registered) run(l.parsed, l.text, 'own');
        else if (!l.ambiguous) run(l.parsed, l.text, 'replicate');
        if (!l.ambiguous || l === registered) for (const v of l.variants) run(v.parsed, v.text, 'variant');
      }
    }
  }
  return {
    path,
    logs: logs.length,
    bugs: byBug.size,
    ambiguousLogs: logs.filter((l) => l.ambiguous).length,
    bugsWithReplicates: multi.length,
    replicatePairs: multi.reduce((n, ls) => n + ls.length * (ls.length - 1), 0),
    unregistrable: [...unregistrable.values()],
    outcomes,
    rounds: opts.rounds,
  };
}

export interface Claim {
  /** The claimed signature (verdict match for its report), or null. */
  id: string | null;
  /** Another signature was claimed too for the same report (must never happen). */
  double: boolean;
}

/**
 * What the index would claim at match threshold `t`: the same tie rule as MatchIndex.match, and
 * the same lead (the main report's match first, see leadingClaim).
 */
export function claimAt(ranked: RealOutcome['ranked'], t: number, mainReport: number | null = null): Claim {
  const d = decideVerdicts(ranked, t);
  const lead = leadingClaim(ranked, d, mainReport);
  const main = lead >= 0 ? ranked[lead] : null;
  const sameReport = ranked.filter(
    (c, i) => main && d[i].verdict === 'match' && c.reportIndex === main.reportIndex,
  );
  return { id: main?.id ?? null, double: sameReport.length > 1 };
}

export interface RealRates {
  n: number;
  recall: number;
  wrong: number;
}

export function realRates(
  out: readonly RealOutcome[],
  t: number,
  pick: (o: RealOutcome) => boolean,
): RealRates & { falseRate: number; nUnknown: number } {
  const sel = out.filter(pick);
  const known = sel.filter((o) => o.right !== null);
  const unknown = sel.filter((o) => o.right === null);
  let right = 0;
  let wrong = 0;
  let falseN = 0;
  for (const o of known) {
    const c = claimAt(o.ranked, t, o.mainReport);
    if (c.id === o.right) right++;
    else if (c.id !== null && !o.unjudged.has(c.id)) wrong++;
  }
  for (const o of unknown) {
    const c = claimAt(o.ranked, t, o.mainReport);
    if (c.id !== null && !o.unjudged.has(c.id)) falseN++;
  }
  return {
    n: known.length,
    recall: right / Math.max(1, known.length),
    wrong: wrong / Math.max(1, known.length),
    falseRate: falseN / Math.max(1, unknown.length),
    nUnknown: unknown.length,
  };
}

/** The `own` log claimed by a signature other than its own (at any score: a `match` claim). */
export function ownClaimedByOther(out: readonly RealOutcome[], t: number = THRESHOLDS.match.value): number {
  return out
    .filter((o) => o.role === 'own')
    .filter((o) => {
      const c = claimAt(o.ranked, t, o.mainReport);
      return c.id !== null && c.id !== o.right && !o.unjudged.has(c.id);
    }).length;
}
