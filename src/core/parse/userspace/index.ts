import type { ParsedReport } from '../../types';
import type { ReportCandidate } from '../candidate';
import { lineMarks, MARK_SANITIZER_HEADER, MARK_UBSAN_HEADER } from '../line-marks';
import { matchSanitizerHeader, parseSanitizerReport } from './asan';
import { cap } from './frames';
import { isGdbFrameStart, isGdbHeader, parseGdbReport } from './gdb';
import { restateReports } from './restate';
import { parseTsanReport, TSAN_HEADER_RE } from './tsan';
import { isUbsanHeader, parseUbsanReport } from './ubsan';
import { isValgrindHeader, parseValgrindReport } from './valgrind';

type Family = 'sanitizer' | 'tsan' | 'ubsan' | 'gdb' | 'valgrind';
type Parser = (
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
) => { report: ParsedReport; endLine: number };

const PARSERS: Readonly<Record<Family, Parser>> = {
  sanitizer: parseSanitizerReport,
  tsan: parseTsanReport,
  ubsan: parseUbsanReport,
  gdb: parseGdbReport,
  valgrind: parseValgrindReport,
};

/**
 * Which family's report starts on this line (cheap tests before any regex). `mark` is the
 * line's lineMarks entry: the sanitizer and UBSan headers need its literals.
 */
function headerFamily(line: string, mark: number): Family | null {
  if ((mark & MARK_SANITIZER_HEADER) !== 0) {
    if (line.includes('WARNING: ThreadSanitizer: ') && TSAN_HEADER_RE.test(line)) return 'tsan';
    if (matchSanitizerHeader(line)) return 'sanitizer';
  }
  if ((mark & MARK_UBSAN_HEADER) !== 0 && isUbsanHeader(line)) return 'ubsan';
  if (line.startsWith('==') && isValgrindHeader(line)) return 'valgrind';
  if (isGdbHeader(line)) return 'gdb';
  return null;
}

// Lines printed just before a header that belong to the report: ASan's `====` banner and
// `AddressSanitizer:DEADLYSIGNAL`, TSan's opening bar, valgrind's `Thread 3:` line.
const LEAD_IN_RE =
  /^(?:={20,80}|\w{0,10}Sanitizer:DEADLYSIGNAL|==\d{1,10}== Thread \d{1,7}(?: [^:]{0,64})?:)\s{0,4}$/;

/**
 * Finds user-space reports (ASan, HWASan, MSan, TSan, UBSan, LSan, gdb, valgrind) in the input
 * lines (CR removed, kernel line envelope stripped), in order, each with its line span.
 * Never throws: a parser failure on odd input loses that report, not the scan.
 */
export function scanUserspaceReports(lines: readonly string[]): ReportCandidate[] {
  const out: ReportCandidate[] = [];
  // Marks are computed on the whole line: a literal past the cap only costs the exact test.
  const marks = lineMarks(lines);
  const isHeader = (line: string, at: number) => headerFamily(line, marks[at]) !== null;
  let claimed = 0;
  let i = 0;
  while (i < lines.length) {
    const line = cap(lines[i] ?? '');
    let family = headerFamily(line, marks[i]);
    // A gdb backtrace pasted without the stop line starts at its `#0` frame.
    if (family === null && isGdbFrameStart(line)) family = 'gdb';
    if (family === null) {
      i++;
      continue;
    }
    try {
      const { report, endLine } = PARSERS[family](lines, i, isHeader);
      let startLine = i;
      while (
        startLine - 1 >= claimed &&
        startLine > i - 4 &&
        LEAD_IN_RE.test(cap(lines[startLine - 1] ?? ''))
      )
        startLine--;
      const end = Math.max(endLine, i + 1);
      report.span = { startLine, endLine: end };
      report.fingerprint = null;
      report.secondaryOf = null;
      out.push({ report, startLine, endLine: end });
      i = end;
      claimed = end;
    } catch {
      i++;
    }
  }
  try {
    restateReports(lines, out);
  } catch {
    // The family parsers' own state stays.
  }
  return out;
}

export { runtimeReport } from './restate';
