// Scores one compiled signature against one report: exact fingerprint, else stack alignment
// plus kind/headline/guilty-frame and indicator agreement, each contribution recorded as
// evidence. A required pattern that misses excludes the signature (null).
import type { CrashKind, Evidence, ParsedReport } from '../types';
import type { CompiledPattern } from '../re2';
import { alignStacks, titleFunction, type DumpFrame, type SignatureStack } from './stack';
import { canonicalFrame, classifyFrame, stateFrameNames } from './frames';
import { SCORE_WEIGHTS as W } from './weights';

/** Kinds that one bug can show as, depending on timing and debug options. Rows with a reason. */
export const RELATED_KINDS: readonly { kinds: readonly CrashKind[]; why: string }[] = [
  {
    kinds: [
      'use-after-free',
      'double-free',
      'invalid-free',
      'out-of-bounds',
      'null-deref',
      'bad-access',
      'general-protection-fault',
      'list-corruption',
      'slab-corruption',
    ],
    why: 'memory corruption: KASAN sees a UAF, without KASAN the same bug is a GPF, NULL deref or list/slab corruption',
  },
  {
    kinds: ['hang', 'stall', 'deadlock', 'lock-bug'],
    why: 'a deadlock is reported as a hung task, a stall or by lockdep',
  },
  {
    kinds: ['bug', 'warning', 'assertion', 'panic'],
    why: 'BUG_ON vs WARN_ON vs assert differ by build config',
  },
];

/**
 * Poison-table values that are build constants rather than corruption patterns: every report
 * of such a build carries them, whatever the bug, so they are neither derived into a matcher,
 * nor index keys, nor evidence. Rows with a reason.
 */
export const NON_IDENTIFYING_POISONS: readonly { name: string; why: string }[] = [
  {
    name: 'KASAN_SHADOW_OFFSET',
    why: 'the x86_64 KASAN shadow base sits in a register of most KASAN reports (a quarter of the syzbot dev logs); a GPF on it is already the kind and the KASAN range hint',
  },
];
const nonIdentifying = new Set(NON_IDENTIFYING_POISONS.map((p) => p.name));

export function isIdentifyingPoison(name: string): boolean {
  return !nonIdentifying.has(name);
}

const kindGroup = new Map<CrashKind, number>();
RELATED_KINDS.forEach((row, i) => row.kinds.forEach((k) => kindGroup.set(k, i)));

export function kindsRelated(a: CrashKind, b: CrashKind): boolean {
  const ga = kindGroup.get(a);
  return ga !== undefined && ga === kindGroup.get(b);
}

export interface CompiledSignature {
  slot: number;
  id: string;
  title: string;
  kind: CrashKind | null;
  headline: string | null;
  stack: SignatureStack;
  /**
   * The stack with a generic guilty frame counted as specific, for dumps whose title names that
   * frame (null when the guilty frame is specific or absent).
   */
  stackNamed: SignatureStack | null;
  /** Free-stack frames (use-after-free, double free), compiled like `stack`. */
  freeStack: SignatureStack | null;
  guilty: string | null;
  fingerprints: string[];
  module: string | null;
  arch: string | null;
  kernelMin: number[] | null;
  kernelMax: number[] | null;
  slabCaches: string[];
  objectSizes: number[];
  poisons: string[];
  patterns: { source: string; required: boolean; compiled: CompiledPattern }[];
  /** Index keys this signature was filed under (for removal). */
  keys: string[];
}

/** What the scorer needs from a report, computed once per report. */
export interface PreparedReport {
  report: ParsedReport;
  index: number;
  secondary: boolean;
  /** Not the dump's main report (set by the index; false for a lone report). */
  later?: boolean;
  stack: DumpFrame[];
  freeStack: DumpFrame[];
  guilty: string | null;
  /**
   * The report's title names its guilty frame, a generic one, and its state holds no specific
   * frame: the crash site is all that identifies it (a GPF in run_timer_softirq).
   */
  namedGeneric: boolean;
  /** The parser's crash state, canonical names. */
  state: string[];
  kernel: number[] | null;
  arch: string | null;
  modules: Set<string>;
}

