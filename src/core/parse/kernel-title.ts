// Titles the way syzbot gives them (the rules are rows in rules/kernel-titles.ts): find each
// report's first line, gather the lines that belong to it (same printk caller, no `? ` frames),
// pick the title format whose headline comes first, run its stack selector to find the frame,
// and decide whether the report can be trusted. Every step is a pass over lines with
// single-line patterns, so the work is linear in the input.
import {
  ARM_FRAME_LINE,
  CORRUPTED_LINES,
  CORRUPTED_TITLE,
  FRAME_LINES,
  HUNG_TASK_ANCHORS,
  HUNG_TASK_WAITING,
  KERNEL_OOPS_FAMILIES,
  PARSE_STACK,
  RELIABLE_UNWINDER_SINCE,
  REPORT_START_IGNORES,
  RISCV_STACK_START,
  STACK_START,
  STALL_ANCHORS,
  TITLE_REPLACEMENTS,
  TITLE_SKIP_FRAMES,
  TITLE_STRIP_PREFIXES,
  type OopsFamily,
  type StackPart,
  type StackSelector,
  type TitleFormat,
} from '../rules/kernel-titles';
import type { CrashKind } from '../types';
import type { PreparedLines } from './envelope';
import {
  lineMarks,
  MARK_GATHER,
  MARK_INFO_WITH_STACK,
  MARK_KERNEL_HEADER,
  MARK_VM_DISCONNECTED,
} from './line-marks';
import { demangleRustV0 } from './rust-demangle';

export interface KernelTitle {
  /** Line (in the prepared input) where the report starts. */
  startLine: number;
  title: string;
  /** The title without ` in <frame>`. */
  headline: string;
  altTitles: string[];
  /** The function the title names (after syscall-prefix stripping), when it names one. */
  frame: string | null;
  /** That frame as printed (before prefix stripping and merging), to find it in the stack. */
  rawFrame: string | null;
  kind: CrashKind;
  corrupted: boolean;
  corruptedReason: string | null;
  /** A title format of the family matched (false: the header line itself is the title). */
  formatMatched: boolean;
  /** From a family user-space runtimes print too (`panic:`, `fatal error:`). */
  sharedWithUserspace: boolean;
}

/** Reports after this many in one input keep the structural title (bounds work on floods). */
const MAX_TITLED_REPORTS = 8;
/** A report is never followed further than this many lines. */
const MAX_REPORT_LINES = 3000;
/** `report` step candidates tried before giving up (each try is a bounded forward scan). */
const MAX_STEP_STARTS = 64;
/** The panic_on_warn stack after this many lines of a report repeats it: cut it. */
const MIN_LINES_BEFORE_PANIC = 22;
const MIN_LINES_BEFORE_PANIC_KMSAN = 16;

/**
 * The family whose header the line carries, or null (syzkaller `matchOops`); only for lines
 * whose marks (line-marks.ts) say they hold some family's header.
 */
function familyOf(line: string): OopsFamily | null {
  for (const f of KERNEL_OOPS_FAMILIES) {
    if (line.indexOf(f.header) < 0) continue;
    if (f.suppressions.some((s) => s.test(line))) continue;
    if (f.only && !f.only.test(line)) continue;
    return f;
  }
  return null;
}

/** Console context of a line: its printk caller (`T123`), `console` when only timestamped, '' when raw. */
function contextOf(lines: PreparedLines, i: number): string {
  const c = lines.callers[i];
  if (c) return c;
  return lines.times[i] !== null ? 'console' : '';
}

// One pattern for the stack keywords: tested on every line of a stack and of a report.
// eslint-disable-next-line no-restricted-syntax -- the table's own patterns, compiled once at load
const ANY_STACK_START = new RegExp(STACK_START.map((r) => `(?:${r.source})`).join('|'));

