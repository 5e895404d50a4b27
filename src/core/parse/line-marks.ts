// One scan per input line for the literals that several passes test every line for: the
// ClusterFuzz walk's (userspace/crash-state.ts), the kernel oops headers (rules/kernel-titles.ts),
// the poison-value prefilter (rules/poison.ts), the user-space report headers
// (userspace/index.ts), the kernel report rules' headers (rules/kernel-reports.ts), the slab-fact
// literals (rules/slab-facts.ts) and the title engine's gathering literals. Each pass used to run
// its own regex or `includes` over every line; the q-gram scan (literals.ts) probes the same
// positions whatever the number of literals, so one scan for all of them costs about what one
// of them did. Each bit is a prefilter: the pass's own exact test follows.
import { KERNEL_REPORT_RULES } from '../rules/kernel-reports';
import { INFO_WITH_STACK, KERNEL_OOPS_FAMILIES } from '../rules/kernel-titles';
import { BYTE_FILLS, POINTER_POISONS } from '../rules/poison';
import { SLAB_FACT_RULES } from '../rules/slab-facts';
import { literalGroups } from './literals';
import { WALK_LITERAL_GROUPS } from './userspace/crash-state';

/**
 * A line can hold a poison value only if it contains a table value's first four digits, a fill
 * byte twice in a row (`6b6b`, every fill word starts so) or twice as dump bytes (`6b 6b`), in
 * either letter case. This rules out ~85% of log lines before scanPoison's per-character scans;
 * the table stays the only source of the values.
 */
export const POISON_PREFILTER_LITERALS: readonly string[] = [
  ...new Set(POINTER_POISONS.map((p) => p.value.slice(0, 4))),
  ...BYTE_FILLS.flatMap((f) => [f.byte + f.byte, f.byte + ' ' + f.byte]),
];

/** The walk's groups keep bits 0..n-1 (clusterfuzzState reads them as its own scan's). */
const WALK_GROUPS = WALK_LITERAL_GROUPS.length;
/** The line holds a kernel oops family's header (kernel-title.ts familyOf still checks which). */
export const MARK_KERNEL_HEADER = 1 << WALK_GROUPS;
/** The line may hold a poison or fill value (scanPoison reads it). */
export const MARK_POISON = 1 << (WALK_GROUPS + 1);
/** The literal every sanitizer report header holds (`ERROR: AddressSanitizer: ...`). */
export const MARK_SANITIZER_HEADER = 1 << (WALK_GROUPS + 2);
export const SANITIZER_HEADER_LITERAL = 'Sanitizer: ';
/** The literal of a UBSan runtime error line (`file.c:1:2: runtime error: ...`). */
export const MARK_UBSAN_HEADER = 1 << (WALK_GROUPS + 3);
export const UBSAN_HEADER_LITERAL = ': runtime error: ';
/** The line holds a report rule's header literal (rules/kernel-reports.ts, kernel.ts matchHeader). */
export const MARK_KERNEL_REPORT = 1 << (WALK_GROUPS + 4);
/** The line holds a slab-fact row's literal (rules/slab-facts.ts, collectSlabFacts). */
export const MARK_SLAB_FACT = 1 << (WALK_GROUPS + 5);
/** A line that starts a second report with its own stack (rules/kernel-titles.ts INFO_WITH_STACK). */
export const MARK_INFO_WITH_STACK = 1 << (WALK_GROUPS + 6);
/** syzkaller's console lost the VM: the reports before it may be cut (kernel-title.ts). */
export const MARK_VM_DISCONNECTED = 1 << (WALK_GROUPS + 7);
export const VM_DISCONNECTED_LITERAL = 'serialport: VM disconnected.';
/** What gatherReport (kernel-title.ts) looks for in a report's lines, but ` ? ` (too short). */
export const MARK_GATHER = 1 << (WALK_GROUPS + 8);
export const GATHER_LITERALS: readonly string[] = [
  '<EOI>',
  ' (unreliable)',
  'Disabling lock debugging due to kernel taint',
  'Sending NMI from CPU',
  'Kernel panic - not syncing',
  'WARNING: possible circular locking dependency detected',
];

const LINE_MARKS = literalGroups([
  ...WALK_LITERAL_GROUPS,
  { values: KERNEL_OOPS_FAMILIES.map((f) => f.header) },
  { values: POISON_PREFILTER_LITERALS, ignoreCase: true },
  { values: [SANITIZER_HEADER_LITERAL] },
  { values: [UBSAN_HEADER_LITERAL] },
  { values: KERNEL_REPORT_RULES.map((r) => r.header) },
  { values: SLAB_FACT_RULES.map((r) => r.literal) },
  { values: INFO_WITH_STACK },
  { values: [VM_DISCONNECTED_LITERAL] },
  { values: GATHER_LITERALS },
]);

/** Marks of the lines of each prepared input, computed once (the passes ask for them in turn). */
const marksOf = new WeakMap<readonly string[], Uint32Array>();

/**
 * Marks `texts` from where each line lies in the input (`texts[i]` is
 * `input.slice(starts[i], ends[i])`, as prepareLines makes them): read in place, the scan costs a
 * third of what it costs on the lines themselves.
 */
export function markLinesInPlace(
  texts: readonly string[],
  input: string,
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
): void {
  const marks = new Uint32Array(texts.length);
  for (let i = 0; i < texts.length; i++) marks[i] = LINE_MARKS.scanRange(input, starts[i], ends[i]);
  marksOf.set(texts, marks);
}

/** Each line's marks (the bits above); computed on first use for this array, then shared. */
export function lineMarks(texts: readonly string[]): Uint32Array {
  let marks = marksOf.get(texts);
  if (marks === undefined || marks.length !== texts.length) {
    marks = new Uint32Array(texts.length);
    for (let i = 0; i < texts.length; i++) marks[i] = LINE_MARKS.scan(texts[i]);
    marksOf.set(texts, marks);
  }
  return marks;
}