export interface ScoredCandidate {
  score: number;
  fingerprint: boolean;
  evidence: Evidence[];
}

export function parseKernelVersion(v: string | null | undefined): number[] | null {
  if (!v) return null;
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), m[3] !== undefined ? Number(m[3]) : 0];
}

function cmpVersion(a: number[], b: number[], len: number): number {
  for (let i = 0; i < len; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The number of components the bound was written with: `6.1` as a max covers every 6.1.x. */
export function boundLength(v: string | null | undefined): number {
  if (!v) return 0;
  const m = /^\s*v?(\d+(?:\.\d+){0,2})/.exec(v);
  return m ? m[1].split('.').length : 3;
}

const ARCH_ALIASES: Record<string, string> = {
  amd64: 'x86_64',
  'x86-64': 'x86_64',
  x64: 'x86_64',
  x86_64: 'x86_64',
  aarch64: 'arm64',
  arm64: 'arm64',
  i386: 'x86',
  i686: 'x86',
  x86: 'x86',
};

export function canonicalArch(a: string | null | undefined): string | null {
  if (!a) return null;
  const k = a.trim().toLowerCase();
  return ARCH_ALIASES[k] ?? k;
}

const KERNEL_TITLED = new Set(['linux-kernel', 'crash-utility']);

export function prepareReport(
  report: ParsedReport,
  index: number,
  stack: DumpFrame[],
  freeStack: DumpFrame[] = [],
): PreparedReport {
  const env = report.environment ?? {};
  const modules = new Set<string>(env.modules ?? []);
  for (const f of report.frames ?? []) if (f.module) modules.add(f.module);
  const state = stateFrameNames(report);
  let guilty: string | null = null;
  const gf = report.guiltyFrame != null ? report.frames?.[report.guiltyFrame] : undefined;
  if (gf?.function) guilty = canonicalFrame(gf.function);
  else {
    // The user-space state can open with a message line (assertion, CHECK): frame names only.
    const names = state;
    guilty =
      names[0] ?? titleFunction(report.title) ?? stack.find((d) => d.specific && d.reliable)?.name ?? null;
  }
  // A kernel title names the bug's frame. When the parser's state starts elsewhere (a held lock
  // freed: the state is the free path, the title names the lock holder) and the titled frame is
  // on the stack, the titled frame is the guilty one, as in the derived signature.
  const named = KERNEL_TITLED.has(report.format) ? titleFunction(report.title) : null;
  if (named && state[0] !== named && guilty !== named && stack.some((d) => d.name === named)) guilty = named;
  return {
    report,
    index,
    secondary: report.secondaryOf != null,
    stack,
    freeStack,
    guilty,
    namedGeneric:
      guilty !== null &&
      classifyFrame(guilty) !== 'specific' &&
      titleFunction(report.title) === guilty &&
      state.every((n) => classifyFrame(n) !== 'specific'),
    state,
    kernel: parseKernelVersion(env.kernelVersion),
    arch: canonicalArch(env.arch),
    modules,
  };
}

const NO_DETAIL = { index: -1, text: '' };

/**
 * How much an exact fingerprint says: it hashes kind + state, so it is as specific as the
 * state frames are. Position-weighted share of specific frames in the state, mapped onto
 * fingerprintFloor..fingerprint; a state-less (headline-only) hash says only the bug class.
 */
export function fingerprintStrength(rep: Pick<PreparedReport, 'state' | 'report'>): {
  weight: number;
  why: string;
} {
  // The parser's state should start at the frame the title names; when it does not, the hash
  // is of frames the title does not speak of (held-lock reports hashed on __sk_destruct).
  // (Kernel titles only: a user-space title names an assertion or a file, not a frame.)
  const named = rep.report.format === 'linux-kernel' ? titleFunction(rep.report.title) : null;
  if (named && rep.state.length > 0 && rep.state[0] !== named)
    return {
      weight: W.fingerprintFloor.value,
      why: `the state starts at ${rep.state[0]}, the title names ${named}: the hash says little`,
    };
  // A state of the report's own message (an assertion or CHECK condition, ClusterFuzz's first
  // state line) has no frame names, yet it is as specific as a frame.
  if (rep.state.length === 0 && (rep.report.state?.length ?? 0) > 0)
    return { weight: W.fingerprint.value, why: `state ${rep.report.state.join(', ')}` };
  if (rep.state.length === 0)
    return {
      weight: W.fingerprintHeadlineOnly.value,
      why: 'hashed from the headline only (no frames): every report of this class shares it',
    };
  // The frame the title names carries most of the identity (syzbot dedups on it); the rest of
  // the state refines it.
  const generic = rep.state.filter((n) => classifyFrame(n) !== 'specific');
  const headSpecific = classifyFrame(rep.state[0]) === 'specific' ? 1 : 0;
  const rest = rep.state.slice(1);
  const restShare =
    rest.length > 0 ? rest.filter((n) => classifyFrame(n) === 'specific').length / rest.length : headSpecific;
  const share = W.fingerprintHeadShare.value * headSpecific + (1 - W.fingerprintHeadShare.value) * restShare;
  const weight = W.fingerprintFloor.value + (W.fingerprint.value - W.fingerprintFloor.value) * share;
  return {
    weight,
    why:
      generic.length === 0
        ? `state ${rep.state.join(', ')}`
        : `state ${rep.state.join(', ')}; ${generic.join(', ')} generic or reporting code: the hash weighs ${weight.toFixed(2)}`,
  };
}
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Scores one signature against one prepared report; null when a hard constraint excludes it. */
export function scoreSignature(
  sig: CompiledSignature,
  rep: PreparedReport,
  raw: string,
  explain = true,
): ScoredCandidate | null {
  // Without `explain` no evidence strings are built: the index scores many candidates and
  // explains only the ones it returns.
  const ev: Evidence[] = [];
  const push = explain ? (e: Evidence): void => void ev.push(e) : (): void => undefined;
  const report = rep.report;

  // Hard constraint first: a required pattern that misses excludes the signature.
  let patternGain = 0;
  for (const p of sig.patterns) {
    const hit =
      raw.length === 0 ? null : explain ? p.compiled.find(raw) : p.compiled.test(raw) ? NO_DETAIL : null;
    if (!hit) {
      if (p.required) return null;
      continue;
    }
    const gain = Math.min(W.patternHit.value, W.patternHitCap.value - patternGain);
    patternGain += gain;
    push({
      feature: 'pattern',
      detail: `/${p.source}/ matched ${JSON.stringify(hit.text)} at offset ${hit.index}${p.required ? ' (required)' : ''}`,
      weight: r3(gain),
    });
  }

  const fingerprint = report.fingerprint != null && sig.fingerprints.includes(report.fingerprint);
  let total = patternGain;
  /** Stack, guilty, state, kind and headline agreement: what a sparse matcher is scaled on. */
  let coreGain = 0;
  /** Disagreements (hard constraints included): they hold against a fingerprint too. */
  let against = 0;

  // Hangs and stalls are identified by what hung (the frame the title names), not by the
  // path that led there: their own weights, when the report is the same kind of hang.
  const hangKind = (k: CrashKind | null): boolean => k === 'hang' || k === 'stall';
  const hangLike = hangKind(sig.kind) || hangKind(report.kind);
  const wStack = hangLike ? W.stackHang.value : W.stack.value;
  const guiltySpecific = sig.guilty ? classifyFrame(sig.guilty) === 'specific' : false;
  // A generic guilty frame that the dump's title names too, with nothing specific after it in
  // either the signature or the dump's state: both crashed in it (see titleNamedGenericWeight).
  const named = sig.stackNamed !== null && rep.namedGeneric && rep.guilty === sig.guilty;
  const wGuilty =
    (hangLike && sig.kind === report.kind ? W.guiltyAgreeHang.value : W.guiltyAgree.value) *
    (guiltySpecific || named ? 1 : W.genericGuiltyFactor.value);

  // Stack: the main evidence.
  const al = alignStacks(named && sig.stackNamed ? sig.stackNamed : sig.stack, rep.stack);
  const stackGain = sig.stack.names.length > 0 ? wStack * al.similarity : 0;
  total += stackGain;
  coreGain += stackGain;
  if (explain && sig.stack.names.length > 0) {
    const parts = [`${al.matched.length} of ${sig.stack.names.length} signature frames in order`];
    if (al.matched.length > 0) {
      parts.push(
        'agree: ' +
          al.matched
            .slice(0, 6)
            .map((mm) => `${mm.name} (#${mm.dump}${mm.reliable ? '' : ', unreliable'})`)
            .join(', '),
      );
    }
    if (al.missing.length > 0) parts.push('missing: ' + al.missing.slice(0, 4).join(', '));
    if (al.extraAbove.length > 0) parts.push('extra above: ' + al.extraAbove.slice(0, 4).join(', '));
    if (al.truncated) parts.push('dump stack ends early (truncated?)');
    if (hangLike) parts.push(`a hang or stall: callers weigh ${wStack} (what hung identifies it)`);
    push({
      feature: 'stack',
      detail: `similarity ${al.similarity.toFixed(2)}: ${parts.join('; ')}`,
      weight: r3(stackGain),
    });
  }

  if (sig.freeStack && sig.freeStack.names.length > 0 && rep.freeStack.length > 0) {
    const fal = alignStacks(sig.freeStack, rep.freeStack);
    const wf = fal.similarity > 0 ? W.freeStackAgree.value * fal.similarity : W.freeStackDisagree.value;
    total += wf;
    if (wf < 0) against += wf;
    if (explain) {
      push({
        feature: 'free-stack',
        detail:
          fal.matched.length > 0
            ? `freed along the same path (similarity ${fal.similarity.toFixed(2)}): ${fal.matched.map((x) => x.name).join(', ')}`
            : `freed elsewhere: signature ${sig.freeStack.names.slice(0, 3).join(', ')}`,
        weight: r3(wf),
      });
    }
  }

  if (sig.guilty && rep.guilty) {
    if (sig.guilty === rep.guilty) {
      total += wGuilty;
      coreGain += wGuilty;
      push({
        feature: 'guilty-frame',
        detail: `both blame ${sig.guilty}${guiltySpecific ? '' : named ? ' (a generic or reporting frame both titles name, nothing specific below it: the crash is in it)' : ' (a generic frame: weighs little)'}${hangLike ? ' (what hung or stalled)' : ''}`,
        weight: r3(wGuilty),
      });
      // The rest of the crash state, frame by frame after the guilty one.
      const gi = sig.stack.names.indexOf(sig.guilty);
      let agree = 0;
      for (let k = 1; k < 3 && k < rep.state.length; k++)
        if (sig.stack.names[gi + k] === rep.state[k]) agree++;
      if (agree > 0) {
        total += agree * W.stateAgree.value;
        coreGain += agree * W.stateAgree.value;
        push({
          feature: 'state',
          detail: `${agree + 1} of ${Math.min(3, rep.state.length)} crash-state frames equal: ${rep.state.slice(0, 3).join(', ')}`,
          weight: r3(agree * W.stateAgree.value),
        });
      }
    } else {
      const both = guiltySpecific && classifyFrame(rep.guilty) === 'specific';
      const wd = both ? W.guiltyDisagree.value : 0;
      total += wd; // not held against a fingerprint: the same state outweighs a hand-written guess
      push({
        feature: 'guilty-frame',
        detail: `dump blames ${rep.guilty}, signature ${sig.guilty}`,
        weight: wd,
      });
    }
  }

  if (sig.kind && report.kind && report.kind !== 'unknown') {
    let wk: number;
    let detail: string;
    if (sig.kind === report.kind) {
      wk = W.kindAgree.value;
      detail = `both ${sig.kind}`;
    } else if (kindsRelated(sig.kind, report.kind)) {
      wk = W.kindRelated.value;
      detail = `${report.kind} vs ${sig.kind}: related manifestations`;
    } else {
      wk = W.kindDisagree.value;
      detail = `${report.kind} vs ${sig.kind}`;
    }
    total += wk;
    if (wk > 0) coreGain += wk;
    else against += wk;
    push({ feature: 'kind', detail, weight: wk });
  }

  if (sig.headline && report.headline) {
    if (sig.headline === report.headline) {
      total += W.headlineAgree.value;
      coreGain += W.headlineAgree.value;
      push({
        feature: 'headline',
        detail: `same headline "${sig.headline}"`,
        weight: W.headlineAgree.value,
      });
    } else if (explain) {
      push({ feature: 'headline', detail: `"${report.headline}" vs "${sig.headline}"`, weight: 0 });
    }
  }

  const ind = report.indicators;
  if (sig.slabCaches.length > 0 && ind?.slabCaches?.length) {
    const common = sig.slabCaches.filter((c) => ind.slabCaches.includes(c));
    if (common.length > 0) {
      total += W.slabCacheAgree.value;
      push({
        feature: 'slab-cache',
        detail: `same cache ${common.join(', ')}`,
        weight: W.slabCacheAgree.value,
      });
    } else {
      total += W.slabCacheDisagree.value;
      against += W.slabCacheDisagree.value;
      push({
        feature: 'slab-cache',
        detail: `dump cache ${ind.slabCaches.join(', ')}, signature ${sig.slabCaches.join(', ')}`,
        weight: W.slabCacheDisagree.value,
      });
    }
  }
  if (sig.poisons.length > 0 && ind?.poisonValues?.length) {
    const hits = ind.poisonValues.filter((p) => sig.poisons.includes(p.name) && isIdentifyingPoison(p.name));
    if (hits.length > 0) {
      total += W.poisonAgree.value;
      const h = hits[0];
      push({
        feature: 'poison',
        detail: `${h.name} (${h.value}) in ${h.where}${hits.length > 1 ? ` and ${hits.length - 1} more` : ''}`,
        weight: W.poisonAgree.value,
      });
    }
  }
  if (sig.objectSizes.length > 0 && ind?.objectSizes?.length) {
    const same = ind.objectSizes.filter((s) => sig.objectSizes.includes(s));
    const wgt = same.length > 0 ? W.objectSizeAgree.value : W.objectSizeDisagree.value;
    total += wgt;
    if (wgt < 0) against += wgt;
    push({
      feature: 'object-size',
      detail:
        same.length > 0
          ? `same object size ${same[0]}`
          : `size ${ind.objectSizes.join(', ')} vs ${sig.objectSizes.join(', ')}`,
      weight: wgt,
    });
  }
  if (sig.module) {
    if (rep.modules.has(sig.module)) {
      total += W.moduleAgree.value;
      push({ feature: 'module', detail: `${sig.module} present`, weight: W.moduleAgree.value });
    } else if (rep.modules.size > 0 || (report.frames?.length ?? 0) > 0) {
      total += W.moduleMissing.value;
      against += W.moduleMissing.value;
      push({
        feature: 'module',
        detail: `${sig.module} not on the stack nor loaded`,
        weight: W.moduleMissing.value,
      });
    }
  }
  if (sig.arch && rep.arch && sig.arch !== rep.arch) {
    total += W.archDisagree.value;
    against += W.archDisagree.value;
    push({
      feature: 'arch',
      detail: `dump is ${rep.arch}, signature ${sig.arch}`,
      weight: W.archDisagree.value,
    });
  }
  if ((sig.kernelMin || sig.kernelMax) && rep.kernel) {
    const v = rep.kernel;
    const below = sig.kernelMin ? cmpVersion(v, sig.kernelMin, 3) < 0 : false;
    const above = sig.kernelMax ? cmpVersion(v, sig.kernelMax, sig.kernelMax.length) > 0 : false;
    const shown = report.environment?.kernelVersion ?? v.join('.');
    const range = `${sig.kernelMin?.join('.') ?? '*'}..${sig.kernelMax?.join('.') ?? '*'}`;
    if (below || above) {
      total += W.kernelOutOfRange.value;
      against += W.kernelOutOfRange.value;
      push({
        feature: 'kernel-version',
        detail: `${shown} outside ${range}`,
        weight: W.kernelOutOfRange.value,
      });
    } else {
      total += W.kernelInRange.value;
      push({
        feature: 'kernel-version',
        detail: `${shown} within ${range}`,
        weight: W.kernelInRange.value,
      });
    }
  }

  // A hand-written matcher often gives only frames. Kind, headline, guilty frame and crash
  // state it does not state can't agree, so the core evidence is scaled to what the matcher
  // can earn; indicators and patterns stay absolute. Derived matchers state everything (x1).
  const achievable =
    (sig.stack.names.length > 0 ? wStack : 0) +
    (sig.guilty ? wGuilty + 2 * W.stateAgree.value : 0) +
    (sig.kind ? W.kindAgree.value : 0) +
    (sig.headline ? W.headlineAgree.value : 0);
  const full = wStack + wGuilty + 2 * W.stateAgree.value + W.kindAgree.value + W.headlineAgree.value;
  if (achievable > 0 && achievable < full - 1e-9 && coreGain > 0) {
    const scale = Math.min(full / achievable, W.maxCoreScale.value);
    const extra = coreGain * (scale - 1);
    total += extra;
    push({
      feature: 'scaled',
      detail: `matcher states only part of kind/headline/frames: core evidence scaled x${scale.toFixed(2)}`,
      weight: r3(extra),
    });
  }

  // A title- and kind-only matcher (no frames, no pattern) names a bug class, not a bug.
  if (sig.stack.names.length === 0 && sig.patterns.length === 0 && total > W.titleOnlyMax.value) {
    push({
      feature: 'title-only',
      detail: `the signature has no frames (derived from a report without a stack): kind and headline only, capped at ${W.titleOnlyMax.value}`,
      weight: r3(W.titleOnlyMax.value - total),
    });
    total = W.titleOnlyMax.value;
  }

  // An exact fingerprint: the same kind and crash state. Evidence as strong as the state is
  // specific; it raises the score to that level, and disagreements still count against it.
  if (fingerprint) {
    const spec = fingerprintStrength(rep);
    let level = spec.weight + patternGain + against;
    if (sig.stack.names.length === 0 && sig.patterns.length === 0)
      level = Math.min(level, W.titleOnlyMax.value);
    const gain = Math.max(0, level - total);
    total += gain;
    push({
      feature: 'fingerprint',
      detail: `same crash fingerprint ${report.fingerprint?.slice(0, 16)}: ${spec.why}`,
      weight: r3(gain),
    });
  }

  if (rep.secondary) {
    const before = total;
    total *= W.secondaryReportFactor.value;
    push({
      feature: 'report',
      detail: `matched secondary report #${rep.index} (caused by #${report.secondaryOf})`,
      weight: r3(total - before),
    });
  } else if (rep.later) {
    const before = total;
    total *= W.laterReportFactor.value;
    push({
      feature: 'report',
      detail: `matched report #${rep.index}, not the main report the dump is named by`,
      weight: r3(total - before),
    });
  }

  ev.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return { score: Math.max(0, Math.min(1, total)), fingerprint, evidence: ev };
}