const QUESTIONABLE_FRAME = /^ *(?:\[<?(?:0x)?[0-9a-f]{1,16}>?\] ){0,2}\? +[a-zA-Z0-9_.]{1,200}\+0x/;
const STACK_HINT = /race|llocated|Freed|acktrace|Uninit|badaddr/;
const QUESTIONABLE = /(?:\[<[0-9a-f]+>\])? \? /;

export function titleKernelReports(lines: PreparedLines): KernelTitle[] {
  const { texts } = lines;
  const fams: (OopsFamily | null)[] = new Array(texts.length);
  let any = false;
  const marks = lineMarks(texts);
  for (let i = 0; i < texts.length; i++) {
    fams[i] = (marks[i] & MARK_KERNEL_HEADER) !== 0 ? familyOf(texts[i]) : null;
    if (fams[i]) any = true;
  }
  const out: KernelTitle[] = [];
  if (!any) return out;
  for (let i = 0; i < texts.length && out.length < MAX_TITLED_REPORTS; i++) {
    const fam = fams[i];
    if (!fam) continue;
    let t = titleOne(lines, fams, i, fam, false);
    // A headline none of its family's formats reads may be one printk record cut by a newline
    // in what it prints (a task name set with prctl): read it joined with its continuation.
    if (!t.formatMatched) {
      const joined = joinRecordContinuation(lines, fams, i);
      if (joined) {
        const again = titleOne(joined, fams, i, fam, false);
        if (again.formatMatched) t = again;
      }
    }
    // Old kernels (no reliable unwinder) print every frame with `? `: when no frame is left
    // without them, read them rather than call the report corrupted. (syzkaller has this retry
    // switched off; its logs come from kernels with a reliable unwinder.)
    // Only for logs without printk caller ids (kernels before 5.1): newer ones unwind reliably
    // and a stack of `? ` frames there means a broken report, as syzkaller says.
    // The same when the title's own line named the function but the call trace holds only `? `
    // frames (`no frames in a stack trace`). Not where the release says the unwinder was
    // reliable already (RELIABLE_UNWINDER_SINCE).
    if (
      (t.corruptedReason === 'extracted no frames' || t.corruptedReason === 'no frames in a stack trace') &&
      !/^[TC]/.test(contextOf(lines, i))
    ) {
      const report = gatherReport(lines, fams, i, false);
      if (!hasReliableFrame(report) && !unwinderWasReliable(report.lines)) {
        const retry = titleOne(lines, fams, i, fam, true);
        if (!retry.corrupted) t = retry;
      }
    }
    out.push(t);
  }
  if (out.length > 0 && marks.some((m) => (m & MARK_VM_DISCONNECTED) !== 0)) {
    out[0].corrupted = true;
    out[0].corruptedReason ??= 'console connection lost';
  }
  return out;
}

/** Lines a newline inside one printk record can split a headline into (a comm is 15 bytes). */
const MAX_RECORD_CONTINUATIONS = 2;

/**
 * The kernel prints a record whose text holds newlines as several console lines that share the
 * record's timestamp and caller: `[ 1052.080846][   T41] INFO: task a` then
 * `[ 1052.080846][   T41] b:18088 blocked for more than 143 seconds.` when the task's name is
 * `a\nb`. The lines with a console prefix identical to line `at`'s that start no report of their
 * own are joined onto it; null when there are none (or no timestamp to tell a record by).
 */
function joinRecordContinuation(
  lines: PreparedLines,
  fams: readonly (OopsFamily | null)[],
  at: number,
): PreparedLines | null {
  const { texts, times, callers } = lines;
  const time = times[at];
  if (time === null) return null;
  let end = at + 1;
  while (
    end < texts.length &&
    end - at <= MAX_RECORD_CONTINUATIONS &&
    times[end] === time &&
    callers[end] === callers[at] &&
    !fams[end] &&
    !/^\s/.test(texts[end])
  )
    end++;
  if (end === at + 1) return null;
  const joinedTexts = texts.slice();
  joinedTexts[at] = texts.slice(at, end).join('\\n');
  for (let k = at + 1; k < end; k++) joinedTexts[k] = '';
  return { ...lines, texts: joinedTexts };
}

