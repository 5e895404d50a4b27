// ClusterFuzz crash type (the first line of `crash_type`, e.g. `Heap-use-after-free`,
// `Null-dereference READ`, `CHECK failure`) → our CrashKind. One row per family of types, each
// with the reason and an example; the first row whose pattern matches wins. `kinds[0]` is the
// kind the parser gives; the other entries are kinds that a more specific parser may rightly
// give for the same type (HWASan's tag-mismatch is a use-after-free or an overflow depending on
// its `Cause:` line), so the benchmark accepts them too.
import type { CrashKind } from '../../types';

export interface CrashTypeKindRule {
  id: string;
  /** Tested against the first line of the crash type. Anchored, bounded. */
  pattern: RegExp;
  kinds: readonly [CrashKind, ...CrashKind[]];
  example: string;
  why: string;
}

export const CRASH_TYPE_KINDS: readonly CrashTypeKindRule[] = [
  {
    id: 'kernel',
    pattern: /^Kernel failure$/,
    kinds: ['bug'],
    example: 'Kernel failure',
    why: 'the kernel family line alone; the second line (KASAN type) decides, see kindOfCrashType',
  },
  {
    id: 'use-after-free',
    pattern: /^(?:Heap-use-after-free|Use-after-poison|Use-after-free|Slab-use-after-free)$/,
    kinds: ['use-after-free'],
    example: 'Heap-use-after-free',
    why: 'access to freed (or manually poisoned, i.e. given back) memory',
  },
  {
    id: 'stack-lifetime',
    pattern: /^Stack-use-after-(?:return|scope)$/,
    kinds: ['out-of-bounds', 'use-after-free'],
    example: 'Stack-use-after-return',
    why: 'a stack slot used outside its lifetime; we call it an out-of-bounds access of the frame',
  },
  {
    id: 'overflow',
    pattern:
      /^(?:Heap|Stack|Global|Dynamic-stack)-buffer-(?:overflow|underflow)$|^(?:Container|Intra-object)-overflow$|^(?:Slab|Vmalloc|Global|Stack)-out-of-bounds$|^Out-of-bounds(?:-access)?$|^Index-out-of-bounds$|^Index out of range$|^Slice bounds out of range$|^Makeslice: len out of range$|^Negative-size-param$|^Allocation-tail-overwritten$/,
    kinds: ['out-of-bounds'],
    example: 'Heap-buffer-overflow',
    why: 'an access past the object: redzones, bounds checks (UBSan -fsanitize=bounds, Go slices), KASAN OOB',
  },
  {
    id: 'tag-mismatch',
    pattern: /^Tag-mismatch$/,
    kinds: ['bad-access', 'use-after-free', 'out-of-bounds'],
    example: 'Tag-mismatch',
    why: 'HWASan/MTE: pointer and memory tags differ; the Cause line (when printed) says which',
  },
  {
    id: 'double-free',
    pattern: /^(?:Heap-double-free|Double-free|Double-free-or-invalid-free)$/,
    kinds: ['double-free'],
    example: 'Heap-double-free',
    why: 'free of a chunk already freed',
  },
  {
    id: 'invalid-free',
    pattern: /^(?:Invalid-free|Bad-free|Alloc-dealloc-mismatch|New-delete-type-mismatch)$/,
    kinds: ['invalid-free'],
    example: 'Invalid-free',
    why: 'free of memory the allocator did not hand out, or through the wrong deallocator',
  },
  {
    id: 'null',
    pattern: /^Null-dereference(?: READ| WRITE)?$|^Invalid memory address$|^Null-ptr-deref$/,
    kinds: ['null-deref'],
    example: 'Null-dereference READ',
    why: 'fault in the NULL page, UBSan null-pointer use, Go nil pointer dereference',
  },
  {
    id: 'wild',
    pattern:
      /^UNKNOWN(?: READ| WRITE)?$|^Segv on unknown address$|^Bus$|^READ$|^WRITE$|^Heap-corruption$|^V8 sandbox violation$|^Unknown-crash$|^Wild-addr(?:-read|-write)?$|^Trusted app crash$|^(?:Wild|User)-memory-access$|^(?:READ|WRITE) [A-Z][A-Za-z ,]{0,64}\(\d{1,12}\)$/,
    kinds: ['bad-access'],
    example: 'UNKNOWN READ',
    why: 'a fault on an address the runtime knows nothing of (wild pointer, corrupted heap)',
  },
  {
    id: 'stack-overflow',
    pattern: /^Stack[- ]overflow$/,
    kinds: ['stack-overflow'],
    example: 'Stack-overflow',
    why: 'guard page below the stack hit (ASan, Go runtime, Windows cdb)',
  },
  {
    id: 'uninit',
    pattern: /^Use-of-uninitialized-value$/,
    kinds: ['uninit-value'],
    example: 'Use-of-uninitialized-value',
    why: 'MSan: a branch or pointer used uninitialised bits',
  },
  {
    id: 'leak',
    pattern: /^(?:Direct|Indirect)-leak$|^Memory-leak$/,
    kinds: ['memory-leak'],
    example: 'Direct-leak',
    why: 'LSan found unreachable chunks at exit',
  },
  {
    id: 'race',
    pattern: /^Data race$/,
    kinds: ['data-race'],
    example: 'Data race',
    why: 'TSan: two unsynchronised accesses, one a write',
  },
  {
    id: 'deadlock',
    pattern: /^Lock-order-inversion/,
    kinds: ['deadlock'],
    example: 'Lock-order-inversion',
    why: 'TSan: a cycle in the lock-order graph',
  },
  {
    id: 'lock',
    pattern: /mutex|^Double lock|^Unlock of an unlocked/,
    kinds: ['lock-bug'],
    example: 'Destroy of a locked mutex',
    why: 'TSan mutex misuse',
  },
  {
    id: 'assertion',
    pattern:
      /^(?:ASSERT|ASSERT_NOT_REACHED|(?:Security )?D?CHECK failure|Sanitizer CHECK failure|RUNTIME_ASSERT|V8 API error|Unreachable code)$/,
    kinds: ['assertion', 'undefined-behavior'],
    example: 'CHECK failure',
    why: 'an explicit check in the program failed (assert, CHECK/DCHECK, panic with a message, V8 API misuse); UBSan also reports __builtin_unreachable as Unreachable code',
  },
  {
    id: 'fatal',
    pattern: /^Fatal error$/,
    kinds: ['assertion', 'panic'],
    example: 'Fatal error',
    why: 'a fatal log (absl/glog LOG(FATAL), V8 `# Fatal error in`, Go `fatal error:`): the program gave up on a condition it checks',
  },
  {
    id: 'exception',
    pattern: /^(?:Uncaught exception|Fatal Exception|Security exception|Wycheproof error)$/,
    kinds: ['panic'],
    example: 'Uncaught exception',
    why: 'a managed runtime (Java, Python, JavaScript) ended the program on an exception nobody caught',
  },
  {
    id: 'ub',
    pattern:
      /^(?:Integer-overflow|Unsigned-integer-overflow|Divide-by-zero|Integer divide by zero|Undefined-shift|Pointer-overflow|Misaligned-address|Invalid-bool-value|Invalid-enum-value|Float-cast-overflow|Implicit-conversion|Non-positive-vla-bound-value|No-return-value|Invalid-null-argument|Invalid-null-return|Incorrect-function-pointer-type|Object-size|Invalid-builtin-use|Bad-cast|Floating-point-exception|Fpe)$/,
    kinds: ['undefined-behavior'],
    example: 'Integer-overflow',
    why: 'UBSan checks, CFI bad casts and SIGFPE: the language gives the operation no meaning',
  },
  {
    id: 'gdb-signal-fault',
    pattern: /^SIG(?:SEGV|BUS)$/,
    kinds: ['bad-access', 'null-deref'],
    example: 'SIGSEGV',
    why: 'gdb `Program received signal SIGSEGV`: a fault; the address decides whether it was NULL',
  },
  {
    id: 'gdb-signal-other',
    pattern: /^SIG(?:ABRT|ILL|TRAP|SYS|FPE)$/,
    kinds: ['bug', 'undefined-behavior'],
    example: 'SIGABRT',
    why: 'gdb stopped on abort, trap or arithmetic signal: the program stopped itself or divided by zero',
  },
  {
    id: 'gpf',
    pattern: /^General-protection-fault$/,
    kinds: ['general-protection-fault'],
    example: 'General-protection-fault',
    why: 'KASAN general protection fault (a non-canonical pointer)',
  },
  {
    id: 'tsan-other',
    pattern: /^(?:Thread leak|Signal-unsafe call inside of a signal|Signal handler spoils errno)$/,
    kinds: ['bug'],
    example: 'Thread leak',
    why: 'TSan findings that are neither a race nor a lock-order cycle',
  },
  {
    id: 'timeout',
    pattern: /^Timeout$/,
    kinds: ['hang'],
    example: 'Timeout',
    why: 'the fuzzing engine stopped an input that ran too long',
  },
  {
    id: 'signal',
    pattern: /^(?:Abrt|Abort|Ill|Trap|Breakpoint|Fatal-signal|Unexpected-exit|Illegal-instruction)$/,
    kinds: ['bug'],
    example: 'Abrt',
    why: 'the program stopped itself (abort, trap, illegal instruction, exit) without saying why',
  },
  {
    id: 'other-bug',
    pattern:
      /^(?:Out-of-memory|Memcpy-param-overlap|[A-Z][a-z]{1,10}-param-overlap|GPU failure|V8 correctness failure|Command injection|Arbitrary file open|Arbitrary DNS resolution|PySecSan|Missing-library|Overwrites-const-input|Allocation-size-too-big|Calloc-overflow|Odr-violation|Initialization-order-fiasco)$/,
    kinds: ['bug'],
    example: 'Memcpy-param-overlap',
    why: 'a failure the sanitizer or harness detects that is none of the memory-safety kinds',
  },
];

