// The shapes the pure crash core speaks. API.md names ParsedDump, Match and Fix;
// the HTTP layer returns these objects as they are, so every field here is public.

export const CRASH_KINDS = [
  'use-after-free',
  'double-free',
  'invalid-free',
  'out-of-bounds',
  'null-deref',
  'bad-access',
  'general-protection-fault',
  'uninit-value',
  'memory-leak',
  'data-race',
  'deadlock',
  'lock-bug',
  'bug',
  'warning',
  'hang',
  'stall',
  'list-corruption',
  'slab-corruption',
  'stack-overflow',
  'undefined-behavior',
  'assertion',
  'panic',
  'unknown',
] as const;
export type CrashKind = (typeof CRASH_KINDS)[number];

/** Which family of report the text was recognised as (the parser that produced it). */
export type ReportFormat =
  | 'linux-kernel'
  | 'crash-utility'
  | 'asan'
  | 'hwasan'
  | 'msan'
  | 'tsan'
  | 'ubsan'
  | 'lsan'
  | 'gdb'
  | 'valgrind'
  /** A runtime's own fatal report stated by ClusterFuzz's rules: Go/Rust panics, V8 fatal errors, CHECK failures, Android aborts, Java/Python exceptions. */
  | 'runtime'
  | 'unknown';

export interface Frame {
  /** Normalised name: no offset, address, `.isra.N`/`.constprop.N`/`.cold`/`.part.N`, argument list or template noise. */
  function: string;
  /** The name exactly as printed (before normalisation), for display. */
  raw?: string;
  /** Kernel module (`[mlx5_core]`) or shared object / binary (user space) when printed. */
  module?: string | null;
  /** Source file and line when printed (`/src/widget.c:41`, `fs/ext4/super.c:1234`). */
  file?: string | null;
  line?: number | null;
  /** false for `? foo+0x1c/0x40` (unreliable) frames: kept, not dropped. */
  reliable: boolean;
  /** Frame from an inlined function (decode_stacktrace / symbolizer "inlined" lines). */
  inlined?: boolean;
  /** Stack section the frame was printed in: `task`, `irq`, `softirq`, `nmi`, `exception`... */
  context?: string | null;
}

export interface PoisonIndicator {
  /** The value as found, lower-case hex with 0x prefix, e.g. `0xdead000000000108`. */
  value: string;
  /** Name of the known value it derives from, e.g. `LIST_POISON1`. */
  name: string;
  /** The known base value, e.g. `0xdead000000000100`. */
  base: string;
  /** value - base (a field offset inside the poisoned object), 0 when exact. */
  offset: number;
  /** What it means: "deleted list entry", "freed slab object", ... */
  meaning: string;
  /** Where it was found: `register RAX`, `fault address`, `field dma_pool.pools.next`, `memory dump`, `shadow byte` ... */
  where: string;
}

export type FaultAddressClass =
  'null' | 'null-offset' | 'non-canonical' | 'user' | 'kernel' | 'poison' | 'unknown';

export interface FaultAddress {
  value: string;
  class: FaultAddressClass;
  /** For KASAN's "probably for non-canonical address" lines and shadow addresses: the pointer decoded back. */
  decoded?: string | null;
  /** Human explanation: "NULL + 0x58", "LIST_POISON2 + 0x0"... */
  detail?: string | null;
}

export interface Indicators {
  poisonValues: PoisonIndicator[];
  /** e.g. `kmalloc-128`, `ext4_inode_cache`. */
  slabCaches: string[];
  /** Object/region sizes in bytes, e.g. KASAN `of size 128`, ASan `328-byte region`. */
  objectSizes: number[];
  faultAddress?: FaultAddress | null;
  /** KASAN/ASan shadow codes seen (`fd` freed, `fc` redzone ...), with meaning. */
  shadowCodes?: { code: string; meaning: string }[];
}

