// AddressSanitizer and its siblings that share the `==<pid>==ERROR: <Tool>: <bug-type> ...`
// layout (HWASan, MSan, LSan, UBSan's own signal reports): one parser, sections told apart by
// their header sentences (compiler-rt asan_errors.cpp / asan_descriptions.cpp wording).
import type { CrashKind, ParsedReport, ReportFormat } from '../../types';
import {
  archFromLine,
  cap,
  classifyAddress,
  computeState,
  emptyReport,
  isSanitizerFrameLine,
  makeTitle,
  markInlined,
  normaliseFunction,
  parseSanitizerFrame,
  parseThread,
  stackOverflowState,
  type PcFrame,
} from './frames';
import { ASAN_SHADOW_LEGEND, BUG_TYPE_ALIASES, SANITIZER_BUG_TYPES } from './rules';

const TOOL_FORMAT: Readonly<Record<string, ReportFormat>> = {
  AddressSanitizer: 'asan',
  HWAddressSanitizer: 'hwasan',
  MemorySanitizer: 'msan',
  LeakSanitizer: 'lsan',
  UndefinedBehaviorSanitizer: 'ubsan',
  ThreadSanitizer: 'tsan',
};

// `==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x...` (MSan says WARNING).
// Fuchsia (and runtimes that print no pid) start the line with `ERROR: AddressSanitizer: ...`,
// possibly after a `[timestamp] pid:tid> ` log prefix.
export const SAN_HEADER_RE =
  /(?:==(\d{1,10})==\s{0,2}|^|> )(?:ERROR|WARNING): (AddressSanitizer|HWAddressSanitizer|MemorySanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer): ?(.{0,2048})$/;

export function matchSanitizerHeader(line: string): RegExpExecArray | null {
  if (!line.includes('Sanitizer: ')) return null;
  return SAN_HEADER_RE.exec(cap(line));
}

/** `heap-use-after-free on address 0x..` → `heap-use-after-free`; sentence forms → short names. */
export function bugTypeOf(rest: string): string {
  for (const a of BUG_TYPE_ALIASES) if (a.pattern.test(rest)) return a.name;
  let t = rest;
  for (const sep of [' on unknown address', ' on address', ' on 0x', ' (', ': ', ' in thread']) {
    const i = t.indexOf(sep);
    if (i > 0) t = t.slice(0, i);
  }
  return t.replace(/:$/, '').trim();
}

export function kindOfBugType(bugType: string): { kind: CrashKind; rule: string | null } {
  for (const r of SANITIZER_BUG_TYPES) if (r.pattern.test(bugType)) return { kind: r.kind, rule: r.id };
  return { kind: 'bug', rule: null };
}

type Section = { kind: 'crash' | 'free' | 'alloc' | 'other'; label: string; frames: PcFrame[] };

const ACCESS_RE = /^(READ|WRITE|Read|Write) of size (\d{1,12}) at (0x[0-9a-fA-F]{1,16})(.{0,512})$/;
const REGION_RE =
  /is located (\d{1,12}) bytes? (inside|to the left|to the right)(?: of)?(?: a)? (\d{1,12})-byte region/;
const GLOBAL_RE =
  /is located \d{1,12} bytes? (?:inside|to the left|to the right) of global variable '([^']{1,256})'.{0,512} of size (\d{1,12})/;
const LEAK_RE = /^(Direct|Indirect) leak of (\d{1,15}) byte\(s\) in (\d{1,12}) object\(s\) allocated from:/;
const SHADOW_ROW_RE =
  /^\s{0,4}(=>)?\s{0,4}0x[0-9a-fA-F]{4,16}:((?:\s{0,2}\[?[0-9a-fA-F]{2}\]?){1,32})\s{0,8}$/;
const SUMMARY_RE = /^SUMMARY: \w{1,40}Sanitizer: (.{1,2048})$/;

/**
 * Parses one report starting at `start` (its header line); stops at `==pid==ABORTING`, at the end
 * of the trailer after SUMMARY, or just before the next report header (`isHeader`).
 */
