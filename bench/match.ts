// Matching benchmark and threshold calibration. Build: `npx tsc -p tsconfig.json`; run:
// `node dist/bench/match.js [--quick] [--write]` (--write refreshes the figures section of
// bench/README-match.md). Single-threaded, deterministic (seeded).
//
// Accuracy: each bug gets a signature derived (deriveMatcher) from ONE report; its other
// reports (recurrences made by bench/match-corpus.ts) are matched. Some bugs are held out of
// the index: anything they "match" is a false match. Reported per threshold:
//   recall@1   share of known-bug queries whose best match is their bug with verdict match
//   wrong      share of known-bug queries whose best claimed match is another bug
//   false      share of unknown-bug queries with any claimed match
// Latency: `MatchIndex.match` per query with 1k/10k/100k signatures; heap the index takes.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ParsedDump } from '../src/core/types';
import { MatchIndex, THRESHOLDS, mainReportIndex, type IndexedSignature } from '../src/core/match';
import { deriveMatcher } from '../src/core/signature';
import { FIXTURES_DIR, REPO_ROOT, SEED_DIR } from '../test/support/paths';
import {
  FrameVocabulary,
  makeBug,
  makeReport,
  randomRecurrence,
  realBugKey,
  rng,
  type SyntheticBug,
} from './match-corpus';
import {
  claimAt,
  loadRealCorpus,
  ownClaimedByOther,
  realRates,
  type RealCorpus,
  type RealOutcome,
} from './match-real';

const argv = process.argv.slice(2);
const args = new Set(argv);
/** The dev half of syzkaller's report corpus: read from there, never copied into the project. */
const CORPUS =
  argv.find((a) => a.endsWith('.json')) ??
  resolve(__dirname, '..', '..', '..', 'shared', 'corpora', 'syzkaller-linux-dev.json');
const QUICK = args.has('--quick');
const VERBOSE = args.has('--verbose');

type Parse = (text: string) => ParsedDump;

function loadParser(): Parse | null {
  const path = join(REPO_ROOT, 'dist', 'src', 'core', 'parse', 'index.js');
  if (!existsSync(path)) return null;
  try {
    const mod = createRequire(__filename)(path) as { parseDump?: Parse };
    return typeof mod.parseDump === 'function' ? mod.parseDump : null;
  } catch (err) {
    console.error(`parser present but failed to load: ${(err as Error).message}`);
    return null;
  }
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}

interface Query {
  bug: string;
  /** Every bug the dump holds (one per report): a claim of any of them is right. */
  also?: Set<string>;
  known: boolean;
  parsed: ParsedDump;
  raw: string;
  source: 'real' | 'synthetic';
}

interface Corpus {
  signatures: IndexedSignature[];
  queries: Query[];
  realBugs: number;
  realKnown: number;
  syntheticBugs: number;
  notes: string[];
}

/** Signature ids (`real:<bug key>`) of every report in a dump. */
function keysOf(parsed: ParsedDump): Set<string> {
  const reports = parsed.reports?.length ? parsed.reports : [parsed];
  return new Set(
    reports.filter((r) => r.kind !== 'unknown' && r.frames.length > 0).map((r) => `real:${realBugKey(r)}`),
  );
}

