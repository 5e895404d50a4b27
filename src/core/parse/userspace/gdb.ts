// gdb: the stop line (`Program received signal SIGSEGV, Segmentation fault.`, `Program terminated
// with signal ...` for cores, `Thread 2 "worker" received signal ...`) and a `bt` / `thread apply
// all bt` listing (gdb stack.c print_frame: `#N  0xPC in func (args) at file:line` / `from lib`).
import type { CrashKind, Frame, ParsedReport } from '../../types';
import {
  cap,
  classifyAddress,
  computeState,
  emptyReport,
  makeTitle,
  normaliseFunction,
  skipReason,
} from './frames';
import { SIGNAL_KINDS } from './rules';

const STOP_RE =
  /^(?:Program|Thread \d{1,7}(?: "[^"]{0,64}")?) (?:received|terminated with) signal (SIG[A-Z0-9]{2,10}), ([^.]{1,80})\.?\s{0,4}$/;
const FRAME_RE = /^#(\d{1,5})\s{1,4}(?:(0x[0-9a-fA-F]{1,16}) in )?(\S.{0,4000})$/;
// Thread headers and assertion messages are matched with string tests plus small anchored regexes:
// nested optional wildcards would cost quadratic time on hostile lines.
function threadHeader(line: string): { num: string; lwp: string | null; name: string | null } | null {
  const t = line.trimEnd();
  if (!t.startsWith('Thread ') || !t.endsWith('):')) return null;
  const num = /^Thread (\d{1,7}) \(/.exec(t);
  if (!num) return null;
  const lwp = /\(LWP (\d{1,10})\)/.exec(t);
  const name = /"([^"]{0,64})"\):$/.exec(t);
  return { num: num[1], lwp: lwp ? lwp[1] : null, name: name ? name[1] : null };
}

/** `prog: file.c:88: func: Assertion `cond' failed.` → `cond`. */
function assertionMessage(line: string): string | null {
  const at = line.indexOf('Assertion `');
  const at2 = at >= 0 ? at : line.indexOf("Assertion '");
  if (at2 < 0) return null;
  const t = line.trimEnd();
  if (!t.endsWith("' failed.")) return null;
  const msg = t.slice(at2 + 11, t.length - 9);
  return msg.length > 0 && msg.length <= 512 ? msg : null;
}

export function isGdbHeader(line: string): boolean {
  return (
    (line.startsWith('Program ') || line.startsWith('Thread ')) &&
    line.includes(' signal SIG') &&
    STOP_RE.test(cap(line))
  );
}

/** `#0  0x... in foo (...)` or `#0  foo (...) at f.c:1` at column 0 (sanitizer frames are indented; `crash` has `[addr]`). */
export function isGdbFrameStart(line: string): boolean {
  if (!line.startsWith('#0 ')) return false;
  const m = FRAME_RE.exec(cap(line));
  if (!m) return false;
  return m[2] !== undefined || /^[\w:~<>?$.]{1,512} \(/.test(m[3]);
}

/** One frame's text (continuation lines joined) → Frame. */
export function parseGdbFrame(text: string): Frame | null {
  const m = FRAME_RE.exec(cap(text));
  if (!m) return null;
  let rest = m[3].trim();
  if (rest.startsWith('<signal handler called>')) {
    return {
      function: '<signal handler called>',
      raw: '<signal handler called>',
      module: null,
      file: null,
      line: null,
      reliable: true,
    };
  }
  let file: string | null = null;
  let lineNo: number | null = null;
  let module: string | null = null;
  const at = rest.lastIndexOf(' at ');
  const from = rest.lastIndexOf(' from ');
  if (at > 0 && at > from) {
    const loc = /^(\S{1,1024}):(\d{1,7})$/.exec(rest.slice(at + 4).trim());
    if (loc) {
      file = loc[1];
      lineNo = Number(loc[2]);
      rest = rest.slice(0, at);
    }
  } else if (from > 0) {
    module = rest.slice(from + 6).trim();
    rest = rest.slice(0, from);
  }
  // The argument list starts at the first ` (` outside template brackets.
  let depth = 0;
  let cut = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '<') depth++;
    else if (c === '>' && depth > 0) depth--;
    else if (c === '(' && depth === 0 && i > 0 && rest[i - 1] === ' ') {
      cut = i - 1;
      break;
    }
  }
  const raw = rest.slice(0, cut).trim();
  const inlined = m[2] === undefined && m[1] !== '0';
  return {
    function: normaliseFunction(raw),
    raw,
    module,
    file,
    line: lineNo,
    reliable: true,
    ...(inlined ? { inlined: true } : {}),
  };
}

