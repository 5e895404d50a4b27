import type { ParsedReport } from '../types';

/** One report a family scanner found in the input, with its line span (0-based, end exclusive). */
export interface ReportCandidate {
  report: ParsedReport;
  startLine: number;
  endLine: number;
}
