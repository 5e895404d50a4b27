// valgrind memcheck (and helgrind's data races): every line `==<pid>== `; an error is a headline,
// `   at 0x..: func (file:line)` / `   by 0x..: func (in /lib.so)` frames, then address
// descriptions with the free and allocation stacks (memcheck mc_errors.c wording). A line with
// only `==<pid>== ` ends the error.
import type { CrashKind, Frame, ParsedReport } from '../../types';
import {
  archFromLine,
  cap,
  classifyAddress,
  computeState,
  emptyReport,
  makeTitle,
  normaliseFunction,
} from './frames';

const PREFIX_RE = /^==(\d{1,10})== ?/;
const HEADLINES: readonly { pattern: RegExp; kind: CrashKind; why: string }[] = [
  {
    pattern: /^Invalid (?:read|write) of size \d{1,12}$/,
    kind: 'out-of-bounds',
    why: "refined to use-after-free below when the block was free'd",
  },
  {
    pattern: /^Invalid free\(\) \/ delete \/ delete\[\] \/ realloc\(\)$/,
    kind: 'invalid-free',
    why: "double-free when the address is inside a free'd block",
  },
  {
    pattern: /^Mismatched free\(\) \/ delete \/ delete ?\[\]$|^Mismatched new\/delete size value/,
    kind: 'invalid-free',
    why: 'deallocator does not match the allocator',
  },
  {
    pattern: /^Conditional jump or move depends on uninitialised value\(s\)$/,
    kind: 'uninit-value',
    why: 'branch on undefined bits',
  },
  {
    pattern: /^Use of uninitialised value of size \d{1,12}$/,
    kind: 'uninit-value',
    why: 'undefined bits used as a pointer/index',
  },
  {
    pattern:
      /^Syscall param \S{1,128} points to (?:uninitialised|unaddressable) byte\(s\)$|^Syscall param \S{1,128} contains uninitialised byte\(s\)$/,
    kind: 'uninit-value',
    why: 'undefined bytes passed to the kernel',
  },
  {
    pattern: /^Process terminating with default action of signal \d{1,3} \(SIG[A-Z]{2,8}\)/,
    kind: 'bad-access',
    why: 'the program died on a signal under valgrind',
  },
  {
    pattern:
      /^[\d,]{1,20} (?:\([\d,]{1,20} direct, [\d,]{1,20} indirect\) )?bytes in [\d,]{1,20} blocks are (?:definitely|possibly) lost in loss record/,
    kind: 'memory-leak',
    why: 'leak check record',
  },
  {
    pattern: /^Source and destination overlap in \w{1,32}/,
    kind: 'bug',
    why: 'overlapping memcpy/strcpy arguments',
  },
  {
    pattern: /^Argument '\w{1,32}' of function \w{1,32} has a fishy \(possibly negative\) value/,
    kind: 'bug',
    why: 'absurd allocation size',
  },
  { pattern: /^Invalid alignment value/, kind: 'bug', why: 'bad aligned-allocation argument' },
  {
    pattern: /^Possible data race during (?:read|write) of size \d{1,12}/,
    kind: 'data-race',
    why: 'helgrind race report',
  },
];

export function isValgrindHeader(line: string): boolean {
  const m = PREFIX_RE.exec(line);
  if (!m) return false;
  const text = cap(line).slice(m[0].length);
  if (text.startsWith(' ')) return false;
  return HEADLINES.some((h) => h.pattern.test(text));
}

// `at 0x4C30D3B: free (in /usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so)` / `by 0x10865B: main (test.c:4)`
const FRAME_RE = /^\s{1,12}(?:at|by) (0x[0-9A-Fa-f]{1,16}): (.{1,4000})$/;

export function parseValgrindFrame(text: string): Frame | null {
  const m = FRAME_RE.exec(text);
  if (!m) return null;
  let rest = m[2].trim();
  let file: string | null = null;
  let lineNo: number | null = null;
  let module: string | null = null;
  if (rest.endsWith(')')) {
    const open = rest.lastIndexOf(' (');
    if (open > 0) {
      const inner = rest.slice(open + 2, -1);
      const loc = /^(\S{1,1024}):(\d{1,7})$/.exec(inner);
      if (inner.startsWith('in ')) {
        module = inner.slice(3);
        rest = rest.slice(0, open);
      } else if (loc) {
        file = loc[1];
        lineNo = Number(loc[2]);
        rest = rest.slice(0, open);
      }
    }
  }
  const raw = rest === '???' ? '??' : rest;
  return { function: normaliseFunction(raw), raw, module, file, line: lineNo, reliable: true };
}