interface ReportText {
  lines: string[];
  /** Lines before the second report (the part titles are taken from when no caller ids are printed). */
  titleEnd: number;
}

/** The lines of the report that starts at `start` (syzkaller `findReport`). */
function gatherReport(
  lines: PreparedLines,
  fams: readonly (OopsFamily | null)[],
  start: number,
  useQuestionable: boolean,
): ReportText {
  const { texts, callers } = lines;
  const marks = lineMarks(texts);
  const context = contextOf(lines, start);
  const minLines = texts[start].includes('BUG: KMSAN:')
    ? MIN_LINES_BEFORE_PANIC_KMSAN
    : MIN_LINES_BEFORE_PANIC;
  const out: string[] = [];
  let titleEnd = 0;
  let secondReport = false;
  let textLines = 0;
  let skipText = false;
  let cpuTraceback = false;
  const end = Math.min(texts.length, start + MAX_REPORT_LINES);
  for (let i = start; i < end; i++) {
    const isStart = i === start;
    let text = texts[i];
    if (!isStart && !secondReport) {
      if (fams[i] && !repeatsHeadline(texts[start], text, i - start)) {
        if (!REPORT_START_IGNORES.some((r) => r.test(text))) secondReport = true;
      } else if ((marks[i] & MARK_INFO_WITH_STACK) !== 0) secondReport = true;
    }
    const ctx = contextOf(lines, i);
    // Another CPU's or task's line is dropped whatever it holds: decide that before the text tests.
    if (!isStart && ctx !== context && !(cpuTraceback && callers[i]?.startsWith('C'))) continue;
    // The literals the tests below look for (`? ` frames, NMI and panic tails): all but ` ? ` come
    // from the shared line scan (GATHER_LITERALS); most lines hold none. (` ? ` is looked for as
    // `? ` first: V8's search for a needle that starts with a blank is slow on blank-heavy lines.)
    const gathered = (marks[i] & MARK_GATHER) !== 0 || (text.includes('? ') && text.includes(' ? '));
    if (!gathered) {
      textLines++;
      if (!isStart && skipText) continue;
      out.push(text);
      if (!secondReport || (context !== '' && context !== 'console')) titleEnd = out.length;
      continue;
    }
    let questionable = false;
    // Without a console prefix syzkaller keeps `? ` lines as they are (they parse as no frame);
    // the retry for old kernels reads them as frames, prefixed or not.
    if ((ctx !== '' || useQuestionable) && !text.includes('<EOI>')) {
      if (text.includes(' ? ') && QUESTIONABLE.test(text)) {
        questionable = true;
        text = text.slice(text.indexOf(' ? ') + 2);
      } else if (text.endsWith(' (unreliable)')) {
        questionable = true;
        text = text.slice(0, -13);
      }
    }
    if (!isStart && questionable && !useQuestionable) continue;
    // A `? func+0x0/..` word is a function pointer left on the stack, never a return address.
    if (questionable && text.includes('+0x0/')) continue;
    textLines++;
    let skipLine = skipText;
    if (text.includes('Disabling lock debugging due to kernel taint')) skipLine = true;
    else if (text.includes('Sending NMI from CPU')) cpuTraceback = true;
    else if (
      textLines > minLines &&
      (text.includes('Kernel panic - not syncing') ||
        text.includes('WARNING: possible circular locking dependency detected'))
    ) {
      // panic_on_warn repeats the report's stack; an oops often provokes a lockdep splat.
      skipText = true;
      skipLine = true;
    }
    if (!isStart && skipLine) continue;
    out.push(text);
    if (!secondReport || (context !== '' && context !== 'console')) titleEnd = out.length;
  }
  return { lines: out, titleEnd };
}

