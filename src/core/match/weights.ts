// Every number the matcher uses, with the reason for it. Thresholds were chosen with
// bench/match.ts (see bench/README-match.md for the sweep); change a value, rerun the bench.

export interface Tuned {
  value: number;
  why: string;
}

/** Contributions to the score of one signature against one report (summed, clamped to 0..1). */
export const SCORE_WEIGHTS = {
  fingerprint: {
    value: 1,
    why: 'same kind + crash state hash: the parser says it is the same bug; certain unless a hard constraint disagrees',
  },
  stack: {
    value: 0.62,
    why: 'stack similarity (0..1) is the main evidence; it alone cannot reach the match threshold without kind/guilty agreement',
  },
  freeStackAgree: {
    value: 0.2,
    why: 'use site + free site identify a use-after-free/double free even when the use is reached by another caller path (SPDK seed: two paths, one free path)',
  },
  freeStackDisagree: { value: -0.05, why: 'freed somewhere else entirely: weak, the free path can vary too' },
  guiltyAgree: {
    value: 0.1,
    why: "the function the title names is the signature's guilty frame: what syzbot dedups on",
  },
  stateAgree: {
    value: 0.05,
    why: 'per crash-state frame after the guilty one that equals the signature frame at the same place (ClusterFuzz/syzbot identity), max 2',
  },
  kindAgree: { value: 0.12, why: 'same bug class (use-after-free, null-deref, ...)' },
  kindRelated: {
    value: 0.04,
    why: 'the same memory bug shows up as UAF, GPF, NULL deref or list corruption depending on timing (ext4 seed: a double free seen as a NULL deref in kmem_cache_free)',
  },
  kindDisagree: { value: -0.15, why: 'unrelated bug classes (a hang is not a use-after-free)' },
  headlineAgree: { value: 0.06, why: 'same headline (KASAN type and access); a refinement of kind' },
  slabCacheAgree: { value: 0.05, why: 'object from the same named slab cache' },
  slabCacheDisagree: { value: -0.06, why: 'the dump names a different cache: probably another object type' },
  poisonAgree: { value: 0.05, why: 'same poison (LIST_POISON1, POISON_FREE ...): same corruption pattern' },
  objectSizeAgree: { value: 0.03, why: 'same object size: same type (sizes change across builds, so weak)' },
  objectSizeDisagree: {
    value: -0.03,
    why: 'different object size: maybe another type (weak: builds differ)',
  },
  moduleAgree: { value: 0.03, why: 'the signature module is on the stack or loaded' },
  moduleMissing: {
    value: -0.12,
    why: 'signature names a module the dump neither loads nor shows on the stack',
  },
  archDisagree: { value: -0.3, why: 'signature restricted to another architecture' },
  kernelInRange: { value: 0.02, why: 'kernel version inside the known-affected range' },
  kernelOutOfRange: {
    value: -0.35,
    why: 'outside the known-affected range: a regression or another bug; shown as similar, never claimed',
  },
  patternHit: { value: 0.05, why: 'a signature pattern occurs in the raw dump' },
  patternHitCap: { value: 0.1, why: 'patterns refine, they must not outvote the stack' },
  maxCoreScale: {
    value: 1.5,
    why: 'a frames-only matcher is scaled up at most this much: stack evidence alone must stay below certainty',
  },
  secondaryReportFactor: {
    value: 0.95,
    why: 'a report caused by another one (secondary oops, panic repeat) is weaker evidence than the main report',
  },
} satisfies Record<string, Tuned>;

/** Stack alignment (a TraceSim-like position-weighted edit distance, see stack.ts). */
export const STACK_WEIGHTS = {
  positionDecay: {
    value: 0.8,
    why: 'frame i weighs 1/(1+i)^decay: the top identifies the bug, callers vary more (TraceSim uses the same shape)',
  },
  genericFrameWeight: {
    value: 0.08,
    why: 'kfree, memcpy, list/refcount checks, locks and entry code are shared by unrelated bugs',
  },
  minStackMass: {
    value: 1,
    why: 'a signature of only generic frames cannot reach a high similarity on them alone',
  },
  unreliableMatchCredit: { value: 0.6, why: '`?` frames may be stale stack contents: partial credit' },
  insertPenalty: {
    value: 0.45,
    why: 'a dump frame the signature does not have, above its last matched frame, costs this share of its weight: another function on top is likely another bug',
  },
  unreliableInsertFactor: { value: 0.15, why: 'extra `?` frames come and go between runs' },
  inlinedInsertFactor: { value: 0.15, why: 'inlined frames appear only when the dump was symbolised' },
  truncationCredit: {
    value: 0.35,
    why: 'signature frames past the end of a truncated dump count this much in the denominator: unknown, not absent',
  },
  contextAboveGuilty: {
    value: 8,
    why: 'frames above the parser guilty frame kept as free context (a hand-written signature may start there)',
  },
  maxDumpFrames: { value: 48, why: 'deeper frames are process/syscall plumbing; bounds alignment cost' },
  maxSignatureFrames: { value: 16, why: 'bounds alignment cost for hand-written signatures' },
} satisfies Record<string, Tuned>;

/** Verdicts. Calibrated with bench/match.ts (recall of match vs wrong/false matches). */
export const THRESHOLDS = {
  match: {
    value: 0.7,
    why: 'bench: recall > 0.97 with no wrong/false match in the corpus (see README-match.md)',
  },
  similar: { value: 0.45, why: 'shares the guilty frame or most of the stack; worth showing for triage' },
} satisfies Record<string, Tuned>;

/** Candidate generation (inverted index). */
export const INDEX_LIMITS = {
  maxPostingForQuery: {
    value: 2000,
    why: 'a key shared by more signatures than this is too common to select candidates (cost must not grow with the KB)',
  },
  maxReports: {
    value: 32,
    why: 'a huge log can hold hundreds of reports (a WARN in a loop); the first ones carry the bug, and cost must stay bounded',
  },
  maxCandidatesScored: { value: 64, why: 'only the best pre-scored candidates get the full alignment' },
  queryFrames: { value: 20, why: 'frames of the dump used as index keys (after dropping reporting frames)' },
  guiltyKeyBoost: {
    value: 3,
    why: "the dump's guilty frame equal to a signature's guilty frame is the strongest cheap signal",
  },
  indicatorKeyWeight: { value: 0.3, why: 'slab cache / poison keys only nudge pre-scoring' },
} satisfies Record<string, Tuned>;

/** Derivation of a matcher from one dump (src/core/signature/derive.ts). */
export const DERIVE_LIMITS = {
  maxFrames: {
    value: 6,
    why: 'state plus a few callers: enough to separate bugs sharing a top frame, few enough that another caller path still matches',
  },
  maxFreeFrames: {
    value: 4,
    why: 'the free site and its closest callers; deeper frames are the thread/work plumbing',
  },
} satisfies Record<string, Tuned>;