export function parseValgrindReport(
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
): { report: ParsedReport; endLine: number } {
  const first = cap(lines[start]);
  const pm = PREFIX_RE.exec(first) as RegExpExecArray;
  const pid = pm[1];
  const headlineText = first.slice(pm[0].length).trim();
  const report = emptyReport('valgrind');
  const env = report.environment;
  env.pid = Number(pid);
  const prev =
    start > 0
      ? /^==\d{1,10}== Thread (\d{1,7})(?: ([^:]{1,64}))?:\s{0,4}$/.exec(cap(lines[start - 1]))
      : null;
  if (prev) {
    env.thread = prev[1];
    if (prev[2]) env.comm = prev[2];
  }
  const rule = HEADLINES.find((h) => h.pattern.test(headlineText));
  let kind: CrashKind = rule?.kind ?? 'bug';
  const stacks: { label: string; frames: Frame[] }[] = [{ label: 'crash', frames: [] }];
  let cur = stacks[0];
  let freedBlock = false;
  let i = start + 1;
  for (; i < lines.length; i++) {
    const raw = cap(lines[i]);
    if (isHeader(raw, i)) break;
    const p = PREFIX_RE.exec(raw);
    if (!p || p[1] !== pid) break; // other process or program output: the error is over
    const text = raw.slice(p[0].length);
    if (text.trim() === '') {
      i++;
      break;
    }
    const arch = env.arch ? null : archFromLine(raw);
    if (arch) env.arch = arch;
    const f = parseValgrindFrame(text);
    if (f) {
      // Signal reports put the description first, then the crashing stack.
      if (stacks[0].frames.length === 0) cur = stacks[0];
      cur.frames.push(f);
      continue;
    }
    const t = text.trim();
    let m: RegExpExecArray | null;
    if (
      (m =
        /^Address (0x[0-9A-Fa-f]{1,16}) is (\d{1,12}) bytes (inside|after|before) a block of size (\d{1,12}) (free'd|alloc'd|client-defined|in arena)/.exec(
          t,
        ))
    ) {
      const size = Number(m[4]);
      if (!report.indicators.objectSizes.includes(size)) report.indicators.objectSizes.push(size);
      report.indicators.faultAddress = classifyAddress(m[1]);
      if (m[5] === "free'd") {
        freedBlock = true;
        cur = { label: 'free', frames: [] };
      } else {
        cur = { label: 'alloc', frames: [] };
      }
      stacks.push(cur);
      continue;
    }
    if (/^Block was alloc'd at/.test(t)) {
      cur = { label: 'alloc', frames: [] };
      stacks.push(cur);
      continue;
    }
    if (
      (m =
        /^(?:Address|Access not within mapped region at address|Bad permissions for mapped region at address|General Protection Fault) ?(0x[0-9A-Fa-f]{1,16})?/.exec(
          t,
        ))
    ) {
      if (m[1] && !report.indicators.faultAddress) report.indicators.faultAddress = classifyAddress(m[1]);
      if (/is on thread \d{1,7}'s stack/.test(t)) report.notes.push(t.slice(0, 200));
      cur = { label: 'other', frames: [] };
      stacks.push(cur);
      continue;
    }
    if (/^Uninitialised value was created by/.test(t)) {
      cur = { label: 'alloc', frames: [] };
      stacks.push(cur);
      continue;
    }
    if (/^This conflicts with a previous (?:read|write)/.test(t)) {
      cur = { label: 'previous access', frames: [] };
      stacks.push(cur);
      continue;
    }
    cur = { label: t.slice(0, 120), frames: [] };
    stacks.push(cur);
  }
  const frames = stacks[0].frames;
  report.frames = frames;
  const free = stacks.find((s) => s.label === 'free' && s.frames.length > 0);
  const alloc = stacks.find((s) => s.label === 'alloc' && s.frames.length > 0);
  if (free) report.freeStack = free.frames;
  if (alloc) report.allocStack = alloc.frames;
  const others = stacks.slice(1).filter((s) => s !== free && s !== alloc && s.frames.length > 0);
  if (others.length > 0) report.otherStacks = others;

  let headline = headlineText.replace(/\s{2,}/g, ' ');
  let m: RegExpExecArray | null;
  if (/^Invalid (?:read|write)/.test(headline) && freedBlock) kind = 'use-after-free';
  if (/^Invalid free/.test(headline) && freedBlock) kind = 'double-free';
  if ((m = /^Process terminating with default action of signal \d{1,3} \((SIG[A-Z]{2,8})\)/.exec(headline))) {
    headline = m[1];
    const c = report.indicators.faultAddress?.class;
    kind =
      m[1] === 'SIGSEGV' || m[1] === 'SIGBUS'
        ? c === 'null' || c === 'null-offset'
          ? 'null-deref'
          : 'bad-access'
        : m[1] === 'SIGFPE'
          ? 'undefined-behavior'
          : 'bug';
  }
  if ((m = /bytes in [\d,]{1,20} blocks are (definitely|possibly) lost/.exec(headline))) {
    headline = `${m[1]} lost`;
    const sz = /^([\d,]{1,20}) (?:\(.{0,80}\) )?bytes in ([\d,]{1,20}) blocks/.exec(headlineText);
    if (sz) {
      const total = Number(sz[1].replace(/,/g, ''));
      const n = Number(sz[2].replace(/,/g, ''));
      const size = n > 0 ? Math.floor(total / n) : total;
      if (!report.indicators.objectSizes.includes(size)) report.indicators.objectSizes.push(size);
    }
  }
  const access = /^(?:Invalid|Possible data race during) (read|write) of size (\d{1,12})/.exec(headlineText);
  if (access) report.access = { op: access[1] === 'read' ? 'read' : 'write', size: Number(access[2]) };
  const st = computeState(frames, free ? [free.frames] : []);
  report.kind = kind;
  report.headline = `valgrind: ${headline}`;
  report.state = st.state;
  report.guiltyFrame = st.guiltyFrame;
  report.notes.push(...st.notes);
  report.title = makeTitle(report.headline, frames, st.guiltyFrame);
  if (frames.length === 0) report.notes.push('no stack frames in the error');
  return { report, endLine: i };
}