/**
 * decode_stacktrace and syzbot's emails print a headline once per inlined frame
 * (`BUG: KASAN: x in memcpy include/...:225 [inline]` then `BUG: KASAN: x in foo+0x..`): such a
 * repeat right after the first is the same report, not a second one.
 */
function repeatsHeadline(first: string, line: string, distance: number): boolean {
  if (distance > 3) return false;
  const at = first.indexOf(' in ');
  return at > 0 && line.startsWith(first.slice(0, at + 4));
}

/** Whether any frame line is left once the `? ` lines are set aside. */
function hasReliableFrame(report: ReportText): boolean {
  return report.lines.some((l, i) => i > 0 && FRAME_LINES.some((r) => r.test(l)));
}

/** `Not tainted 4.20.0+` / `Tainted: G        W  5.4.0-rc1`: the release a CPU line names. */
const CPU_LINE_RELEASE = /^CPU: \d{1,5} .{0,200}?(?:Not tainted|Tainted: [A-Z ]{0,40}?) (\d{1,2})\.(\d{1,3})/;

/** Whether the report comes from an architecture and release with a reliable unwinder. */
function unwinderWasReliable(report: readonly string[]): boolean {
  let release: RegExpExecArray | null = null;
  for (const l of report) if (l.startsWith('CPU: ') && (release = CPU_LINE_RELEASE.exec(l))) break;
  if (!release) return false;
  const major = Number(release[1]);
  const minor = Number(release[2]);
  return RELIABLE_UNWINDER_SINCE.some(
    (u) =>
      (major > u.major || (major === u.major && minor >= u.minor)) && report.some((l) => u.archLine.test(l)),
  );
}

interface Pos {
  line: number;
  col: number;
}

interface StepMatch {
  pos: Pos;
  groups: Record<string, string>;
}

/** First position where the steps match in order on successive lines (each step on a later line). */
function matchSteps(
  lines: readonly string[],
  steps: readonly RegExp[],
  gap: number | undefined,
): StepMatch | null {
  let tries = 0;
  for (let i = 0; i < lines.length && tries < MAX_STEP_STARTS; i++) {
    const m0 = steps[0].exec(lines[i]);
    if (!m0) continue;
    tries++;
    const groups: Record<string, string> = { ...(m0.groups ?? {}) };
    let at = i;
    let ok = true;
    for (let s = 1; s < steps.length && ok; s++) {
      ok = false;
      const limit = gap === undefined ? lines.length : Math.min(lines.length, at + gap + 2);
      for (let j = at + 1; j < limit; j++) {
        const m = steps[s].exec(lines[j]);
        if (!m) continue;
        Object.assign(groups, m.groups ?? {});
        at = j;
        ok = true;
        break;
      }
    }
    if (ok) return { pos: { line: i, col: m0.index }, groups };
    // Without a gap bound a later start cannot find what an earlier one did not.
    if (gap === undefined) return null;
  }
  return null;
}

function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.col < b.col);
}

