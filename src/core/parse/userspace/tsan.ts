// ThreadSanitizer: `WARNING: ThreadSanitizer: <type> (pid=N)` between `==================` bars
// (compiler-rt tsan_report.cpp). The first access/mutex stack is the crash stack; the previous
// access, the location's allocation and thread creations are kept as other stacks.
import type { ParsedReport } from '../../types';
import { kindOfBugType } from './asan';
import {
  archFromLine,
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

export const TSAN_HEADER_RE = /^\s{0,8}WARNING: ThreadSanitizer: (.{1,512}?)(?: \(pid=(\d{1,10})\))?\s{0,4}$/;

type Section = { kind: 'crash' | 'previous' | 'alloc' | 'other'; label: string; frames: PcFrame[] };

const ACCESS_RE =
  /^(Atomic )?(Read|Write|read|write) of size (\d{1,12}) at 0x[0-9a-fA-F]{1,16} by (main thread|thread T\d{1,7})(.{0,256}):$/;
const PREVIOUS_RE =
  /^Previous (?:atomic )?(read|write) of size (\d{1,12}) at 0x[0-9a-fA-F]{1,16} by (main thread|thread T\d{1,7})/;

export function parseTsanReport(
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
): { report: ParsedReport; endLine: number } {
  const header = TSAN_HEADER_RE.exec(cap(lines[start])) as RegExpExecArray;
  const report = emptyReport('tsan');
  const env = report.environment;
  const bugType = header[1].trim();
  if (header[2]) env.pid = Number(header[2]);
  const sections: Section[] = [];
  let current: Section | null = null;
  let crash: Section | null = null;
  let summaryFn: string | null = null;
  let i = start + 1;
  for (; i < lines.length; i++) {
    const raw = cap(lines[i]);
    if (isHeader(raw, i)) break;
    const trimmed = raw.trim();
    const arch = env.arch ? null : archFromLine(raw);
    if (arch) env.arch = arch;
    if (/^={10,80}$/.test(trimmed)) {
      i++; // closing bar belongs to the report
      break;
    }
    if (trimmed === '') {
      current = null;
      continue;
    }
    if (isSanitizerFrameLine(raw)) {
      const pf = parseSanitizerFrame(raw);
      if (!pf) continue;
      if (current === null) {
        current = { kind: crash ? 'other' : 'crash', label: crash ? 'stack' : 'crash', frames: [] };
        if (!crash) crash = current;
        sections.push(current);
      }
      current.frames.push(pf);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = ACCESS_RE.exec(trimmed))) {
      const sec: Section = { kind: crash ? 'other' : 'crash', label: trimmed.replace(/:$/, ''), frames: [] };
      if (!crash) {
        crash = sec;
        report.access = { op: m[2].toLowerCase() === 'read' ? 'read' : 'write', size: Number(m[3]) };
        env.thread = m[4] === 'main thread' ? 'T0' : m[4].slice(7);
      }
      sections.push(sec);
      current = sec;
      continue;
    }
    if ((m = PREVIOUS_RE.exec(trimmed))) {
      current = { kind: 'previous', label: trimmed.replace(/:$/, ''), frames: [] };
      sections.push(current);
      continue;
    }
    if (/^Location is heap block/.test(trimmed)) {
      const size = /of size (\d{1,12})/.exec(trimmed);
      if (size && !report.indicators.objectSizes.includes(Number(size[1])))
        report.indicators.objectSizes.push(Number(size[1]));
      current = { kind: 'alloc', label: trimmed.replace(/:$/, ''), frames: [] };
      sections.push(current);
      continue;
    }
    if (/^Location is global/.test(trimmed)) {
      const g = /^Location is global '([^']{1,256})' of size (\d{1,12})/.exec(trimmed);
      if (g) {
        report.notes.push(`global variable '${g[1]}'`);
        if (!report.indicators.objectSizes.includes(Number(g[2])))
          report.indicators.objectSizes.push(Number(g[2]));
      }
      current = null;
      continue;
    }
    if (/^(?:Mutex M\d{1,7}|Thread T\d{1,7}|Location is|Cycle in lock order graph)/.test(trimmed)) {
      // `Mutex M2 acquired here while holding mutex M1 in main thread:` is the deadlock's main stack.
      const isLockStack = /^Mutex M\d{1,7} acquired here while holding mutex/.test(trimmed);
      current = {
        kind: isLockStack && !crash ? 'crash' : 'other',
        label: trimmed.replace(/:$/, '').slice(0, 200),
        frames: [],
      };
      if (isLockStack && !crash) crash = current;
      sections.push(current);
      if (/^Cycle in lock order graph/.test(trimmed)) report.notes.push(trimmed.slice(0, 200));
      continue;
    }
    if ((m = /^SUMMARY: ThreadSanitizer: (.{1,2048})$/.exec(trimmed))) {
      const inM = / in (.{1,1024})$/.exec(m[1]);
      if (inM) summaryFn = normaliseFunction(inM[1]);
      continue;
    }
    // Program output interleaved: ends a stack that already has frames.
    if (current && current.frames.length > 0) current = null;
  }

  const frames = crash ? markInlined(crash.frames) : [];
  report.frames = frames;
  const previous = sections.find((s) => s.kind === 'previous');
  const alloc = sections.find((s) => s.kind === 'alloc');
  if (alloc) report.allocStack = markInlined(alloc.frames);
  const others = sections.filter((s) => (s.kind === 'previous' || s.kind === 'other') && s.frames.length > 0);
  if (others.length > 0)
    report.otherStacks = others.map((s) => ({ label: s.label, frames: markInlined(s.frames) }));
  const { kind } = kindOfBugType(bugType);
  const st = computeState(frames, previous ? [markInlined(previous.frames)] : []);
  report.kind = kind;
  report.state = st.state;
  report.guiltyFrame = st.guiltyFrame;
  report.notes.push(...st.notes);
  report.headline = `ThreadSanitizer: ${bugType}`;
  report.title = makeTitle(
    report.headline,
    frames,
    st.guiltyFrame,
    summaryFn && summaryFn !== '??' ? summaryFn : null,
  );
  if (frames.length === 0) report.notes.push('no stack frames in the report');
  return { report, endLine: i };
}