function buildCorpus(parse: Parse | null): Corpus {
  const r = rng(20261122);
  const signatures: IndexedSignature[] = [];
  const queries: Query[] = [];
  const notes: string[] = [];
  let realBugs = 0;
  let realKnown = 0;

  // Real dumps: fixtures and seed examples, grouped by crash site and kind family (realBugKey).
  const files = [
    ...walk(FIXTURES_DIR),
    ...walk(join(SEED_DIR, 'signatures')).filter((f) => f.endsWith('example.txt')),
  ];
  if (!parse) notes.push('parseDump not available: real dumps skipped, synthetic corpus only');
  else {
    const byTitle = new Map<string, { file: string; text: string; parsed: ParsedDump }[]>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      let parsed: ParsedDump;
      try {
        parsed = parse(text);
      } catch (err) {
        notes.push(`${relative(REPO_ROOT, file)}: parser threw ${(err as Error).message}`);
        continue;
      }
      if (!parsed.title || parsed.kind === 'unknown' || (parsed.frames ?? []).length === 0) continue;
      const key = realBugKey(parsed);
      const list = byTitle.get(key) ?? [];
      list.push({ file, text, parsed });
      byTitle.set(key, list);
    }
    let n = 0;
    for (const [key, dumps] of byTitle) {
      const title = dumps[0].parsed.title ?? key;
      const known = n++ % 5 !== 4; // every fifth bug is unknown to the index
      realBugs++;
      const bugId = `real:${key}`;
      if (known) {
        realKnown++;
        signatures.push({ id: bugId, title, matcher: deriveMatcher(dumps[0].parsed), fixes: [], notes: [] });
      }
      // Other real dumps of the same title are queries too.
      for (const d of dumps.slice(1))
        queries.push({
          bug: bugId,
          also: keysOf(d.parsed),
          known,
          parsed: d.parsed,
          raw: d.text,
          source: 'real',
        });
      for (let v = 0; v < (QUICK ? 3 : 8); v++) {
        const base = dumps[v % dumps.length];
        const variant = randomRecurrence(base.text, r);
        try {
          const vp = parse(variant.text);
          queries.push({
            bug: bugId,
            also: keysOf(vp),
            known,
            parsed: vp,
            raw: variant.text,
            source: 'real',
          });
        } catch (err) {
          notes.push(
            `variant of ${relative(REPO_ROOT, base.file)} (${variant.mutations.join(',')}): parser threw ${(err as Error).message}`,
          );
        }
      }
    }
  }

  // Synthetic families: known bugs, hard negatives of known bugs (unknown), random unknowns.
  const vocab = new FrameVocabulary(r);
  const nKnown = QUICK ? 150 : 500;
  const bugs: SyntheticBug[] = [];
  for (let i = 0; i < nKnown; i++) bugs.push(makeBug(r, vocab, `syn:${i}`));
  for (const bug of bugs) {
    signatures.push({
      id: bug.id,
      title: bug.id,
      matcher: deriveMatcher(makeReport(bug, r, 0)),
      fixes: [],
      notes: [],
    });
    for (let v = 1; v <= 5; v++)
      queries.push({ bug: bug.id, known: true, parsed: makeReport(bug, r, v), raw: '', source: 'synthetic' });
  }
  const nUnknown = QUICK ? 60 : 200;
  for (let i = 0; i < nUnknown; i++) {
    const hard = i % 2 === 0;
    const bug = makeBug(r, vocab, `syn-unknown:${i}`, hard ? bugs[i % bugs.length] : undefined);
    for (let v = 1; v <= 3; v++)
      queries.push({
        bug: bug.id,
        known: false,
        parsed: makeReport(bug, r, v),
        raw: '',
        source: 'synthetic',
      });
  }
  return { signatures, queries, realBugs, realKnown, syntheticBugs: nKnown + nUnknown, notes };
}

interface Outcome {
  known: boolean;
  source: Query['source'];
  /** Score of the best candidate and whether it is the right bug. */
  topScore: number;
  topCorrect: boolean;
  /** Best score of the right bug among candidates (0 if absent). */
  rightScore: number;
  /** Best score of any wrong bug. */
  wrongScore: number;
  /** Every candidate, best first: claims at a threshold follow the index's tie rule. */
  ranked: RealOutcome['ranked'];
  mainReport: number;
  isRight: (id: string) => boolean;
}