function titleOne(
  lines: PreparedLines,
  fams: readonly (OopsFamily | null)[],
  start: number,
  fam: OopsFamily,
  useQuestionable: boolean,
): KernelTitle {
  const report = gatherReport(lines, fams, start, useQuestionable);
  const head = report.lines.slice(0, Math.max(1, report.titleEnd));
  const oldConsole = !/^[TC]/.test(contextOf(lines, start));
  // Every title pattern contains its family's header: only those lines can hold a title.
  const headerLines: number[] = [];
  for (let i = 0; i < head.length; i++) if (head[i].includes(fam.header)) headerLines.push(i);
  let best: Candidate | null = null;
  let bestPos: Pos = { line: Infinity, col: 0 };
  let matchedTitle = false;
  let lastFormat: TitleFormat | null = null;
  for (const f of fam.formats) {
    let tpos: Pos | null = null;
    for (let k = 0; k < headerLines.length && !tpos; k++) {
      const m = f.title.exec(head[headerLines[k]]);
      if (m) tpos = { line: headerLines[k], col: m.index };
    }
    if (!tpos || before(bestPos, tpos)) continue;
    if (!before(tpos, bestPos) && best) continue;
    if (before(tpos, bestPos)) {
      best = null;
      lastFormat = null;
      bestPos = tpos;
    }
    matchedTitle = true;
    let groups: Record<string, string>;
    let from: Pos;
    if (f.report) {
      const rm = matchSteps(head, f.report, f.reportGap);
      if (!rm) continue;
      groups = rm.groups;
      from = rm.pos;
    } else {
      const m = f.title.exec(head[tpos.line]);
      groups = { ...(m?.groups ?? {}) };
      from = tpos;
    }
    let corrupted: string | null = null;
    let frames: string[] = [];
    let rawFrames: string[] = [];
    if (f.stack) {
      // Reading `? ` frames (old kernels), stale words come before the real ones: the function
      // the headline itself names (`WARNING: ... at x.c:264 dev_watchdog+0x236/0x240()`) is
      // where the stack starts when it is in it.
      const named = useQuestionable ? HEADLINE_FUNCTION.exec(head[tpos.line]) : null;
      const r = extractStackFrames(f.stack, head, from, oldConsole, named ? named[1] : null);
      frames = r.frames;
      rawFrames = r.rawFrames;
      if (!r.ok) corrupted = 'extracted no frames';
    }
    const slots: Record<string, string> = { ...groups };
    if (frames[0] !== undefined) slots.frame = frames[0];
    if (frames[1] !== undefined) slots.frame2 = frames[1];
    const title = f.template.replace(/\{(\w+)\}/g, (_m, k: string) => slots[k] ?? '');
    best = { f, title, frames, rawFrames, corrupted, slots };
    lastFormat = f;
  }
  return finish(report, fam, best as Candidate | null, lastFormat, matchedTitle, start, oldConsole);
}

interface Candidate {
  f: TitleFormat;
  title: string;
  frames: string[];
  rawFrames: string[];
  corrupted: string | null;
  slots: Record<string, string>;
}

function finish(
  report: ReportText,
  fam: OopsFamily,
  best: Candidate | null,
  lastFormat: TitleFormat | null,
  matchedTitle: boolean,
  start: number,
  oldConsole: boolean,
): KernelTitle {
  let title: string;
  let corrupted: string | null;
  let format: TitleFormat | null = lastFormat;
  if (!best) {
    // A headline the table knows but whose evidence is missing: the header line itself, corrupted.
    const line = report.lines[0];
    title = line.slice(Math.max(0, line.indexOf(fam.header)));
    // An unknown line of a known family (`WARNING: ath10k USB support is incomplete`) is
    // its own title and trusted; a known headline whose evidence is missing is not.
    corrupted = matchedTitle ? 'matched title but not report regexp' : null;
    format = null;
  } else {
    title = best.title;
    corrupted = best.corrupted;
    if (!corrupted && best.f.corrupted) corrupted = 'report format is marked as corrupted';
  }
  if (!corrupted) corrupted = corruptedReason(title, report.lines, format, oldConsole);
  const clean = cleanTitle(title);
  const frame = best?.frames[0] ?? null;
  const kind = format && best ? kindOf(format, best.slots) : 'unknown';
  return {
    startLine: start,
    title: clean,
    headline: headlineOf(clean, frame),
    altTitles: (best?.f.alt ?? []).map((a) =>
      cleanTitle(a.replace(/\{(\w+)\}/g, (_m, k: string) => best?.slots[k] ?? '')),
    ),
    frame: frame === 'corrupted' ? null : frame,
    rawFrame: frame === 'corrupted' ? null : (best?.rawFrames[0] ?? null),
    kind,
    corrupted: corrupted !== null,
    corruptedReason: corrupted,
    formatMatched: format !== null,
    sharedWithUserspace: fam.sharedWithUserspace === true,
  };
}