export function parseSanitizerReport(
  lines: readonly string[],
  start: number,
  isHeader: (line: string, i: number) => boolean,
): { report: ParsedReport; endLine: number } {
  const header = matchSanitizerHeader(lines[start]) as RegExpExecArray;
  const pid = header[1] === undefined ? null : Number(header[1]);
  const tool = header[2];
  const rest = header[3].trim();
  const format = TOOL_FORMAT[tool] ?? 'asan';
  const report = emptyReport(format);
  const env = report.environment;
  env.pid = pid;
  let bugType = bugTypeOf(rest);
  let { kind } = kindOfBugType(bugType);

  const sections: Section[] = [];
  let current: Section | null = { kind: 'crash', label: 'crash', frames: [] };
  sections.push(current);
  const crash = current;
  let summaryFn: string | null = null;
  let afterSummary = false;
  let inShadow = false;
  let hwCause: string | null = null;
  let zeroPageHint = false;
  let leakCount = 0;
  const shadowSeen = new Map<string, string>();
  let buggyShadow: string | null = null;

  // SEGV/BUS/stack-overflow headers carry the fault address and thread: `(pc .. bp .. sp .. T0)`.
  const addrM = /(?:on (?:unknown )?address|on) (0x[0-9a-fA-F]{1,16})/.exec(rest);
  if (addrM) report.indicators.faultAddress = classifyAddress(addrM[1]);
  const headThread = /\bT(\d{1,7})\)\s{0,4}$/.exec(rest) ?? /in thread (T\d{1,7})/.exec(rest);
  if (headThread) env.thread = headThread[1].startsWith('T') ? headThread[1] : `T${headThread[1]}`;

  let i = start + 1;
  for (; i < lines.length; i++) {
    const raw = cap(lines[i]);
    if (isHeader(raw, i)) break;
    const pidPrefixed = raw.startsWith('==');
    const line = pidPrefixed ? raw.replace(/^==\d{1,10}==\s?/, '') : raw;
    const trimmed = line.trim();
    if (pidPrefixed && /^ABORTING$|^Exiting$/.test(trimmed)) {
      i++;
      break;
    }
    const arch = env.arch ? null : archFromLine(raw);
    if (arch) env.arch = arch;
    if (afterSummary) {
      // Trailer: shadow dump, legend, register dump, hints. Anything else is the program's output.
      if (!(
        trimmed === '' ||
        /^\s|^=>|^Shadow|^Memory tags|^Tags for|^See |^Registers|^HINT|^Thread T/.test(line) ||
        raw.startsWith('==')
      ))
        break;
    }
    if (inShadow) {
      const row = SHADOW_ROW_RE.exec(raw);
      if (row) {
        for (const tok of row[2].match(/\[?[0-9a-fA-F]{2}\]?/g) ?? []) {
          const bracket = tok.startsWith('[');
          const code = tok.replace(/[[\]]/g, '').toLowerCase();
          if (bracket && row[1]) buggyShadow = code;
          if (ASAN_SHADOW_LEGEND[code] && !shadowSeen.has(code))
            shadowSeen.set(code, ASAN_SHADOW_LEGEND[code]);
          else if (/^0[1-7]$/.test(code) && !shadowSeen.has(code))
            shadowSeen.set(code, `partially addressable (${code[1]} bytes)`);
        }
        continue;
      }
      inShadow = false;
    }
    if (trimmed === '') {
      if (current && current.frames.length > 0) current = null;
      continue;
    }
    if (isSanitizerFrameLine(line)) {
      const pf = parseSanitizerFrame(line);
      if (!pf) continue;
      if (current === null) {
        // Frames right after a description line without its own header ("located in stack of thread").
        current = { kind: 'other', label: 'stack', frames: [] };
        sections.push(current);
      }
      current.frames.push(pf);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = ACCESS_RE.exec(trimmed))) {
      report.access = { op: m[1].toLowerCase() === 'read' ? 'read' : 'write', size: Number(m[2]) };
      const th = parseThread(m[4]);
      if (th) {
        env.thread = th.thread;
        if (th.name) env.comm = th.name;
      }
      const tags = /tags: ([0-9a-f]{2})\/([0-9a-f]{2})/.exec(m[4]);
      if (tags) report.notes.push(`pointer tag ${tags[1]}, memory tag ${tags[2]}`);
      current = crash;
      continue;
    }
    if ((m = /^(?:previously )?allocated by thread (T\d{1,7})(?: \(([^()]{1,64})\))? here:/.exec(trimmed))) {
      current = { kind: 'alloc', label: `allocated by thread ${m[1]}`, frames: [] };
      sections.push(current);
      continue;
    }
    if ((m = /^freed by thread (T\d{1,7})(?: \(([^()]{1,64})\))? here:/.exec(trimmed))) {
      current = { kind: 'free', label: `freed by thread ${m[1]}`, frames: [] };
      sections.push(current);
      continue;
    }
    if ((m = /^Thread (T\d{1,7})(?: \(([^()]{1,64})\))? created by (T\d{1,7})/.exec(trimmed))) {
      current = { kind: 'other', label: `thread ${m[1]} created by ${m[3]}`, frames: [] };
      sections.push(current);
      if (m[2] && env.thread === m[1] && !env.comm) env.comm = m[2];
      continue;
    }
    if ((m = LEAK_RE.exec(trimmed))) {
      leakCount++;
      const objects = Number(m[3]);
      const size = objects > 0 ? Math.floor(Number(m[2]) / objects) : Number(m[2]);
      if (!report.indicators.objectSizes.includes(size)) report.indicators.objectSizes.push(size);
      // The first direct leak is the report's main stack; indirect leaks hang off a direct one.
      const useAsCrash =
        crash.frames.length === 0 &&
        (m[1] === 'Direct' || !sections.some((s) => s.label.startsWith('direct')));
      if (useAsCrash) {
        current = crash;
        crash.label = `${m[1].toLowerCase()} leak`;
        if (m[1] === 'Indirect') report.notes.push('no direct leak: the main stack is an indirect leak');
      } else {
        current = { kind: 'other', label: `${m[1].toLowerCase()} leak of ${m[2]} byte(s)`, frames: [] };
        sections.push(current);
      }
      continue;
    }
    if (/^Uninitiali[sz]ed value was (?:stored to memory|created)/.test(trimmed)) {
      const created = /created/.test(trimmed);
      current = {
        kind: created ? 'alloc' : 'other',
        label: trimmed.replace(/:$/, '').slice(0, 200),
        frames: [],
      };
      sections.push(current);
      continue;
    }
    if (
      /is located in stack of thread|is located in the stack of/.test(trimmed) ||
      /^Address 0x[0-9a-f]{1,16} is located in/.test(trimmed)
    ) {
      current = { kind: 'other', label: 'stack frame of the object', frames: [] };
      sections.push(current);
      const th = parseThread(trimmed.slice(trimmed.indexOf('thread')));
      if (th && !env.thread) env.thread = th.thread;
      continue;
    }
    if ((m = REGION_RE.exec(trimmed))) {
      const size = Number(m[3]);
      if (!report.indicators.objectSizes.includes(size)) report.indicators.objectSizes.push(size);
      current = null;
      continue;
    }
    if ((m = GLOBAL_RE.exec(trimmed))) {
      const size = Number(m[2]);
      if (!report.indicators.objectSizes.includes(size)) report.indicators.objectSizes.push(size);
      report.notes.push(`global variable '${m[1]}'`);
      current = null;
      continue;
    }
    if ((m = /^Cause: (.{1,200})$/.exec(trimmed))) {
      if (hwCause === null) hwCause = m[1].trim();
      continue;
    }
    if ((m = /^The signal is caused by a (READ|WRITE) memory access\.?/.exec(trimmed))) {
      report.access = { op: m[1] === 'READ' ? 'read' : 'write', size: null };
      continue;
    }
    if (/^Hint: address points to the zero page/.test(trimmed)) {
      zeroPageHint = true;
      continue;
    }
    if (/^Hint: this fault was caused by a dereference of a high value address/.test(trimmed)) {
      report.notes.push('dereference of a high (likely non-canonical) address');
      continue;
    }
    if (/^(?:attempting double-free|attempting free on address|alloc-dealloc-mismatch)/.test(trimmed))
      continue;
    if ((m = /^in thread (T\d{1,7})/.exec(trimmed)) && !env.thread) {
      env.thread = m[1];
      continue;
    }
    if ((m = SUMMARY_RE.exec(trimmed))) {
      const inM = / in (.{1,1024})$/.exec(m[1]);
      if (inM) summaryFn = normaliseFunction(inM[1]);
      afterSummary = true;
      if (format === 'lsan' || format === 'msan' || format === 'ubsan') {
        i++;
        // MSan prints `Exiting` right after its summary.
        if (i < lines.length && /^(?:==\d{1,10}==)?(?:Exiting|ABORTING)\s{0,4}$/.test(lines[i])) i++;
        break;
      }
      continue;
    }
    if (/^Shadow bytes around the buggy address/.test(trimmed)) {
      inShadow = true;
      current = null;
      continue;
    }
    if (
      /^(?:Shadow byte legend|Memory tags around|Tags for short granules|Registers where the failure occurred|Register values)/.test(
        trimmed,
      )
    ) {
      current = null;
      continue;
    }
    // Any other text: program output interleaved with the report (stderr is shared). It does not
    // end the report, but it ends a stack only if frames already started.
    if (current && current.frames.length > 0 && !raw.startsWith('==')) current = null;
  }

  // ---- assemble ----
  // LSan printed an indirect leak first: the first direct leak still names the report.
  if (crash.label === 'indirect leak') {
    const direct = sections.find((s) => s.label.startsWith('direct leak'));
    if (direct) {
      const indirectFrames = crash.frames;
      crash.frames = direct.frames;
      crash.label = 'direct leak';
      direct.frames = indirectFrames;
      direct.label = 'indirect leak';
      const note = report.notes.indexOf('no direct leak: the main stack is an indirect leak');
      if (note >= 0) report.notes.splice(note, 1);
    }
  }
  const frames = markInlined(crash.frames);
  report.frames = frames;
  const free = sections.find((s) => s.kind === 'free');
  const alloc = sections.find((s) => s.kind === 'alloc');
  if (alloc) report.allocStack = markInlined(alloc.frames);
  if (free) report.freeStack = markInlined(free.frames);
  const others = sections.filter((s) => s.kind === 'other' && s.frames.length > 0);
  if (others.length > 0)
    report.otherStacks = others.map((s) => ({ label: s.label, frames: markInlined(s.frames) }));

  if (format === 'hwasan' && hwCause) {
    const k = hwCause.startsWith('use-after-free')
      ? 'use-after-free'
      : /overflow|stack tag-mismatch|out-of-bounds/.test(hwCause)
        ? 'out-of-bounds'
        : null;
    if (k) kind = k;
    report.notes.push(`HWASan cause: ${hwCause}`);
  }
  const fa = report.indicators.faultAddress;
  if (
    (bugType === 'SEGV' || bugType === 'BUS' || bugType === 'unknown-crash') &&
    (zeroPageHint || (fa && (fa.class === 'null' || fa.class === 'null-offset')))
  ) {
    kind = 'null-deref';
  }
  if (bugType === '') bugType = 'unknown-crash';
  const shadow = [...shadowSeen.entries()].map(([code, meaning]) => ({ code, meaning }));
  if (buggyShadow) {
    const idx = shadow.findIndex((s) => s.code === buggyShadow);
    if (idx > 0) shadow.unshift(...shadow.splice(idx, 1));
  }
  report.indicators.shadowCodes = shadow;

  const st =
    kind === 'stack-overflow'
      ? stackOverflowState(frames)
      : computeState(frames, free ? [markInlined(free.frames)] : []);
  report.state = st.state;
  report.guiltyFrame = st.guiltyFrame;
  report.notes.push(...st.notes);
  report.kind = kind;
  report.headline =
    format === 'lsan' && bugType === 'detected memory leaks'
      ? `${tool}: detected memory leaks`
      : `${tool}: ${bugType}`;
  report.title = makeTitle(
    report.headline,
    frames,
    st.guiltyFrame,
    summaryFn && summaryFn !== '??' ? summaryFn : null,
  );
  if (frames.length === 0) report.notes.push('no stack frames in the report');
  if (format === 'lsan' && leakCount > 1)
    report.notes.push(`${leakCount} leaks; the first direct one names the report`);
  if (!afterSummary && i >= lines.length)
    report.notes.push('report ends without a SUMMARY line (truncated?)');
  return { report, endLine: i };
}