function evaluate(corpus: Corpus): Outcome[] {
  const idx = new MatchIndex();
  for (const s of corpus.signatures) idx.upsert(s);
  return corpus.queries.map((q) => {
    const all = idx.match(q.parsed, q.raw, { thresholds: { similar: 0.0001, match: 2 }, limit: 20 });
    const isRight = (id: string | undefined): boolean => id === q.bug || (!!id && !!q.also?.has(id));
    const right = all.find((m) => isRight(m.signatureId));
    const wrong = all.find((m) => !isRight(m.signatureId));
    if (VERBOSE && q.known && !(all[0]?.signatureId === q.bug && all[0].score >= THRESHOLDS.match.value)) {
      console.error(
        `miss ${q.bug} <- parsed "${q.parsed.title}" (${q.parsed.kind}, ${q.parsed.frames.length} frames): top ${all[0]?.signatureId ?? '-'} ${all[0]?.score ?? ''}`,
      );
    }
    if (
      VERBOSE &&
      !q.known &&
      !isRight(all[0]?.signatureId) &&
      (all[0]?.score ?? 0) >= THRESHOLDS.similar.value
    ) {
      console.error(`unknown ${q.bug} ~ ${all[0].signatureId} ${all[0].score}`);
    }
    return {
      known: q.known,
      source: q.source,
      topScore: all[0]?.score ?? 0,
      topCorrect: isRight(all[0]?.signatureId),
      rightScore: right?.score ?? 0,
      wrongScore: wrong?.score ?? 0,
      ranked: all.map((m) => ({
        id: m.signatureId,
        title: m.title,
        score: m.score,
        reportIndex: m.reportIndex ?? 0,
      })),
      mainReport: mainReportIndex(q.parsed),
      isRight,
    };
  });
}

interface Rates {
  t: number;
  recall: number;
  wrong: number;
  falseRate: number;
  similarRecall: number;
}

function rates(out: Outcome[], t: number, similarAt: number, filter?: Query['source']): Rates {
  const sel = out.filter((o) => !filter || o.source === filter);
  const known = sel.filter((o) => o.known);
  const unknown = sel.filter((o) => !o.known);
  // What the index claims at threshold t (the top signature unless it ties with another).
  const claim = (o: Outcome): string | null => claimAt(o.ranked, t, o.mainReport).id;
  const recall =
    known.filter((o) => {
      const c = claim(o);
      return c !== null && o.isRight(c);
    }).length / Math.max(1, known.length);
  const wrong =
    known.filter((o) => {
      const c = claim(o);
      return c !== null && !o.isRight(c);
    }).length / Math.max(1, known.length);
  // A dump of an unknown bug may also hold a known one in another report: claiming that is right.
  const falseRate =
    unknown.filter((o) => {
      const c = claim(o);
      return c !== null && !o.isRight(c);
    }).length / Math.max(1, unknown.length);
  const similarRecall = known.filter((o) => o.rightScore >= similarAt).length / Math.max(1, known.length);
  return { t, recall, wrong, falseRate, similarRecall };
}

const pct = (x: number): string => (x * 100).toFixed(2) + '%';

function gc(): void {
  setFlagsFromString('--expose-gc');
  const g = runInNewContext('gc') as () => void;
  g();
  g();
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** p99 of CPU time (user+system) per call: what the call costs when the machine is shared. */
  cpuP99: number;
  heapMB: number;
  buildMs: number;
}

