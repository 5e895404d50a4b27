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
    why: 'same kind + crash state hash over specific frames: the parser says it is the same bug; the score is at least this, scaled by how specific the hashed state is (fingerprintFloor..1)',
  },
  fingerprintFloor: {
    value: 0.4,
    why: 'a fingerprint hashed from generic, reporting or entry frames only (rcu_gp_kthread, __schedule_bug, fixup_bug) is shared by unrelated bugs: it alone is weak evidence (below similar)',
  },
  fingerprintHeadShare: {
    value: 0.7,
    why: "share of a fingerprint's strength carried by the first state frame (the one the title names); the other state frames carry the rest",
  },
  fingerprintHeadlineOnly: {
    value: 0.5,
    why: 'a report without frames is hashed from its headline ("WARNING", "general protection fault"): every such report of that class shares it; shown as similar, never claimed',
  },
  titleOnlyMax: {
    value: 0.55,
    why: 'a title- and kind-only matcher (derived from a report without frames) says the bug class, never which bug: at most similar, never claimed',
  },
  stackHang: {
    value: 0.3,
    why: 'hang/stall: the hung or stalled task reaches the blocked call through many paths (rtnl_lock from a workqueue, a netns exit, a driver unregister): callers vary between replicates',
  },
  guiltyAgreeHang: {
    value: 0.42,
    why: 'hang/stall: what hung or stalled (the frame the title names) identifies the bug, as syzbot titles it; with kind and headline it reaches match alone only with some stack agreement',
  },
  genericGuiltyFactor: {
    value: 0.5,
    why: "a guilty frame that is generic (a lock, schedule, a list check) is shared by unrelated bugs: its agreement counts this share, unless both sides have nothing specific and the dump's title names it (then the crash is in it: full weight, see STACK_WEIGHTS.titleNamedGenericWeight)",
  },
  stack: {
    value: 0.5,
    why: 'stack similarity (0..1) is the main evidence; alone it stays below match: kind, headline or the guilty frame must agree too (was 0.62: real replicates differ in callers and entry path, see bench/README-match.md)',
  },
  freeStackAgree: {
    value: 0.2,
    why: 'use site + free site identify a use-after-free/double free even when the use is reached by another caller path (SPDK seed: two paths, one free path)',
  },
  freeStackDisagree: { value: -0.05, why: 'freed somewhere else entirely: weak, the free path can vary too' },
  guiltyAgree: {
    value: 0.25,
    why: "the function the title names is the signature's guilty frame: what syzbot dedups on; same title (kind, headline, guilty) plus half the stack is a match (was 0.1: real replicates of one title missed)",
  },
  guiltyDisagree: {
    value: -0.08,
    why: 'the dump blames another specific function than the signature (syzbot titles tell `WARNING in usb_submit_urb` from `WARNING in submit_rx_urb/usb_submit_urb`): the same frames in another role are another bug more often than not',
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
  kindDisagree: {
    value: -0.2,
    why: 'unrelated bug classes (a hang is not a use-after-free): even on the very same stack, shown as similar, not claimed',
  },
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
  laterReportFactor: {
    value: 0.9,
    why: 'a report after the main one in the same log (another hung task, a later oops) is in the dump, but the dump is named by its main report: a claim on it must not outrank the main one',
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
  titledGenericWeight: {
    value: 0.5,
    why: "a generic frame that is the signature's guilty frame (the title names it: consume_skb, run_timer_softirq): syzbot's title rules chose it, yet unrelated bugs pass through it",
  },
  titleNamedGenericWeight: {
    value: 1,
    why: 'a matcher of generic frames only, led by its guilty frame, against a dump whose title names that frame (generic, or even reporting code: then it is kept on the dump side) and whose state has nothing specific either (`general protection fault in run_timer_softirq` from the softirq entry, twice): the crash site is all that identifies either, so it weighs as a specific frame (syzbot buckets on it); with a specific frame below it, that frame identifies the bug instead',
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
    why: 'bench: synthetic recall 99.7% with no wrong/false match from 0.55 to 0.75; real logs: false matches fall below 2% from 0.65, non-hang replicates drop under 0.70 above it (see README-match.md)',
  },
  similar: { value: 0.45, why: 'shares the guilty frame or most of the stack; worth showing for triage' },
  tie: {
    value: 0.02,
    why: 'two signatures (not duplicates) within this of each other on one report fit it equally: neither is claimed (a shared generic fingerprint, two signatures of one bug not marked duplicates)',
  },
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
  maxFramesHang: {
    value: 3,
    why: 'hang/stall: what hung plus two callers; deeper callers differ between replicates of one hang (bench: real hung-task replicates)',
  },
  maxFreeFrames: {
    value: 4,
    why: 'the free site and its closest callers; deeper frames are the thread/work plumbing',
  },
} satisfies Record<string, Tuned>;