export interface Environment {
  kernelVersion?: string | null;
  arch?: string | null;
  /** Taint flags as printed (`G        W  OE`) compacted to letters, e.g. `WOE`; `G` means untainted. */
  taint?: string | null;
  comm?: string | null;
  pid?: number | null;
  cpu?: number | null;
  hardware?: string | null;
  modules?: string[];
  /** Sanitizer thread (`T3`) and thread name when present. */
  thread?: string | null;
}

export interface Access {
  op: 'read' | 'write';
  size: number | null;
}

export interface ParsedReport {
  format: ReportFormat;
  title: string | null;
  kind: CrashKind;
  /** Headline without the guilty function: `KASAN: slab-use-after-free Read`, `WARNING`, `general protection fault`. */
  headline: string | null;
  access: Access | null;
  frames: Frame[];
  /** Index into `frames` of the frame the title names, or null. */
  guiltyFrame: number | null;
  /**
   * ClusterFuzz crash_state: up to three identifying frames (names as ClusterFuzz keeps them in
   * user space: templates, the 80-character cut), an assertion/CHECK message first when there is one.
   */
  state: string[];
  allocStack?: Frame[];
  freeStack?: Frame[];
  /** Other stacks a report carries (TSan's previous access, lockdep chains ...), labelled. */
  otherStacks?: { label: string; frames: Frame[] }[];
  indicators: Indicators;
  environment: Environment;
  /** Index (in the top-level `reports`) of the report that caused this one, or null. */
  secondaryOf: number | null;
  /** Line span of this report inside the input (0-based, end exclusive), for highlighting. */
  span?: { startLine: number; endLine: number };
  notes: string[];
  /**
   * The report cannot be trusted as printed (syzkaller's `Corrupted`): interleaved CPUs, a
   * truncated or missing stack, a headline cut short. Its title then names `corrupted` where no
   * frame could be found. `corruptedReason` says why.
   */
  corrupted?: boolean;
  corruptedReason?: string | null;
  /** Hex digest of FINGERPRINT_VERSION + kind + state (see fingerprint.ts). Null for `unknown`. */
  fingerprint: string | null;
}

export interface ParsedDump extends ParsedReport {
  reports: ParsedReport[];
}

export type FixKind = 'commit' | 'patch' | 'advisory' | 'workaround' | 'link';

export interface Fix {
  kind: FixKind;
  ref: string;
  url?: string | null;
  description?: string | null;
  fixedIn?: string | null;
}

/**
 * What a signature matches on. Stored as JSON in the database and compiled by the
 * matcher into its in-memory index; every field but `frames` is optional.
 */
export interface SignatureMatcher {
  kind?: CrashKind | null;
  /** Headline as the parser produces it (`KASAN: slab-use-after-free Read`). */
  headline?: string | null;
  /** Ordered frames that matter, innermost first (normalised function names). */
  frames: string[];
  /** Index into `frames` of the guilty frame. */
  guiltyFrame?: number | null;
  /** Exact fingerprint(s) known to be this bug. */
  fingerprints?: string[];
  module?: string | null;
  arch?: string | null;
  /** Kernel version range, inclusive bounds, e.g. `5.10` .. `6.1.30`. */
  kernelMin?: string | null;
  kernelMax?: string | null;
  slabCaches?: string[];
  objectSizes?: number[];
  /** Poison names (`LIST_POISON1`, `POISON_FREE` ...). */
  poisons?: string[];
  /** RE2 patterns over the raw dump; a hit is evidence, a required one must hit. */
  patterns?: { pattern: string; required?: boolean }[];
  /** Free stack frames (use-after-free, double/invalid free), innermost first: where the object was freed. */
  freeFrames?: string[];
}

export interface Evidence {
  feature: string;
  detail: string;
  /** Contribution to the score; negative for disagreement. */
  weight: number;
}

export type Verdict = 'match' | 'similar';

export interface Match {
  signatureId: string;
  title: string;
  score: number;
  verdict: Verdict;
  evidence: Evidence[];
  fixes: Fix[];
  notes: string[];
  /** Which report of the dump matched (index into `reports`). */
  reportIndex?: number;
}