function latency(corpus: Corpus, sizes: number[]): Latency[] {
  const r = rng(7);
  const vocab = new FrameVocabulary(r);
  const out: Latency[] = [];
  const queries = corpus.queries.filter((q) => q.known).slice(0, QUICK ? 500 : 2000);
  for (const n of sizes) {
    // Synthetic signatures with realistic vocabularies, derived like real ones, plus the real ones.
    let synthetic: IndexedSignature[] = [];
    for (let i = 0; synthetic.length + corpus.signatures.length < n; i++) {
      const bug = makeBug(r, vocab, `bulk:${i}`);
      synthetic.push({
        id: bug.id,
        title: bug.id,
        matcher: deriveMatcher(makeReport(bug, r, 0)),
        fixes: [],
        notes: [],
      });
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    let idx: MatchIndex | null = new MatchIndex();
    for (const s of corpus.signatures) idx.upsert(s);
    for (const s of synthetic) idx.upsert(s);
    const buildMs = performance.now() - t0;
    synthetic = [];
    gc();
    const heapMB = (process.memoryUsage().heapUsed - before) / 1048576;
    for (const q of queries.slice(0, 200)) idx.match(q.parsed, q.raw); // warm-up
    const times: number[] = [];
    const cpu: number[] = [];
    for (const q of queries) {
      const c0 = process.cpuUsage();
      const s = process.hrtime.bigint();
      idx.match(q.parsed, q.raw);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    out.push({
      n: idx.size,
      p50: times[Math.floor(times.length * 0.5)],
      p99: times[Math.floor(times.length * 0.99)],
      max: times[times.length - 1],
      cpuP99: cpu[Math.floor(cpu.length * 0.99)],
      heapMB,
      buildMs,
    });
    idx = null;
  }
  return out;
}

function reportReal(real: RealCorpus, log: (s?: string) => void): void {
  const at = THRESHOLDS.match.value;
  log();
  log(
    `Real recurrences (${real.path.replace(/^.*\/shared\//, '../shared/')}): ${real.logs} console logs, ${real.bugs} bugs ` +
      `(${real.ambiguousLogs} logs with an ambiguous title: \`in corrupted\`, no frame, no title), ` +
      `${real.bugsWithReplicates} bugs with real replicates (${real.replicatePairs} ordered pairs); ` +
      `${real.rounds} rounds rotate the registered log and the unknown quarter; ${real.outcomes.length} queries.`,
  );
  log(
    `Not registrable (from-dump would refuse): ${real.unregistrable.length} logs` +
      (real.unregistrable.length
        ? ` (${real.unregistrable
            .slice(0, 4)
            .map((u) => `${u.name}: ${u.why}`)
            .join('; ')}${real.unregistrable.length > 4 ? '; ...' : ''})`
        : '') +
      '.',
  );
  log();
  log(
    'Threshold sweep (real logs whose title names one bug: replicates + variants of known bugs; false: logs of unknown bugs, ambiguous ones included):',
  );
  log();
  log('| match threshold | recall | wrong | false | replicates | hang/stall replicates | other replicates |');
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  // Recall and wrong matches over logs whose title names one bug; a log with an ambiguous
  // title (`in corrupted`, no frame) has no replicate we could tell apart, it is counted apart.
  const known = (o: RealOutcome): boolean =>
    (o.role === 'replicate' || o.role === 'variant' || o.role === 'unknown') &&
    (!o.ambiguous || o.role === 'unknown');
  for (const t of [0.5, 0.55, 0.6, 0.65, 0.7, 0.72, 0.75, 0.8, 0.85]) {
    const x = realRates(real.outcomes, t, known);
    const rep = realRates(real.outcomes, t, (o) => o.role === 'replicate');
    const hang = realRates(real.outcomes, t, (o) => o.role === 'replicate' && o.hang);
    const other = realRates(real.outcomes, t, (o) => o.role === 'replicate' && !o.hang);
    const mark = Math.abs(t - at) < 1e-9 ? ' **(chosen)**' : '';
    log(
      `| ${t.toFixed(2)}${mark} | ${pct(x.recall)} | ${pct(x.wrong)} | ${pct(x.falseRate)} | ${pct(rep.recall)} | ${pct(hang.recall)} | ${pct(other.recall)} |`,
    );
  }
  log();
  log(`At the chosen threshold (${at}), by half of the bugs (tune: thresholds chosen on it; check: not):`);
  log();
  log(
    '| half | recall (n) | wrong | false (n) | replicates (n) | hang/stall replicates (n) | other replicates (n) | own log claimed by it |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const half of ['tune', 'check', 'all'] as const) {
    const inHalf = (o: RealOutcome): boolean => half === 'all' || o.half === half;
    const x = realRates(real.outcomes, at, (o) => inHalf(o) && known(o));
    const rep = realRates(real.outcomes, at, (o) => inHalf(o) && o.role === 'replicate');
    const hang = realRates(real.outcomes, at, (o) => inHalf(o) && o.role === 'replicate' && o.hang);
    const other = realRates(real.outcomes, at, (o) => inHalf(o) && o.role === 'replicate' && !o.hang);
    const own = realRates(real.outcomes, at, (o) => inHalf(o) && o.role === 'own' && !o.ambiguous);
    log(
      `| ${half} | ${pct(x.recall)} (${x.n}) | ${pct(x.wrong)} | ${pct(x.falseRate)} (${x.nUnknown}) | ${pct(rep.recall)} (${rep.n}) | ${pct(hang.recall)} (${hang.n}) | ${pct(other.recall)} (${other.n}) | ${pct(own.recall)} (${own.n}) |`,
    );
  }
  const ownOther = ownClaimedByOther(real.outcomes, at);
  const amb = realRates(real.outcomes, at, (o) => o.ambiguous && o.right !== null);
  const ambOwn = realRates(real.outcomes, at, (o) => o.ambiguous && o.role === 'own');
  log();
  log(
    `Logs with an ambiguous title (own log and its variants, ${amb.n} queries): claimed by their own signature ${pct(amb.recall)} ` +
      `(own log alone ${pct(ambOwn.recall)}), by another ${pct(amb.wrong)}; most give a title-only matcher, which is never claimed.`,
  );
  log();
  log(
    `Own log claimed by another signature: ${ownOther} of ${real.outcomes.filter((o) => o.role === 'own').length}.`,
  );
  if (VERBOSE) {
    for (const o of real.outcomes) {
      const c = claimAt(o.ranked, at, o.mainReport);
      if (o.right !== null && c.id === o.right) continue;
      if (o.right === null && (c.id === null || o.unjudged.has(c.id))) continue;
      const top = o.ranked[0];
      const right = o.ranked.find((x) => x.id === o.right);
      console.error(
        `${o.role}${o.ambiguous ? ' (ambiguous)' : ''} log ${o.name} of ${o.right ?? 'unknown'}${o.hang ? ' [hang]' : ''}: claimed ${c.id ?? '-'}; top ${top?.id ?? '-'} ${top?.score ?? ''}; right ${right?.score ?? '-'}`,
      );
    }
    for (const u of real.unregistrable) console.error(`unregistrable ${u.name} "${u.title}": ${u.why}`);
  }
}

function main(): void {
  const parse = loadParser();
  const t0 = performance.now();
  const corpus = buildCorpus(parse);
  const outcomes = evaluate(corpus);
  const known = corpus.queries.filter((q) => q.known).length;
  const lines: string[] = [];
  const log = (s = ''): void => {
    lines.push(s);
  };
  log(
    `Corpus: ${corpus.realBugs} real bugs (${corpus.realKnown} in the index) from test/fixtures and seed examples,`,
  );
  log(
    `${corpus.syntheticBugs} synthetic bugs; ${corpus.signatures.length} signatures; ${corpus.queries.length} queries (${known} of known bugs, ${corpus.queries.length - known} of unknown bugs, half of the synthetic unknowns hard negatives).`,
  );
  for (const n of corpus.notes.slice(0, 10)) log(`- note: ${n}`);
  log();
  log('Threshold sweep (all queries):');
  log();
  log('| match threshold | recall@1 | wrong match | false match (unknown bugs) |');
  log('| ---: | ---: | ---: | ---: |');
  const similarAt = THRESHOLDS.similar.value;
  for (const t of [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) {
    const x = rates(outcomes, t, similarAt);
    const mark = Math.abs(t - THRESHOLDS.match.value) < 1e-9 ? ' **(chosen)**' : '';
    log(`| ${t.toFixed(2)}${mark} | ${pct(x.recall)} | ${pct(x.wrong)} | ${pct(x.falseRate)} |`);
  }
  log();
  log(`At the chosen thresholds (match ${THRESHOLDS.match.value}, similar ${similarAt}), by source:`);
  log();
  log('| queries | recall@1 (match) | right bug at least similar | wrong match | false match |');
  log('| --- | ---: | ---: | ---: | ---: |');
  for (const src of ['real', 'synthetic'] as const) {
    const sel = outcomes.filter((o) => o.source === src);
    if (sel.length === 0) continue;
    const x = rates(outcomes, THRESHOLDS.match.value, similarAt, src);
    log(
      `| ${src} (${sel.length}) | ${pct(x.recall)} | ${pct(x.similarRecall)} | ${pct(x.wrong)} | ${pct(x.falseRate)} |`,
    );
  }
  const unknownTop = outcomes
    .filter((o) => !o.known && !o.topCorrect)
    .map((o) => o.topScore)
    .sort((a, b) => a - b);
  const knownRight = outcomes
    .filter((o) => o.known)
    .map((o) => o.rightScore)
    .sort((a, b) => a - b);
  const wrongTop = outcomes
    .filter((o) => o.known)
    .map((o) => o.wrongScore)
    .sort((a, b) => a - b);
  const q = (xs: number[], p: number): string =>
    xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * p))].toFixed(3) : '-';
  log();
  log(
    `Margins: unknown bugs' best score p50 ${q(unknownTop, 0.5)}, p99 ${q(unknownTop, 0.99)}, max ${q(unknownTop, 1)}; ` +
      `known bugs' best wrong-signature score p99 ${q(wrongTop, 0.99)}, max ${q(wrongTop, 1)}; ` +
      `right signature's score p1 ${q(knownRight, 0.01)}, p5 ${q(knownRight, 0.05)}, median ${q(knownRight, 0.5)}.`,
  );
  const real = parse
    ? loadRealCorpus(CORPUS, parse, { variants: QUICK ? 1 : 2, rounds: QUICK ? 4 : 12, unknownShare: 0.25 })
    : null;
  if (real) reportReal(real, log);
  else log(`\n(real recurrences skipped: ${parse ? `no ${CORPUS}` : 'no parser'})`);
  const acc = performance.now() - t0;
  log();
  log(`Latency of MatchIndex.match (one call, parse excluded, single core), heap taken by the index:`);
  log();
  log('| signatures | p50 ms | p99 ms | max ms | p99 CPU ms | index heap MB | build s |');
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const sizes = args.has('--no-latency') ? [] : QUICK ? [1000, 10_000] : [1000, 10_000, 100_000];
  for (const l of latency(corpus, sizes)) {
    log(
      `| ${l.n} | ${l.p50.toFixed(3)} | ${l.p99.toFixed(3)} | ${l.max.toFixed(2)} | ${l.cpuP99.toFixed(3)} | ${l.heapMB.toFixed(1)} | ${(l.buildMs / 1000).toFixed(2)} |`,
    );
  }
  log();
  log(`(accuracy part ${(acc / 1000).toFixed(1)} s; node ${process.version})`);
  const text = lines.join('\n');
  console.log(text);
  if (args.has('--write')) {
    const path = join(REPO_ROOT, 'bench', 'README-match.md');
    const prev = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const start = '<!-- bench:match:start -->';
    const end = '<!-- bench:match:end -->';
    const block = `${start}\n\`node dist/bench/match.js\` on ${new Date().toISOString().slice(0, 10)}:\n\n${text}\n${end}`;
    const i = prev.indexOf(start);
    const j = prev.indexOf(end);
    const next =
      i >= 0 && j > i ? prev.slice(0, i) + block + prev.slice(j + end.length) : `${prev}\n${block}\n`;
    writeFileSync(path, next);
  }
}

main();
