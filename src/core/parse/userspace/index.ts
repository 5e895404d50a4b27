import type { ReportCandidate } from '../candidate';

/**
 * Finds user-space reports (ASan, HWASan, MSan, TSan, UBSan, LSan, gdb, valgrind) in the
 * input lines (CR removed, kernel line envelope stripped). Placeholder until the
 * user-space parsers land: it finds nothing.
 */
export function scanUserspaceReports(_lines: readonly string[]): ReportCandidate[] {
  return [];
}
