// Applies the ClusterFuzz-style crash state (crash-state.ts) to the user-space reports the
// family parsers found, and makes a report of its own from inputs no parser claims (Go and
// Rust panics, V8 fatal errors, Chromium CHECK failures, Android aborts, Java and Python
// exceptions). The family parsers keep their frames, stacks, access and indicators; the state
// and the kind come from the crash type, as ClusterFuzz names it.
import type { Frame, ParsedReport } from '../../types';
import type { ReportCandidate } from '../candidate';
import { lineMarks } from '../line-marks';
import { clusterfuzzState, type CrashStateResult } from './crash-state';
import { kindsOfCrashType } from './crash-type-kinds';
import { emptyReport, makeTitle, normaliseFunction } from './frames';

/** Formats whose state ClusterFuzz's rules give (gdb and valgrind keep their own). */
const RESTATED = new Set(['asan', 'hwasan', 'msan', 'tsan', 'ubsan', 'lsan']);

/** Index of the first frame a state line names (by its normalised name), or null. */
function frameOfState(state: readonly string[], frames: readonly Frame[]): number | null {
  for (const line of state) {
    if (line.includes(' ') && !line.startsWith('operator')) continue; // a message, not a frame
    const n = normaliseFunction(line);
    const i = frames.findIndex((f) => f.function === n || f.function === line);
    if (i >= 0) return i;
  }
  return null;
}

function applyCrashType(report: ParsedReport, cf: CrashStateResult): void {
  // No line to state (UBSan without a stack, an unsymbolised report): the family parser's state
  // (the source file, the summary's function) is better than none.
  if (cf.state.length > 0 || report.state.length === 0) report.state = cf.state;
  const kinds = kindsOfCrashType(cf.crashType);
  if (kinds.length > 0 && !kinds.includes(report.kind)) report.kind = kinds[0];
  report.notes.push(`crash type (ClusterFuzz): ${cf.crashType.split('\n').join(' ')}`);
  if (cf.message) report.notes.push(`failure message: ${cf.message.slice(0, 300)}`);
}

/** Restates each sanitizer report over its own lines plus the lines printed before it. */
export function restateReports(lines: readonly string[], found: ReportCandidate[]): void {
  let regionStart = 0;
  for (let k = 0; k < found.length; k++) {
    const c = found[k];
    const from = regionStart;
    regionStart = c.endLine;
    if (!RESTATED.has(c.report.format)) continue;
    // What follows a report up to the next one still belongs to it for ClusterFuzz (the stack a
    // UBSan error prints after its notes, a V8 sandbox verdict after the ASan report).
    const to = k + 1 < found.length ? found[k + 1].startLine : lines.length;
    const cf = clusterfuzzState(lines, from, Math.max(to, c.endLine), {
      collectFrames: false,
      lineMarks: lineMarks(lines),
    });
    if (!cf.crashType) continue;
    const r = c.report;
    applyCrashType(r, cf);
    const g = frameOfState(r.state, r.frames);
    if (g !== null && g !== r.guiltyFrame) {
      r.guiltyFrame = g;
      if (r.headline) r.title = makeTitle(r.headline, r.frames, g);
    }
  }
}

const FAMILY_LABEL: Readonly<Record<string, string>> = {
  go: 'Go',
  rust: 'Rust',
  python: 'Python',
  java: 'Java',
  js: 'JavaScript',
  v8: 'V8',
  check: 'Check',
  android: 'Android',
  windows: 'Windows',
  sanitizer: 'Sanitizer',
  other: 'Crash',
};

/**
 * A report for input that no family parser claimed but that ClusterFuzz's rules state: the span
 * starts at the line that named the crash type and runs to the end of the input.
 */
export function runtimeReport(lines: readonly string[]): ReportCandidate | null {
  const cf = clusterfuzzState(lines, 0, lines.length, { lineMarks: lineMarks(lines) });
  if (!cf.crashType || cf.typeLine === null) return null;
  const report = emptyReport('runtime');
  const type = cf.crashType.split('\n')[0];
  report.frames = cf.frames;
  report.headline = `${FAMILY_LABEL[cf.family ?? 'other'] ?? 'Crash'}: ${type}`;
  applyCrashType(report, cf);
  if (kindsOfCrashType(cf.crashType).length === 0) report.kind = 'bug';
  const g = frameOfState(report.state, report.frames);
  report.guiltyFrame = g;
  const named = g !== null ? null : (report.state[0] ?? null);
  report.title = makeTitle(report.headline, report.frames, g, named);
  const access = /\n(READ|WRITE) (\d{1,12}|\{\*\})/.exec(cf.crashType);
  if (access)
    report.access = {
      op: access[1] === 'READ' ? 'read' : 'write',
      size: /^\d/.test(access[2]) ? Number(access[2]) : null,
    };
  if (report.frames.length === 0) report.notes.push('no stack frames in the report');
  return { report, startLine: cf.typeLine, endLine: lines.length };
}