/** The title without ` in <frame>` (the part that names the function). */
function headlineOf(title: string, frame: string | null): string {
  const tail = ' in ' + (frame === null ? 'corrupted' : cleanTitle(frame));
  const at = title.lastIndexOf(tail);
  return at > 0 ? title.slice(0, at) : title;
}

function kindOf(f: TitleFormat, slots: Record<string, string>): CrashKind {
  if (f.kindBy) {
    const v = slots[f.kindBy.slot];
    if (v !== undefined && f.kindBy.map[v]) return f.kindBy.map[v];
  }
  return f.kind;
}

/** syzkaller `isCorrupted`: a stack keyword must be followed by a frame within 15 lines. */
function corruptedReason(
  title: string,
  report: readonly string[],
  format: TitleFormat | null,
  oldConsole: boolean,
): string | null {
  if (CORRUPTED_TITLE.test(title)) return 'title matches corrupted regexp';
  if (!format) return null;
  if (format.noStackTrace) return null;
  let hasStack = false;
  // Every stack keyword contains one of these: a cheap test before the patterns.
  const keyLines: number[] = [];
  for (let i = 0; i < report.length; i++) if (STACK_HINT.test(report[i])) keyLines.push(i);
  for (const key of STACK_START) {
    const k = keyLines.find((i) => key.test(report[i]));
    const at = k === undefined ? -1 : k;
    if (at < 0) continue;
    // Counted as syzkaller splits the report: the text after the last newline is a line too.
    if (report.length - at + 1 < 4) return 'call trace is missed';
    let corrupted = true;
    for (let i = at + 1; i < Math.min(report.length, at + 16); i++) {
      if (ANY_STACK_START.test(report[i])) break;
      if (
        report[i].includes('(stack is not available)') ||
        FRAME_LINES.some((r) => r.test(report[i])) ||
        // Kernels before printk caller ids could print every frame with `? ` (no reliable unwinder).
        (oldConsole && QUESTIONABLE_FRAME.test(report[i]))
      ) {
        hasStack = true;
        corrupted = false;
        break;
      }
    }
    if (key !== RISCV_STACK_START && corrupted) return 'no frames in a stack trace';
  }
  // arm32's unwinder prints its frames without a stack keyword before them.
  if (!hasStack && report.some((l) => ARM_FRAME_LINE.test(l))) return null;
  return hasStack ? null : 'no stack trace in report';
}

// eslint-disable-next-line no-restricted-syntax -- the table's own skip list, compiled once at load
const GLOBAL_SKIP = new RegExp(TITLE_SKIP_FRAMES.join('|'));
/** Global skip decisions per frame name: names repeat across reports and the pattern is long. */
let globalSkipSeen = new Map<string, boolean>();
const familySkip = new WeakMap<StackSelector, RegExp | null>();

function isSkipped(stack: StackSelector, name: string): boolean {
  let skip = globalSkipSeen.get(name);
  if (skip === undefined) {
    if (globalSkipSeen.size > 50000) globalSkipSeen = new Map();
    skip = GLOBAL_SKIP.test(name);
    globalSkipSeen.set(name, skip);
  }
  if (skip) return true;
  let extra = familySkip.get(stack);
  if (extra === undefined) {
    // eslint-disable-next-line no-restricted-syntax -- a row's own skip patterns, compiled once per row
    extra = stack.skip && stack.skip.length > 0 ? new RegExp(stack.skip.join('|')) : null;
    familySkip.set(stack, extra);
  }
  return extra !== null && extra.test(name);
}

