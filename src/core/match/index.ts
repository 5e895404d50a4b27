// The in-memory matcher: signatures compiled once at upsert, filed in an inverted index
// (fingerprint, specific frame names, guilty frame, named slab caches, poisons). A match
// looks up the dump's keys, pre-scores the candidates by the keys they share, and aligns only
// the best few: the cost follows the dump, not the size of the knowledge base. Generic
// frames are never keys, and a key shared by too many signatures is ignored for selection.
import type { Fix, Match, ParsedDump, ParsedReport, SignatureMatcher } from '../types';
import { compilePattern } from '../re2';
import { canonicalFrame, classifyFrame } from './frames';
import {
  positionWeight,
  prepareDumpStack,
  compileSignatureStack,
  stateAsFrames,
  titledFrameIndex,
} from './stack';
import {
  boundLength,
  canonicalArch,
  isIdentifyingPoison,
  parseKernelVersion,
  prepareReport,
  scoreSignature,
  type CompiledSignature,
  type PreparedReport,
} from './score';
import { INDEX_LIMITS as L, THRESHOLDS } from './weights';
import { decideVerdicts, leadingClaim } from './verdict';

export { InvalidPatternError } from '../re2';
export { SCORE_WEIGHTS, STACK_WEIGHTS, THRESHOLDS, INDEX_LIMITS, DERIVE_LIMITS } from './weights';
export { classifyFrame, canonicalFrame, isGenericFrame } from './frames';
export { decideVerdicts, leadingClaim, type RankedCandidate, type VerdictDecision } from './verdict';

/** A signature as the service hands it to the index. */
export interface IndexedSignature {
  id: string;
  title: string;
  matcher: SignatureMatcher;
  fixes: Fix[];
  notes: string[];
  /**
   * The signature this one is a duplicate of (the knowledge base's `duplicateOf`): a report may
   * be claimed by both, since they are one bug. Without it, two signatures that fit a report
   * equally tie, and neither is claimed.
   */
  duplicateOf?: string | null;
}

export interface MatchOptions {
  /** Most matches returned (default 10). */
  limit?: number;
  /** Override the calibrated thresholds (the benchmark sweeps them). */
  thresholds?: { match?: number; similar?: number };
}

interface Entry {
  compiled: CompiledSignature;
  fixes: Fix[];
  notes: string[];
  duplicateOf: string | null;
}

const KEY_FINGERPRINT = 'h:';
const KEY_FRAME = 'f:';
const KEY_GUILTY = 'g:';
const KEY_SLAB = 's:';
const KEY_POISON = 'p:';
/** Title-only matchers (no frames) are filed under kind + headline. */
const KEY_TITLE = 't:';

function titleKey(kind: string | null | undefined, headline: string | null | undefined): string | null {
  if (!headline) return null;
  return `${KEY_TITLE}${kind && kind !== 'unknown' ? kind : ''}|${headline}`;
}

/** kmalloc-64, kmalloc-cg-1k, dma-kmalloc-128 ...: size buckets shared by unrelated types. */
export function isGenericSlabCache(name: string): boolean {
  return /^(?:dma-)?kmalloc(?:-(?:rcl|cg|rnd-\d+))?-\d+k?$/.test(name) || /^size-\d+$/.test(name);
}