type Stack = { label: string; lwp: string | null; name: string | null; texts: string[] };

export function parseGdbReport(
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
): { report: ParsedReport; endLine: number } {
  const report = emptyReport('gdb');
  const env = report.environment;
  const first = cap(lines[start]);
  const stop = STOP_RE.exec(first);
  const signal = stop ? stop[1] : null;
  const stopThread = /^Thread (\d{1,7})(?: "([^"]{0,64})")?/.exec(first);
  let currentLwp: string | null = null;
  let assertMsg: string | null = null;
  let siAddr: string | null = null;
  const stacks: Stack[] = [];
  let cur: Stack | null = null;
  let sawFrames = false;
  let i = stop ? start + 1 : start;
  // Looking back a few lines for the program's own assertion message and the core's command line.
  for (let b = Math.max(0, start - 5); b < start; b++) {
    const l = cap(lines[b]);
    const a = assertionMessage(l);
    if (a) assertMsg = a;
    const core = /^Core was generated by `([^`' ]{1,256})/.exec(l);
    if (core) env.comm = core[1].split('/').pop() ?? core[1];
  }
  for (; i < lines.length; i++) {
    const raw = cap(lines[i]);
    if (i > start && isHeader(raw, i)) break;
    if (raw.startsWith('#')) {
      const m = /^#(\d{1,5})\s/.exec(raw);
      if (m) {
        if (!cur || (m[1] === '0' && cur.texts.length > 0)) {
          // The lone `#0` gdb prints when it stops or opens a core is superseded by the `bt` listing.
          if (cur && cur.label === 'backtrace' && cur.texts.length === 1) stacks.pop();
          cur = { label: 'backtrace', lwp: null, name: null, texts: [] };
          stacks.push(cur);
        }
        cur.texts.push(raw);
        sawFrames = true;
        continue;
      }
    }
    if (cur && cur.texts.length > 0 && /^\s{2,}\S/.test(raw) && !/^\s{0,8}\d{1,7}\s/.test(raw)) {
      cur.texts[cur.texts.length - 1] += ` ${raw.trim()}`; // gdb wraps long argument lists
      continue;
    }
    let m: RegExpExecArray | null;
    const th = threadHeader(raw);
    if (th) {
      cur = { label: `thread ${th.num}`, lwp: th.lwp, name: th.name, texts: [] };
      stacks.push(cur);
      continue;
    }
    if ((m = /^\[Switching to (?:Thread 0x[0-9a-f]{1,16} \(LWP (\d{1,10})\)|thread (\d{1,7}))/.exec(raw))) {
      currentLwp = m[1] ?? null;
      continue;
    }
    if ((m = /^Core was generated by `([^`' ]{1,256})/.exec(raw))) {
      env.comm = m[1].split('/').pop() ?? m[1];
      continue;
    }
    if ((m = /si_addr = (0x[0-9a-fA-F]{1,16})/.exec(raw))) {
      siAddr = m[1];
      continue;
    }
    const am = assertionMessage(raw);
    if (am) {
      assertMsg = am;
      continue;
    }
    if (/^Backtrace stopped:/.test(raw)) {
      report.notes.push(raw.trim().slice(0, 200));
      continue;
    }
    if (
      /^\[(?:Current thread is|New |Inferior |Thread debugging)/.test(raw) ||
      /^\(gdb\)\s{0,4}(?:bt|backtrace|where|thread apply|info threads)/.test(raw)
    ) {
      const cm = /^\[Current thread is \d{1,7} \(.{0,80}?LWP (\d{1,10})\)/.exec(raw);
      if (cm) currentLwp = cm[1];
      continue;
    }
    if (sawFrames) {
      // After the listing: prompts and blank lines between `thread apply all bt` threads are fine.
      if (raw.trim() === '' || /^\(gdb\)/.test(raw)) {
        if (
          /^\(gdb\)\s{0,4}(?:$|q|quit|info|p |print|x\/)/.test(raw) &&
          !(lines[i + 1] ?? '').startsWith('Thread ')
        ) {
          i++;
          break;
        }
        continue;
      }
      break;
    }
    // Before the listing: gdb's own chatter (current line, source line, `(gdb) bt`), bounded.
    if (i - start > 60) break;
  }

  // Crashing thread: the one gdb switched to / names in the stop line, else the first listed.
  let main = stacks.find((s) => s.texts.length > 0) ?? null;
  if (stacks.length > 1) {
    const byLwp = currentLwp ? stacks.find((s) => s.lwp === currentLwp && s.texts.length > 0) : undefined;
    const byNum = stopThread
      ? stacks.find((s) => s.label === `thread ${stopThread[1]}` && s.texts.length > 0)
      : undefined;
    main = byLwp ?? byNum ?? main;
  }
  const toFrames = (s: Stack): Frame[] =>
    s.texts.map((t) => parseGdbFrame(t)).filter((f): f is Frame => f !== null);
  const frames = main ? toFrames(main) : [];
  report.frames = frames;
  const others = stacks.filter((s) => s !== main && s.texts.length > 0);
  if (others.length > 0) report.otherStacks = others.map((s) => ({ label: s.label, frames: toFrames(s) }));
  if (main?.name) env.comm = env.comm ?? main.name;
  if (main && main.label.startsWith('thread ')) env.thread = main.label.slice(7);
  else if (stopThread) env.thread = stopThread[1];
  if (stopThread?.[2] && !env.comm) env.comm = stopThread[2];

  // Frames above `<signal handler called>` are the program's own signal handler, not the bug.
  const sigIdx = frames.findIndex((f) => f.function === '<signal handler called>');
  const from = sigIdx >= 0 && frames.slice(0, sigIdx).some((f) => skipReason(f) === null) ? sigIdx + 1 : 0;
  const st = computeState(frames.slice(from));
  const guilty = st.guiltyFrame === null ? null : st.guiltyFrame + from;
  if (from > 0) report.notes.push('skipped the signal handler frames above <signal handler called>');

  const names = frames.map((f) => f.raw ?? f.function);
  const asserted =
    assertMsg !== null ||
    names.some((n) => /^(?:__GI___assert_fail|__assert_fail|__assert_rtn|_assert|__assert2)$/.test(n));
  let kind: CrashKind = signal ? (SIGNAL_KINDS[signal] ?? 'bug') : 'unknown';
  let headline = signal ?? 'gdb backtrace';
  if (signal === null) {
    if (names.some((n) => /^(?:__GI_)?(?:abort|raise)$/.test(n))) {
      kind = 'bug';
      headline = 'SIGABRT';
    } else if (sigIdx >= 0) {
      kind = 'bad-access';
      headline = 'signal';
    } else {
      report.notes.push('backtrace without a stop line: the signal is not known');
    }
  }
  if (asserted && (signal === null || signal === 'SIGABRT')) {
    kind = 'assertion';
    headline = 'SIGABRT';
    if (assertMsg) report.notes.push(`assertion: ${assertMsg}`);
  }
  if (signal === 'SIGSEGV' || signal === 'SIGBUS') {
    if (siAddr) {
      report.indicators.faultAddress = classifyAddress(siAddr);
      const c = report.indicators.faultAddress?.class;
      if (c === 'null' || c === 'null-offset') kind = 'null-deref';
    } else {
      const f0 = frames[from] ? (main?.texts[from] ?? '') : '';
      if (/=0x0[,)]/.test(f0)) {
        kind = 'null-deref';
        report.notes.push('null-deref guessed from a NULL argument of the faulting frame');
      }
    }
  }
  report.kind = kind;
  report.headline = headline;
  report.state = st.state;
  report.guiltyFrame = guilty;
  report.notes.push(...st.notes);
  report.title = makeTitle(headline, frames, guilty);
  if (frames.length === 0) report.notes.push('no backtrace after the stop line');
  return { report, endLine: Math.max(i, start + 1) };
}