/** syzkaller `extractStackFrame`: the frames named by each stack of the selector, or `ok: false`. */
function extractStackFrames(
  stack: StackSelector,
  report: readonly string[],
  from: Pos,
  oldConsole: boolean,
  startAt: string | null,
): { frames: string[]; rawFrames: string[]; ok: boolean } {
  const first = runParts(stack, stack.parts, report, from, startAt);
  if (first.ok || !stack.parts2) return first;
  const second = runParts(stack, stack.parts2, report, from, startAt);
  // `parts3` reads what kernels before printk caller ids print instead (see StackSelector).
  if (second.ok || !stack.parts3 || !oldConsole) return second;
  return runParts(stack, stack.parts3, report, from, startAt);
}

/** A `func+0x../0x..` on a headline. */
const HEADLINE_FUNCTION = /(?:^|[\s(])\.?([a-zA-Z_][a-zA-Z0-9_]{0,199})\+0x[0-9a-f]{1,16}\/0x[0-9a-f]{1,16}/;

function runParts(
  stack: StackSelector,
  parts: readonly StackPart[],
  report: readonly string[],
  from: Pos,
  startAt: string | null,
): { frames: string[]; rawFrames: string[]; ok: boolean } {
  let li = from.line;
  const lineAt = (i: number): string => (i === from.line ? report[i].slice(from.col) : report[i]);
  let raw: string[] = [];
  const results: string[] = [];
  const rawResults: string[] = [];
  let ok = true;
  let stacks = 0;
  // Without an extractor only a stack's first kept frame names the title: skip the rest's work.
  const firstOnly = !stack.extractor && startAt === null;
  const add = (m: RegExpExecArray): void => {
    for (let g = 1; g < m.length; g++) {
      if (firstOnly && raw.length > 0) return;
      if (m[g] === undefined) continue;
      const name = demangleName(m[g]);
      if (!isSkipped(stack, name)) raw.push(name);
    }
  };
  for (let p = 0; ; p++) {
    if (p === parts.length || (parts[p] === PARSE_STACK && stacks > 0)) {
      const at = startAt === null ? -1 : raw.indexOf(startAt);
      const key = pickFrame(stack, at > 0 ? raw.slice(at) : raw);
      if (key === null) {
        results.push('corrupted');
        rawResults.push('corrupted');
        ok = false;
      } else {
        results.push(key.name);
        rawResults.push(key.raw);
      }
      raw = [];
    }
    if (p === parts.length) break;
    const part = parts[p];
    if (part === PARSE_STACK) {
      stacks++;
      let next = false;
      while (li < report.length && !next) {
        const ln = lineAt(li++);
        if (CORRUPTED_LINES.some((r) => r.test(ln))) {
          ok = false;
          break;
        }
        if (ANY_STACK_START.test(ln)) break;
        const following = parts[p + 1];
        if (following !== undefined && following !== PARSE_STACK) {
          const m = following.exec(ln);
          if (m) {
            add(m);
            p++;
            next = true;
            break;
          }
        }
        for (const re of FRAME_LINES) {
          const m = re.exec(ln);
          if (m) {
            add(m);
            break;
          }
        }
      }
    } else {
      while (li < report.length) {
        const ln = lineAt(li++);
        if (CORRUPTED_LINES.some((r) => r.test(ln))) {
          ok = false;
          break;
        }
        const m = part.exec(ln);
        if (!m) continue;
        add(m);
        break;
      }
    }
  }
  return { frames: results, rawFrames: rawResults, ok };
}

/**
 * C++ and legacy Rust symbols as their plain names, without parameters (`_Z8fakeNameiii` →
 * `fakeName`, `_ZN4core3fmt5write17h0123456789abcdefE` → `core::fmt::write`); anything else as is.
 */
export function demangleName(name: string): string {
  if (name.startsWith('_R')) return demangleRustV0(name) ?? name;
  if (!name.startsWith('_Z')) return name;
  let i = 2;
  const nested = name[i] === 'N';
  if (nested) i++;
  const parts: string[] = [];
  while (i < name.length && parts.length < 32) {
    let j = i;
    while (j < name.length && name.charCodeAt(j) >= 48 && name.charCodeAt(j) <= 57) j++;
    if (j === i) break;
    const len = Number(name.slice(i, j));
    if (len <= 0 || j + len > name.length) return name;
    parts.push(name.slice(j, j + len));
    i = j + len;
    if (!nested) break;
  }
  if (parts.length === 0) return name;
  // Legacy Rust mangling ends with a `h<16 hex>` hash segment.
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts.join('::');
}

/** The shortest name left after stripping one syscall-wrapper prefix. */
export function stripSyscallPrefix(name: string): string {
  let best = name;
  for (const p of TITLE_STRIP_PREFIXES)
    if (name.startsWith(p) && name.length - p.length < best.length) best = name.slice(p.length);
  return best;
}

interface PickedFrame {
  /** The name the title uses (syscall prefix stripped, RCU waits merged). */
  name: string;
  /** The frame as printed, to find it among the report's frames. */
  raw: string;
}

function pickFrame(stack: StackSelector, raw: readonly string[]): PickedFrame | null {
  if (raw.length === 0) return null;
  if (!stack.extractor) return { name: stripSyscallPrefix(raw[0]), raw: raw[0] };
  const stripped = raw.map(stripSyscallPrefix);
  const hit = stack.extractor === 'stall' ? stallFrame(stripped) : hungFrame(stripped);
  return hit ? { name: hit.name, raw: raw[hit.index] } : null;
}

// The anchors as one pattern: one test per frame, not one per anchor (the table has ~76).
// eslint-disable-next-line no-restricted-syntax -- the table's own patterns, compiled once at load
const ANY_STALL_ANCHOR = new RegExp(STALL_ANCHORS.map((r) => `(?:${r.source})`).join('|'));

/** The frame just inside the first anchor (the work the looping CPU was given). */
function stallFrame(frames: readonly string[]): { name: string; index: number } | null {
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (ANY_STALL_ANCHOR.test(f))
      return f.includes('smp_call_function')
        ? { name: 'smp_call_function', index: i }
        : { name: frames[Math.max(0, i - 1)], index: Math.max(0, i - 1) };
  }
  return null;
}