/**
 * Kinds for a ClusterFuzz crash type (`Heap-use-after-free\nREAD 8`,
 * `Kernel failure\nSlab-out-of-bounds\nWRITE 4`); empty when the type is empty or unknown to
 * the table. The first kind is the one the parser gives.
 */
/** The table's kinds for a type line, remembered: the same few dozen types recur in every report. */
let typeLineKinds = new Map<string, readonly CrashKind[] | null>();
function kindsOfTypeLine(first: string): readonly CrashKind[] | null {
  const known = typeLineKinds.get(first);
  if (known !== undefined) return known;
  let kinds: readonly CrashKind[] | null = null;
  for (const r of CRASH_TYPE_KINDS)
    if (r.pattern.test(first)) {
      kinds = r.kinds;
      break;
    }
  if (typeLineKinds.size > 5000) typeLineKinds = new Map();
  typeLineKinds.set(first, kinds);
  return kinds;
}

export function kindsOfCrashType(crashType: string | null | undefined): CrashKind[] {
  if (!crashType) return [];
  const lines = crashType.split('\n');
  let first = (lines[0] ?? '').trim();
  if (first === 'Kernel failure' && lines.length > 1) first = (lines[1] ?? '').trim();
  first = first.length > 200 ? first.slice(0, 200) : first;
  const kinds = kindsOfTypeLine(first);
  if (kinds !== null) return [...kinds];
  // `Kernel failure\n<text>` that names no KASAN type is a `Kernel panic - not syncing: <text>`
  // or a `kernel BUG at <file>`: the only two rules that put free text there.
  if (lines[0]?.trim() === 'Kernel failure' && lines.length > 1) return ['panic', 'bug'];
  return [];
}
