// UndefinedBehaviorSanitizer: `<file>:<line>:<col>: runtime error: <message>` (compiler-rt
// ubsan_diag.cpp), optionally followed by `note:` lines, a memory dump, a stack
// (print_stacktrace=1) and `SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior <loc> in <f>`.
// Each runtime error is its own report: one run prints one per distinct source location.
import type { ParsedReport } from '../../types';
import {
  cap,
  computeState,
  emptyReport,
  isSanitizerFrameLine,
  makeTitle,
  markInlined,
  normaliseFunction,
  parseSanitizerFrame,
  type PcFrame,
} from './frames';
import { goRuntimeError } from './crash-state';
import { UBSAN_CHECKS } from './rules';

const MARK = ': runtime error: ';
const LOC_RE = /^(.{1,512}?):(\d{1,7})(?::(\d{1,5}))?$/;

export function isUbsanHeader(line: string): boolean {
  const i = line.indexOf(MARK);
  // Go prints `panic: runtime error: index out of range` (or logs it): a Go panic, not UBSan.
  return i > 0 && i < 1024 && goRuntimeError(line) === null;
}

export function ubsanCheckOf(message: string): string {
  for (const r of UBSAN_CHECKS) if (r.pattern.test(message)) return r.check;
  return 'undefined-behavior';
}

export function parseUbsanReport(
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
): { report: ParsedReport; endLine: number } {
  const first = cap(lines[start]);
  const at = first.indexOf(MARK);
  const locText = first.slice(0, at).trim();
  const message = first.slice(at + MARK.length).trim();
  const report = emptyReport('ubsan');
  const check = ubsanCheckOf(message);
  const loc = LOC_RE.exec(locText.length > 512 ? locText.slice(-512) : locText);
  const file = loc ? loc[1] : null;
  const frames: PcFrame[] = [];
  let summaryFn: string | null = null;
  let i = start + 1;
  for (; i < lines.length; i++) {
    const raw = cap(lines[i]);
    if (isHeader(raw, i)) break;
    if (isSanitizerFrameLine(raw)) {
      const pf = parseSanitizerFrame(raw);
      if (pf) frames.push(pf);
      continue;
    }
    const sum = /^SUMMARY: UndefinedBehaviorSanitizer: (.{1,2048})$/.exec(raw.trim());
    if (sum) {
      const inM = / in (.{1,1024})$/.exec(sum[1]);
      if (inM && inM[1].trim() !== '') summaryFn = normaliseFunction(inM[1]);
      i++;
      break;
    }
    // Notes (`: note: vptr for ...`) and the memory dump under them are indented or carry `note:`.
    const t = raw.trim();
    if (
      raw.includes(': note: ') ||
      (t !== '' && /^[\^~ ]{1,256}$/.test(t)) ||
      t.startsWith('vptr for ') ||
      t === 'invalid vptr' ||
      /^[0-9a-f]{2}(?:\s{1,2}[0-9a-f]{2}){0,40}$/.test(t)
    ) {
      continue;
    }
    break;
  }
  const fs = markInlined(frames);
  const st = computeState(fs);
  report.frames = fs;
  report.kind = 'undefined-behavior';
  report.headline = `UndefinedBehaviorSanitizer: ${check}`;
  report.guiltyFrame = st.guiltyFrame;
  report.notes.push(...st.notes);
  report.notes.push(`runtime error: ${message.slice(0, 300)}`);
  const base = file ? (file.split(/[\\/]/).pop() ?? file) : null;
  if (st.state.length > 0) {
    report.state = st.state;
  } else if (summaryFn && summaryFn !== '??') {
    report.state = [summaryFn];
  } else if (base) {
    // No stack (print_stacktrace=0 is the default): the source file is all that identifies it.
    report.state = [base];
    report.notes.push('no stack trace: state is the source file');
  }
  report.title = makeTitle(
    report.headline,
    fs,
    st.guiltyFrame,
    summaryFn && summaryFn !== '??' ? summaryFn : base,
  );
  if (loc && fs.length === 0) {
    report.frames = [];
    report.notes.push(`location ${loc[1]}:${loc[2]}`);
  }
  return { report, endLine: i };
}