function hungFrame(frames: readonly string[]): { name: string; index: number } | null {
  for (let i = 0; i < frames.length; i++) {
    for (const a of HUNG_TASK_ANCHORS)
      if (frames[i].includes(a.contains)) return { name: a.title ?? frames[i], index: i };
  }
  for (let i = 0; i < frames.length; i++)
    if (!HUNG_TASK_WAITING.some((w) => frames[i].includes(w))) return { name: frames[i], index: i };
  return null;
}

/** Cleaned titles by raw title: the same frames and headlines recur across reports and inputs. */
let cleanSeen = new Map<string, string>();

/** syzkaller `dynamicTitleReplacement` then `sanitizeTitle`: what varies between runs goes. */
export function cleanTitle(title: string): string {
  const known = cleanSeen.get(title);
  if (known !== undefined) return known;
  if (cleanSeen.size > 20000) cleanSeen = new Map();
  const clean = cleanTitleUncached(title);
  cleanSeen.set(title, clean);
  return clean;
}

function cleanTitleUncached(title: string): string {
  let t = title;
  for (const r of TITLE_REPLACEMENTS) {
    for (let k = 0; k < 8; k++) {
      const next = t.replace(r.pattern, r.replacement);
      if (next === t) break;
      t = next;
    }
  }
  let out = '';
  let prev = ' ';
  for (let i = 0; i < t.length && i < 120; i++) {
    let ch = t[i];
    if (ch === '\t') ch = ' ';
    else if (ch < ' ' || ch > '~') continue;
    if (ch === ' ' && prev === ' ') continue;
    out += ch;
    prev = ch;
  }
  return out.trim();
}
