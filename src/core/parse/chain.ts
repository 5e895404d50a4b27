// Secondary reports: a crash that follows an earlier one on the same boot is usually its
// consequence (REFERENCE.md §8.2). Oops counter [#n] > 1, taint letters the earlier report
// set (B after KASAN/SLUB, W after a WARNING, D after an oops, L after a soft lockup),
// or simply an earlier memory-safety/WARNING splat.
import type { ParsedReport } from '../types';
import type { PreparedLines } from './envelope';

export interface ChainInput {
  report: ParsedReport;
  startLine: number;
  oopsNo: number | null;
  setsTaint: string;
  isKernel: boolean;
}

const BOOT_MARKER = /^Linux version \d|^Booting Linux on physical CPU|^Command line: /;
const SPLAT_KINDS = new Set([
  'use-after-free',
  'double-free',
  'invalid-free',
  'out-of-bounds',
  'slab-corruption',
  'list-corruption',
  'warning',
  'bad-access',
  'uninit-value',
]);

/** Boot number of each line: a `Linux version` banner or the printk clock going back starts a new boot. */
export function bootOf(lines: PreparedLines): Int32Array {
  const boots = new Int32Array(lines.texts.length);
  let boot = 0;
  let lastTime = -1;
  for (let i = 0; i < lines.texts.length; i++) {
    const t = lines.times[i];
    if (t !== null) {
      if (t + 1 < lastTime) boot++;
      lastTime = t;
    }
    if (BOOT_MARKER.test(lines.texts[i])) boot++;
    boots[i] = boot;
  }
  return boots;
}

/** Sets `secondaryOf` (and a note saying why) on each report; input ordered by start line. */
export function markSecondaries(items: readonly ChainInput[], boots: Int32Array): void {
  for (let i = 1; i < items.length; i++) {
    const cur = items[i];
    if (!cur.isKernel) continue;
    const boot = boots[cur.startLine] ?? 0;
    let cause: number | null = null;
    let why = '';
    const taint = cur.report.environment.taint ?? '';
    for (let j = i - 1; j >= 0 && cause === null; j--) {
      const prev = items[j];
      if (!prev.isKernel || (boots[prev.startLine] ?? 0) !== boot) continue;
      if (cur.oopsNo !== null && cur.oopsNo > 1 && prev.oopsNo !== null && prev.oopsNo < cur.oopsNo) {
        cause = j;
        why = `oops counter [#${cur.oopsNo}] follows [#${prev.oopsNo}]`;
        break;
      }
      for (const letter of prev.setsTaint) {
        if (taint.includes(letter)) {
          cause = j;
          why = `taint ${letter} set by the earlier report`;
          break;
        }
      }
    }
    if (cause === null) {
      for (let j = i - 1; j >= 0; j--) {
        const prev = items[j];
        if (!prev.isKernel || (boots[prev.startLine] ?? 0) !== boot) continue;
        if (SPLAT_KINDS.has(prev.report.kind) || prev.setsTaint.includes('B')) {
          cause = j;
          why = `follows an earlier ${prev.report.kind} report on the same boot`;
          break;
        }
      }
    }
    if (cause !== null) {
      // Point at the root: if the cause is itself secondary, follow it.
      const root = items[cause].report.secondaryOf ?? cause;
      cur.report.secondaryOf = root;
      cur.report.notes.push(`secondary: ${why}`);
    }
  }
}