export class MatchIndex {
  private readonly entries = new Map<number, Entry>();
  private readonly slotById = new Map<string, number>();
  private readonly postings = new Map<string, Set<number>>();
  /** Signatures with no key at all (pattern- or kind-only): always scored. Expected to stay tiny. */
  private readonly keyless = new Set<number>();
  /** One copy of each frame name / key string across all signatures. */
  private readonly strings = new Map<string, string>();
  private nextSlot = 1;

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  /** Adds or replaces a signature. Throws InvalidPatternError for a bad pattern (index unchanged). */
  upsert(sig: IndexedSignature): void {
    const slot = this.nextSlot++;
    const compiled = this.compile(sig, slot); // may throw: do it before touching the index
    this.remove(sig.id);
    this.entries.set(slot, {
      compiled,
      fixes: sig.fixes ?? [],
      notes: sig.notes ?? [],
      duplicateOf: sig.duplicateOf ?? null,
    });
    this.slotById.set(sig.id, slot);
    if (compiled.keys.length === 0) this.keyless.add(slot);
    for (const k of compiled.keys) {
      let set = this.postings.get(k);
      if (!set) {
        set = new Set();
        this.postings.set(this.intern(k), set);
      }
      set.add(slot);
    }
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    const entry = this.entries.get(slot);
    this.slotById.delete(id);
    this.entries.delete(slot);
    this.keyless.delete(slot);
    for (const k of entry?.compiled.keys ?? []) {
      const set = this.postings.get(k);
      if (!set) continue;
      set.delete(slot);
      if (set.size === 0) this.postings.delete(k);
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.slotById.clear();
    this.postings.clear();
    this.keyless.clear();
    this.strings.clear();
  }

  /** Matches every report of the dump (main first); one Match per signature, best first. */
  match(parsed: ParsedDump, raw = '', opts: MatchOptions = {}): Match[] {
    const matchAt = opts.thresholds?.match ?? THRESHOLDS.match.value;
    const similarAt = opts.thresholds?.similar ?? THRESHOLDS.similar.value;
    const limit = opts.limit ?? 10;
    // Pass 1: numbers only, over every candidate of every report; keep each signature's best.
    const best = new Map<number, { score: number; rep: PreparedReport }>();
    let first = true;
    const reports = orderedReports(parsed);
    const mainIndex = reports[0]?.index ?? null;
    for (const rep of reports.slice(0, L.maxReports.value)) {
      const frames = stateAsFrames(rep.report);
      const titled = frames === rep.report.frames ? titledFrameIndex(rep.report) : 0;
      const prepared = prepareReport(
        rep.report,
        rep.index,
        prepareDumpStack(frames, titled, rep.report.state?.[0] ?? null),
        rep.report.freeStack?.length ? prepareDumpStack(rep.report.freeStack) : [],
      );
      // A report "caused by" one that has no stack of its own is effectively the main one.
      const cause = rep.report.secondaryOf != null ? parsed.reports?.[rep.report.secondaryOf] : undefined;
      prepared.secondary = prepared.secondary && (cause?.frames?.length ?? 0) > 0;
      prepared.later = !first;
      first = false;
      for (const slot of this.candidates(prepared)) {
        const entry = this.entries.get(slot);
        if (!entry) continue;
        const scored = scoreSignature(entry.compiled, prepared, raw, false);
        if (!scored || scored.score < similarAt) continue;
        const previous = best.get(slot);
        if (previous && previous.score >= scored.score) continue;
        best.set(slot, { score: scored.score, rep: prepared });
      }
    }
    // Pass 2: rank, decide verdicts over every candidate (a tie may sit below the returned
    // ones), explain only what is returned.
    const ranked = [...best.entries()]
      .map(([slot, b]) => ({ slot, ...b, entry: this.entries.get(slot) }))
      .filter((x): x is typeof x & { entry: Entry } => x.entry !== undefined)
      .sort(
        (a, b) =>
          b.score - a.score ||
          a.rep.index - b.rep.index ||
          a.entry.compiled.title.localeCompare(b.entry.compiled.title),
      );
    const candidates = ranked.map((x) => ({
      id: x.entry.compiled.id,
      title: x.entry.compiled.title,
      score: x.score,
      reportIndex: x.rep.index,
      duplicateOf: x.entry.duplicateOf,
    }));
    const decisions = decideVerdicts(candidates, matchAt);
    // The main report's match leads, then the rest by score (see leadingClaim).
    const lead = leadingClaim(candidates, decisions, mainIndex);
    const order = ranked.map((_, i) => i);
    if (lead > 0) order.splice(order.indexOf(lead), 1).forEach((i) => order.unshift(i));
    const out: Match[] = [];
    for (let o = 0; o < order.length && out.length < limit; o++) {
      const i = order[o];
      const { entry, rep } = ranked[i];
      const scored = scoreSignature(entry.compiled, rep, raw, true);
      if (!scored) continue;
      const decision = decisions[i];
      const evidence = scored.evidence;
      if (decision.note) evidence.push(decision.note);
      out.push({
        signatureId: entry.compiled.id,
        title: entry.compiled.title,
        score: Math.round(scored.score * 10000) / 10000,
        verdict: decision.verdict,
        evidence,
        fixes: entry.fixes,
        notes: entry.notes,
        reportIndex: rep.index,
      });
    }
    return out;
  }

  /** Candidate slots for one report, pre-scored by shared keys; at most maxCandidatesScored. */
  candidates(rep: PreparedReport): number[] {
    const pre = new Map<number, number>();
    const add = (key: string, weight: number, cap: boolean): void => {
      const set = this.postings.get(key);
      if (!set || (cap && set.size > L.maxPostingForQuery.value)) return;
      for (const slot of set) pre.set(slot, (pre.get(slot) ?? 0) + weight);
    };
    const r = rep.report;
    // A fingerprint is exact: never capped, always first.
    if (r.fingerprint) add(KEY_FINGERPRINT + r.fingerprint, 1e6, false);
    // A generic guilty frame selects candidates only when the title names it and nothing more
    // specific follows it in the state (the crash is in it).
    if (rep.guilty && (classifyFrame(rep.guilty) === 'specific' || rep.namedGeneric))
      add(KEY_GUILTY + rep.guilty, L.guiltyKeyBoost.value, true);
    const seen = new Set<string>();
    let used = 0;
    for (const d of rep.stack) {
      if (used >= L.queryFrames.value) break;
      if (!d.specific || seen.has(d.name)) continue;
      seen.add(d.name);
      used++;
      add(KEY_FRAME + d.name, positionWeight(d.rank) * (d.reliable ? 1 : 0.5), true);
    }
    for (const c of r.indicators?.slabCaches ?? []) {
      if (!isGenericSlabCache(c)) add(KEY_SLAB + c, L.indicatorKeyWeight.value, true);
    }
    for (const p of r.indicators?.poisonValues ?? [])
      if (isIdentifyingPoison(p.name)) add(KEY_POISON + p.name, L.indicatorKeyWeight.value, true);
    const tk = titleKey(r.kind, r.headline);
    if (tk) add(tk, L.indicatorKeyWeight.value, true);
    for (const slot of this.keyless) if (!pre.has(slot)) pre.set(slot, 0);

    const max = L.maxCandidatesScored.value;
    if (pre.size <= max) return [...pre.keys()];
    return [...pre.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, max)
      .map(([slot]) => slot);
  }

  private intern(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    this.strings.set(s, s);
    return s;
  }

  private compile(sig: IndexedSignature, slot: number): CompiledSignature {
    const m = sig.matcher ?? { frames: [] };
    const stack = compileSignatureStack(m.frames ?? [], m.guiltyFrame ?? null);
    stack.names = stack.names.map((n) => this.intern(n));
    const freeStack = m.freeFrames?.length ? compileSignatureStack(m.freeFrames) : null;
    const gi = m.guiltyFrame ?? 0;
    // Without an explicit guilty frame, the first specific one (a hand-written matcher may
    // start with kmem_cache_free or kfree).
    const guilty =
      m.guiltyFrame != null
        ? (stack.names[gi] ?? null)
        : (stack.names.find((n) => classifyFrame(n) === 'specific') ?? stack.names[0] ?? null);
    // A matcher of generic frames only, led by the titled one (a GPF in run_timer_softirq from
    // the softirq entry): its crash site is all that identifies it (see titleNamedGenericWeight).
    const onlyGeneric = stack.names.every((n) => classifyFrame(n) !== 'specific');
    let stackNamed: CompiledSignature['stackNamed'] = null;
    if (onlyGeneric && guilty !== null && m.guiltyFrame != null && stack.names[gi] === guilty) {
      stackNamed = compileSignatureStack(m.frames ?? [], gi, true);
      stackNamed.names = stack.names;
    }
    const fingerprints = (m.fingerprints ?? []).filter((f) => typeof f === 'string' && f.length > 0);
    const slabCaches = (m.slabCaches ?? []).map((c) => this.intern(c));
    const poisons = (m.poisons ?? []).map((p) => this.intern(p));
    const patterns = (m.patterns ?? []).map((p) => ({
      source: p.pattern,
      required: p.required === true,
      compiled: compilePattern(p.pattern),
    }));
    const keys = new Set<string>();
    for (const f of fingerprints) keys.add(KEY_FINGERPRINT + f);
    for (const n of stack.names) if (classifyFrame(n) === 'specific') keys.add(KEY_FRAME + n);
    // A generic guilty frame is a key too: only dumps whose title names it look it up.
    if (guilty && (classifyFrame(guilty) === 'specific' || stackNamed)) keys.add(KEY_GUILTY + guilty);
    for (const c of slabCaches) if (!isGenericSlabCache(c)) keys.add(KEY_SLAB + c);
    for (const p of poisons) if (isIdentifyingPoison(p)) keys.add(KEY_POISON + p);
    const tk = stack.names.length === 0 ? titleKey(m.kind, m.headline) : null;
    if (tk) keys.add(tk);
    const kernelMax = parseKernelVersion(m.kernelMax);
    return {
      slot,
      id: sig.id,
      title: sig.title,
      kind: m.kind ?? null,
      headline: m.headline ?? null,
      stack,
      stackNamed,
      freeStack,
      guilty: guilty ? canonicalFrame(guilty) : null,
      fingerprints,
      module: m.module ?? null,
      arch: canonicalArch(m.arch),
      kernelMin: parseKernelVersion(m.kernelMin),
      kernelMax: kernelMax ? kernelMax.slice(0, boundLength(m.kernelMax)) : null,
      slabCaches,
      objectSizes: (m.objectSizes ?? []).filter((n) => Number.isFinite(n)),
      poisons,
      patterns,
      keys: [...keys].map((k) => this.intern(k)),
    };
  }
}

/** Index in `reports` of the dump's main report (the one its top-level fields describe). */
export function mainReportIndex(parsed: ParsedDump): number {
  return orderedReports(parsed)[0].index;
}

/** The main report first (the one the top-level fields describe), then the others in order. */
function orderedReports(parsed: ParsedDump): { report: ParsedReport; index: number }[] {
  const reports = parsed.reports ?? [];
  if (reports.length === 0) return [{ report: parsed, index: 0 }];
  let main = reports.findIndex(
    (r) =>
      r.span &&
      parsed.span &&
      r.span.startLine === parsed.span.startLine &&
      r.span.endLine === parsed.span.endLine,
  );
  if (main < 0)
    main = reports.findIndex((r) => r.title === parsed.title && r.fingerprint === parsed.fingerprint);
  if (main < 0) main = 0;
  const out = [{ report: reports[main], index: main }];
  reports.forEach((r, i) => {
    if (i !== main) out.push({ report: r, index: i });
  });
  return out;
}
