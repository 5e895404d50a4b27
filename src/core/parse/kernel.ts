// Linux kernel console reports: find every headline of the family table, group the lines
// that belong together into reports, and extract title, frames, indicators, environment.
import type { Access, CrashKind, Environment, Frame, ParsedReport } from '../types';
import { KERNEL_REPORT_RULES, type KernelReportRule } from '../rules/kernel-reports';
import type { ReportCandidate } from './candidate';
import type { PreparedLines } from './envelope';
import { contextMarker, normaliseKernelFunction, parseKernelFrame, parseSymbolWithOffset } from './frames';
import { canonicalTitleFunction, chooseGuilty, crashState, normaliseTitle } from './guilty';
import { dispatchByFirstChar } from './first-chars';
import { lineMarks, MARK_KERNEL_REPORT } from './line-marks';
import { stripSyscallPrefix, type KernelTitle } from './kernel-title';
import { classifyFaultAddress, collectSlabFacts, kasanShadowMeaning, scanPoison } from './indicators';

/** What chain.ts needs to decide whether a later report is a consequence of this one. */
export interface KernelReportMeta {
  ruleId: string;
  /** `[#n]` oops counter when printed. */
  oopsNo: number | null;
  /** Taint letters this report sets on the kernel (B, W, D, L). */
  setsTaint: string;
}

export interface KernelCandidate extends ReportCandidate {
  meta: KernelReportMeta;
}

interface HeaderHit {
  line: number;
  rule: KernelReportRule;
  groups: Record<string, string>;
  /** The same headline printed again for another (inlined) location of the same report. */
  repeated?: boolean;
}

/** A headline of the same row with the same named groups (but the function) right after the previous one. */
function isRepeatedHeader(prev: HeaderHit, hit: HeaderHit): boolean {
  if (prev.rule !== hit.rule || hit.line - prev.line > 2 || hit.rule.role !== 'start') return false;
  // Only headlines that name a location repeat per inlined frame; identical repeats are new reports.
  if (hit.groups.func === undefined || prev.groups.func === undefined) return false;
  for (const k of Object.keys(hit.groups)) {
    if (k === 'func' || k === 'funcs' || k === 'file' || k === 'line') continue;
    if (hit.groups[k] !== prev.groups[k]) return false;
  }
  return true;
}

interface Draft {
  hits: HeaderHit[];
  start: number;
  end: number;
  closed: boolean;
  absorbUntil: number;
}

/** Reports never span more lines than this after their headline (bounds work on pathological input). */
const MAX_REPORT_LINES = 3000;
/** A continuation headline joins the previous report when printed within this many lines of its end. */
const CONTINUATION_WINDOW = 40;
const PREFIX_ABSORB_WINDOW = 8;

// Every row's pattern is anchored: only rows whose pattern can start with the line's first
// character are tried (a line is tested against ~4 rows instead of 61).
const HEADER_DISPATCH = dispatchByFirstChar(KERNEL_REPORT_RULES, (r) => r.pattern);

function matchHeader(trimmed: string): HeaderHit | null {
  if (trimmed.length < 8) return null;
  const rules = HEADER_DISPATCH.byChar.get(trimmed.charCodeAt(0)) ?? HEADER_DISPATCH.other;
  for (let k = 0; k < rules.length; k++) {
    const rule = rules[k];
    if (trimmed.indexOf(rule.header) < 0) continue;
    const m = rule.pattern.exec(trimmed);
    if (m) return { line: -1, rule, groups: { ...(m.groups ?? {}) } };
  }
  return null;
}

const BANNER = /^={20,}$/;
const END_TRACE = /^---\[ end (?:trace|Kernel panic)/;
const CUT_HERE = /^-{5,}\[ cut here \]-{5,}$/;

export function scanKernelReports(lines: PreparedLines): KernelCandidate[] {
  const { texts } = lines;
  const marks = lineMarks(texts);
  const drafts: Draft[] = [];
  let current: Draft | null = null;
  let lastClosed: Draft | null = null;
  for (let i = 0; i < texts.length; i++) {
    const trimmed = texts[i].trimStart();
    if (current) {
      if (i - current.start > MAX_REPORT_LINES) {
        current.end = i;
        current.closed = true;
        lastClosed = current;
        current = null;
      } else if (trimmed.charCodeAt(0) === 45 /* - */ && END_TRACE.test(trimmed)) {
        current.end = i + 1;
        current.closed = true;
        lastClosed = current;
        current = null;
        continue;
      } else if (
        current.hits[0].rule.closesOnBanner &&
        i - current.hits[0].line > 3 &&
        trimmed.charCodeAt(0) === 61 /* = */ &&
        BANNER.test(trimmed)
      ) {
        current.end = i + 1;
        current.closed = true;
        lastClosed = current;
        current = null;
        continue;
      }
    }
    const c0 = trimmed.charCodeAt(0);
    // Frame lines (` foo+0x..`, `[<..>]`, `? `) and register lines never hold a headline.
    if (c0 === 91 || c0 === 63 || c0 === 32 || trimmed.length < 8) continue;
    // (No rule's header literal on the line: no rule can match it.)
    if ((marks[i] & MARK_KERNEL_REPORT) === 0) continue;
    const hit = matchHeader(trimmed);
    if (!hit) continue;
    hit.line = i;
    const role = hit.rule.role;
    if (role === 'continuation' || role === 'inner') {
      if (current) {
        current.hits.push(hit);
        continue;
      }
      if (lastClosed && i - lastClosed.end <= CONTINUATION_WINDOW) {
        current = lastClosed;
        current.closed = false;
        current.hits.push(hit);
        lastClosed = null;
        continue;
      }
      if (role === 'inner') continue;
    } else if (
      role === 'prefix' &&
      current &&
      current.hits.length === 1 &&
      current.hits[0].rule.id.startsWith('warning') &&
      i - current.hits[0].line <= 2
    ) {
      // Before ~4.16 a WARN()'s message followed the `WARNING:` line (`list_del corruption.
      // ...`, `refcount_t: underflow`); later kernels print it first and it opens the report.
      // Either way it is one report, and the message says what the warning is about.
      current.hits.unshift(hit);
      continue;
    } else if (current && i <= current.absorbUntil) {
      current.hits.push(hit);
      current.absorbUntil = -1;
      continue;
    } else if (current && isRepeatedHeader(current.hits[current.hits.length - 1], hit)) {
      // decode_stacktrace/syzkaller symbolisation prints the headline once per inlined frame:
      // `BUG: KASAN: x in memcpy include/..:225 [inline]` then `BUG: KASAN: x in foo+0x.. file:774`.
      hit.repeated = true;
      current.hits.push(hit);
      continue;
    }
    if (current) {
      current.end = i;
      lastClosed = current;
    }
    let start = i;
    const floor = current ? current.start + 1 : lastClosed ? lastClosed.end : 0;
    for (let k = i - 1; k >= Math.max(floor, i - 3); k--) {
      const t = texts[k].trimStart();
      if (CUT_HERE.test(t) || BANNER.test(t)) start = k;
    }
    if (current && start < i) current.end = Math.min(current.end, start);
    current = {
      hits: [hit],
      start,
      end: texts.length,
      closed: false,
      absorbUntil: role === 'prefix' ? i + PREFIX_ABSORB_WINDOW : -1,
    };
    drafts.push(current);
  }
  if (current && !current.closed) current.end = Math.min(texts.length, current.start + MAX_REPORT_LINES);
  return drafts.map((d) => {
    const k = buildReport(lines, d);
    draftOf.set(k, d);
    return k;
  });
}

/** The draft each scanned report was built from, to rebuild it when a title claims it. */
const draftOf = new WeakMap<KernelCandidate, Draft>();

interface StackSection {
  label: string;
  frames: Frame[];
}

const SECTION_HEADERS: readonly { pattern: RegExp; label: (m: RegExpExecArray) => string }[] = [
  { pattern: /^Call [Tt]race:/, label: () => 'main' },
  { pattern: /^stack backtrace:/, label: () => 'main' },
  // LKL (the kernel linked into a user-space program, as fuzzers run it) prints its own header.
  { pattern: /^Linux Kernel Library Stack Trace:/, label: () => 'main' },
  { pattern: /^backtrace(?: \(crc [0-9a-f]{1,16}\))?:/, label: () => 'main' },
  // arm32 prints `Backtrace:` then `[<pc>] (func) from [<lr>] (caller+0x..)` lines; after a
  // `frame pointer underflow` note on the same line it still walks the frames (arch/arm
  // dump_backtrace stops only for "no frame pointer" and "invalid frame pointer").
  { pattern: /^Backtrace: ?(?:frame pointer underflow)?$/, label: () => 'main' },
  // __schedule_bug and might_sleep print where preemption was disabled, one frame, before the
  // Call Trace; right after the headline it would otherwise pass for the main stack.
  { pattern: /^Preemption disabled at:/, label: () => 'preemption disabled at' },
  { pattern: /^Allocated by task \d{1,10}/, label: () => 'alloc' },
  // KASAN before 4.12: `Allocated:` / `Freed:` then `PID = 1234`.
  { pattern: /^Allocated:$/, label: () => 'alloc' },
  { pattern: /^Freed:$/, label: () => 'free' },
  { pattern: /^(?:kfence-#\d{1,6} .{0,80})?allocated by task \d{1,10}/, label: () => 'alloc' },
  { pattern: /^Freed by task \d{1,10}/, label: () => 'free' },
  { pattern: /^freed by task \d{1,10}/, label: () => 'free' },
  { pattern: /^(?:Last|Second to last) potentially related work creation:/, label: (m) => m[0].slice(0, -1) },
  { pattern: /^Uninit was (?:stored to memory|created) at:/, label: (m) => m[0].slice(0, -1) },
  { pattern: /^Local variable [\w.]{1,64} created at:/, label: (m) => m[0].slice(0, -1) },
  { pattern: /^-> #\d{1,3} \(.{1,200}\)\S{0,40}:$/, label: (m) => 'lock chain ' + m[0].slice(3, 6).trim() },
  { pattern: /^\{[A-Z-]{2,40}\} state was registered at:/, label: () => 'lock state registered' },
  { pattern: /^NMI backtrace for cpu \d{1,5}/, label: (m) => m[0] },
  {
    pattern:
      /^(?:read|write|read-write)(?: \(marked\))? to 0x[0-9a-f]{1,16} of \d{1,5} bytes by (?:task \d{1,10}|interrupt) on cpu \d{1,5}:/,
    label: () => 'kcsan-access',
  },
  {
    pattern:
      /^(?:Use-after-free|Out-of-bounds|Invalid|Corrupted memory)[ a-z]{0,20} (?:at|of) 0x[0-9a-f]{1,16}/,
    label: () => 'main',
  },
];

const SECTION_DISPATCH = dispatchByFirstChar(SECTION_HEADERS, (h) => h.pattern);

const SECTION_TERMINATOR =
  /^(?:Modules linked in:|The buggy address|Memory state around|---\[ end|Kernel panic|CPU: \d|Hardware name:|Showing all locks|other info that might help|Possible unsafe locking|the existing dependency chain|\d{1,3} locks? held by|no locks held by|={20,}|-{20,}|Disabling lock debugging|Kernel Offset:|Rebooting in|kfence-#\d|Bytes \d|Memory access of size|INFO: task |Sending NMI)/;

const CPU_LINE = /^CPU: (\d{1,5}) (?:UID: \d{1,10} )?PID: (\d{1,10}) Comm: /;
const HARDWARE = /^Hardware name: (.{1,200})$/;
const MODULES = /^Modules linked in:(.{0,4000})$/;
const RIP_LINE =
  /^(?:RIP: (?<cs>[0-9a-f]{4}):|EIP: (?:[0-9a-f]{4}:)?|IP: |pc : |PC is at |EIP is at |NIP \[[0-9a-f]{1,16}\] |epc ?: |epc {3}: [0-9a-f]{8,16} |Krnl PSW : [0-9a-f]{16} [0-9a-f]{16} )(?<rest>.{0,400})$/;
const ACCESS_LINE =
  /^(Read|Write) of size (\d{1,10}) at addr ([0-9a-fA-Fx]{1,18})(?: by task (.{1,64})\/(\d{1,10}))?/;
const FREE_OF_ADDR = /^Free of addr ([0-9a-fA-Fx]{1,18})(?: by task (.{1,64})\/(\d{1,10}))?/;
const KFENCE_ACCESS = /^(?:Use-after-free|Out-of-bounds|Invalid) (read|write) at 0x([0-9a-f]{1,16})/;
const KCSAN_ACCESS = /^(read|write|read-write)(?: \(marked\))? to 0x[0-9a-f]{1,16} of (\d{1,5}) bytes/;
const KASAN_RANGE =
  /^KASAN: (?:null-ptr-deref|probably user-memory-access|probably wild-memory-access|maybe wild-memory-access) in range \[(0x[0-9a-f]{1,16})-(0x[0-9a-f]{1,16})\]/;
const CR2 = /^CR2: ([0-9a-f]{1,16})/;
// `at: foo+0x1c/0x40` or, symbolised, `at: foo fs/x.c:12 [inline]` (the innermost inlined function first).
const LOCK_AT = / at: (?:\[<[0-9a-f]{1,16}>\] )?([A-Za-z_$][\w.$]{0,255})(?:\+0x| [\w./+-]{1,255}:\d)/;
const ARM64_PROCESS = /^Process (.{1,64}) \(pid: (\d{1,10}), stack limit/;
const HUNG_TASK_LINE = /^task:(\S{1,64}) {1,4}state:\S{1,4}/;
const SHADOW_ROW = /^>([0-9a-f]{8,16}): ((?:[0-9a-f]{2} ?){1,32})/;

/** What one pass over a report's lines gathers: its stacks, its fields, its slab facts. */
class ReportReading {
  readonly env: Environment = { modules: [] };
  readonly sections: StackSection[] = [];
  readonly caches = new Set<string>();
  readonly sizes = new Set<number>();
  readonly shadowCodes: { code: string; meaning: string }[] = [];
  /** printk callers (other CPUs, other tasks) whose lines were left out. */
  readonly interleaved = new Set<string>();
  /** The faulting instruction's frame (RIP/pc/NIP/epc lines) when it is no stack's first. */
  ripFrame: Frame | null = null;
  access: Access | null = null;
  faultRaw: string | null;
  kasanRange: string | null = null;
  /** The shadow byte a KASAN `^` marker points at. */
  shadowCaret: { row: number; code: string | null } | null = null;
  callTraceSeen = false;
  /** Where lockdep says the lock was taken (`at: foo+0x..`). */
  lockAt: string | null = null;
  arch: string | null = null;

  private section: StackSection | null = null;
  /** The stack context a `<IRQ>`/`<NMI>`/`<TASK>` marker opened. */
  private context: string | null = null;
  private nonFrameRun = 0;
  private nmiSection = false;
  private tryingToAcquireSeen = false;

  constructor(
    private readonly lines: PreparedLines,
    private readonly d: Draft,
    faultFromHeadline: string | null,
  ) {
    this.faultRaw = faultFromHeadline;
    this.marks = lineMarks(lines.texts);
  }
  /** The shared line scan's marks (line-marks.ts). */
  private readonly marks: Uint32Array;

  read(): this {
    const { texts, callers } = this.lines;
    const d = this.d;
    const headerCaller = callers[d.hits[0].line];
    for (let i = d.start; i < d.end; i++) {
      const caller = callers[i];
      if (headerCaller && caller && caller !== headerCaller && !this.nmiSection) {
        this.interleaved.add(caller);
        continue;
      }
      const line = texts[i];
      const t = line.trimStart();
      if (t.length === 0) continue;
      collectSlabFacts(t, this.caches, this.sizes, this.marks[i]);
      const marker = t.charCodeAt(0) === 60 /* < */ ? contextMarker(t.trimEnd()) : undefined;
      if (marker !== undefined) {
        this.context = marker;
        continue;
      }
      const frame = isHitLine(d.hits, i) ? null : parseKernelFrame(t, this.context);
      if (frame) {
        this.frameLine(i, frame);
        continue;
      }
      if (this.sectionHeader(t)) continue;
      if (this.section && (SECTION_TERMINATOR.test(t) || ++this.nonFrameRun > 40)) {
        this.section = null;
        this.nonFrameRun = 0;
      }
      this.fieldLine(i, line, t);
    }
    return this;
  }

  private frameLine(i: number, frame: Frame): void {
    // 2.6.18 x86_64 ends its headline with `RIP: ` and prints the faulting address on the next
    // line (`Unable to handle kernel NULL pointer dereference at 0000000000000048 RIP: `).
    if (i > this.d.start && this.lines.texts[i - 1].trimEnd().endsWith(' RIP:')) {
      this.ripFrame ??= { ...frame, context: 'exception' };
      return;
    }
    if (!this.section) {
      // Frames right after a headline (KMSAN, kmemleak without header) form the main stack, and
      // so does arm32's unwinder, which prints `[<pc>] (func) from [<lr>] (caller)` lines
      // without a `Backtrace:` line before them.
      const headerless =
        i - this.d.hits[0].line <= 3 ||
        (frame.raw?.charCodeAt(0) === 40 /* ( */ && frame.raw.includes(') from [<'));
      const label = headerless && !this.sections.some((s) => s.label === 'main') ? 'main' : 'unlabelled';
      this.section = { label, frames: [] };
      this.sections.push(this.section);
    }
    if (this.section.frames.length < 256) this.section.frames.push(frame);
    this.nonFrameRun = 0;
  }

  /** A line that opens a stack section; true when nothing else is to be read from it. */
  private sectionHeader(t: string): boolean {
    let sec: string | null = null;
    const sectionRows = SECTION_DISPATCH.byChar.get(t.charCodeAt(0)) ?? SECTION_DISPATCH.other;
    for (const h of sectionRows) {
      const m = h.pattern.exec(t);
      if (m) {
        sec = h.label(m);
        break;
      }
    }
    if (sec === null) return false;
    if (sec === 'main' && t.startsWith('Call')) this.callTraceSeen = true;
    if (sec.startsWith('NMI backtrace')) this.nmiSection = true;
    if (sec === 'kcsan-access') {
      if (!this.access) {
        const k = KCSAN_ACCESS.exec(t);
        if (k) this.access = { op: k[1] === 'read' ? 'read' : 'write', size: Number(k[2]) };
      }
      sec = this.sections.some((s) => s.label === 'main') ? 'other access' : 'main';
    }
    if (sec === 'main' && this.sections.some((s) => s.label === 'main' && s.frames.length > 0))
      sec = 'other: ' + t.slice(0, 40);
    const existing = sec === 'main' ? this.sections.find((s) => s.label === 'main') : undefined;
    this.section = existing ?? { label: sec, frames: [] };
    if (!existing) this.sections.push(this.section);
    this.context = sec === 'main' ? null : this.context;
    this.nonFrameRun = 0;
    // KFENCE's `Use-after-free read at 0x..` opens its stack and says the access too.
    return !(
      t.startsWith('Use-after') ||
      t.startsWith('Out-of') ||
      t.startsWith('Invalid') ||
      t.startsWith('Corrupted')
    );
  }

  /** Register, CPU, hardware, module, access and lock lines: the report's fields. */
  private fieldLine(i: number, line: string, t: string): void {
    const env = this.env;
    const c0 = t.charCodeAt(0);
    const rip =
      c0 === 82 || c0 === 69 || c0 === 73 || c0 === 112 || c0 === 80 || c0 === 78 || c0 === 101 || c0 === 75
        ? RIP_LINE.exec(t)
        : null;
    if (rip?.groups) {
      this.ripLine(t, rip.groups);
      return;
    }
    if (c0 === 67 /* C */) {
      const cpu = CPU_LINE.exec(t);
      if (cpu) {
        if (env.cpu == null) parseCpuLine(t, cpu, env);
        return;
      }
      const cr2 = CR2.exec(t);
      if (cr2 && !this.faultRaw) this.faultRaw = cr2[1];
      return;
    }
    if (c0 === 72 /* H */) {
      const hw = HARDWARE.exec(t);
      if (hw && !env.hardware) env.hardware = hw[1].trim();
      return;
    }
    if (c0 === 77 /* M */) {
      const mods = MODULES.exec(t);
      if (mods && env.modules && env.modules.length === 0) env.modules = parseModules(mods[1]);
      return;
    }
    if ((c0 === 82 /* R */ || c0 === 87 /* W */ || c0 === 70) /* F */ && this.accessLine(t)) return;
    if (t.startsWith('pstate:') || /^x29 ?: /.test(t)) this.arch ??= 'arm64';
    if (t.startsWith('RSP: ') || t.startsWith('RAX: ')) this.arch ??= 'x86_64';
    const kf = KFENCE_ACCESS.exec(t);
    if (kf) {
      this.access ??= { op: kf[1] === 'read' ? 'read' : 'write', size: null };
      this.faultRaw ??= kf[2];
    }
    const kr = KASAN_RANGE.exec(t);
    if (kr) this.kasanRange = kr[1];
    if (
      !this.tryingToAcquireSeen &&
      /is trying to acquire|is trying to release|is trying to lock|acquired at|^\*\*\* DEADLOCK/.test(t)
    )
      this.tryingToAcquireSeen = true;
    if (!this.lockAt && (this.tryingToAcquireSeen || this.d.hits[0].rule.id === 'lockdep-inconsistent')) {
      const la = LOCK_AT.exec(t);
      if (la) this.lockAt = normaliseKernelFunction(la[1]);
    }
    if (!env.comm) {
      const p = ARM64_PROCESS.exec(t);
      if (p) {
        env.comm = p[1];
        env.pid = Number(p[2]);
      }
      const ht = HUNG_TASK_LINE.exec(t);
      if (ht) env.comm = ht[1];
    }
    if (t.charCodeAt(0) === 62 /* > */) this.shadowRow(i, line, t);
  }

  private ripLine(t: string, groups: Record<string, string>): void {
    if (t.startsWith('RIP')) this.arch ??= 'x86_64';
    else if (t.startsWith('EIP')) this.arch ??= 'i386';
    // arm32 prints `pc : [<..>]    lr : [<..>]    psr: ..`, arm64 4.x the same with `pstate:`.
    else if (t.startsWith('pc :')) this.arch ??= t.includes(' psr: ') ? 'arm' : 'arm64';
    else if (t.startsWith('NIP')) this.arch ??= 'powerpc';
    // mips pads `epc   : <addr> func+0x..`; riscv prints `epc : func+0x..` (`epc: <addr>` before 5.11).
    else if (t.startsWith('epc   :')) this.arch ??= 'mips';
    else if (t.startsWith('epc')) this.arch ??= 'riscv64';
    else if (t.startsWith('Krnl PSW')) this.arch ??= 's390';
    const userMode = groups.cs !== undefined && groups.cs !== '0010' && groups.cs !== '0060';
    const section = this.section;
    const ctx = section ? this.context : 'exception';
    // Symbolised RIP lines name inlined callees first: `RIP: 0010:foo include/x.h:27 [inline]`.
    const f = userMode ? null : (parseSymbolWithOffset(groups.rest, ctx) ?? parseInlineRip(groups.rest, ctx));
    // Old kernels repeat the faulting function after `Code:` (`RIP  [<..>] f+0x..`,
    // `EIP: [<..>] f+0x.. SS:ESP ..`): a summary, not a frame of the trace above it.
    const summary = t.startsWith('RIP  [<') || t.includes(' SS:ESP ');
    if (f) {
      if (section && section.frames.length > 0 && !summary) section.frames.push(f);
      else if (!this.ripFrame) this.ripFrame = f;
    }
  }

  /** KASAN's `Read of size 8 at addr ..` and `Free of addr ..`; true when the line was one. */
  private accessLine(t: string): boolean {
    const env = this.env;
    const a = ACCESS_LINE.exec(t);
    if (a) {
      this.access ??= { op: a[1] === 'Read' ? 'read' : 'write', size: Number(a[2]) };
      this.faultRaw ??= a[3];
      if (a[4]) {
        env.comm ??= a[4];
        env.pid ??= Number(a[5]);
      }
      return true;
    }
    const fr = FREE_OF_ADDR.exec(t);
    if (fr) {
      this.faultRaw ??= fr[1];
      if (fr[2]) {
        env.comm ??= fr[2];
        env.pid ??= Number(fr[3]);
      }
      return true;
    }
    return false;
  }

  /** A KASAN shadow memory row; the `^` line under it points at the first bad granule. */
  private shadowRow(i: number, line: string, t: string): void {
    const sr = SHADOW_ROW.exec(t);
    if (!sr) return;
    const codes = sr[2].trim().split(' ');
    for (const c of codes) {
      const meaning = c !== '00' ? kasanShadowMeaning(c) : null;
      if (meaning && !this.shadowCodes.some((s) => s.code === c)) this.shadowCodes.push({ code: c, meaning });
    }
    const texts = this.lines.texts;
    const next = i + 1 < this.d.end ? texts[i + 1] : '';
    const caret = next.indexOf('^');
    const rowStart = line.indexOf(sr[2].slice(0, 2), line.indexOf(':'));
    if (caret > 0 && rowStart > 0) {
      const idx = Math.floor((caret - rowStart) / 3);
      this.shadowCaret = { row: i, code: idx >= 0 && idx < codes.length ? codes[idx] : null };
    }
  }
}

/** The named groups of a report's headlines, the first value of each (a repeat's function wins). */
function headlineGroups(hits: readonly HeaderHit[]): Record<string, string> {
  const groups: Record<string, string> = {};
  for (const h of hits)
    for (const [k, v] of Object.entries(h.groups))
      if (v !== undefined && (groups[k] === undefined || (h.repeated && k === 'func'))) groups[k] = v;
  return groups;
}

/** The main stack with the faulting function first, and the function the headline names. */
function mainStack(
  reading: ReportReading,
  rule: KernelReportRule,
  groups: Record<string, string>,
): { main: StackSection | undefined; frames: Frame[]; headlineFunction: string | null } {
  const main = reading.sections.find((s) => s.label === 'main');
  let frames: Frame[] = main ? main.frames.slice() : [];
  const ripFrame = reading.ripFrame;
  // The faulting function (RIP/pc) is not in x86 call traces; arm64 prints it first. Put it first once.
  const siteFunction = groups.func ? normaliseKernelFunction(groups.func.split('+')[0]) : null;
  const firstReliable = frames.find((f) => f.reliable);
  if (
    ripFrame &&
    (!firstReliable || firstReliable.function !== ripFrame.function) &&
    rule.frameFrom !== 'hung'
  ) {
    frames.unshift(ripFrame);
  }
  if (rule.frameFrom === 'warning' && siteFunction && frames[0]?.function !== siteFunction) {
    frames.unshift({
      function: siteFunction,
      raw: groups.func,
      module: null,
      reliable: true,
      context: 'exception',
    });
  }
  if (frames.length > 256) frames = frames.slice(0, 256);
  let headlineFunction: string | null = null;
  if (rule.frameFrom === 'headline' && groups.func) headlineFunction = siteFunction;
  else if (rule.frameFrom === 'lock' && reading.lockAt) headlineFunction = reading.lockAt;
  else if (groups.func) headlineFunction = siteFunction;
  return { main, frames, headlineFunction };
}

/** The structural title from the row's template (kernel-title.ts replaces it where syzbot's rules apply). */
function templateTitle(
  rule: KernelReportRule,
  groups: Record<string, string>,
  reading: ReportReading,
  guiltyName: string | null,
  notes: string[],
): { title: string; headline: string } {
  const slots: Record<string, string> = { ...groups };
  if (reading.access && rule.id === 'kasan') slots.access = reading.access.op === 'read' ? 'Read' : 'Write';
  if (groups.funcs) {
    slots.funcs = groups.funcs
      .split(' / ')
      .map((f) => normaliseKernelFunction(f.split('+')[0]))
      .join(' / ');
  }
  if (groups.reason)
    slots.reason = groups.reason.replace(/ exitcode=0x[0-9a-f]+/, '').replace(/\b\d+\b/g, 'NUM');
  if (groups.problem) slots.problem = groups.problem.trim();
  let template = rule.titleTemplate;
  if (guiltyName) slots.frame = canonicalTitleFunction(guiltyName);
  else if (template.includes('{frame}')) {
    template = template.replace(/ in \{frame\}/, '');
    if (rule.frameFrom !== 'none') notes.push('no guilty frame found');
  }
  const title = normaliseTitle(template.replace(/\{(\w+)\}/g, (_m, k: string) => slots[k] ?? ''));
  const headline = normaliseTitle(
    rule.titleTemplate
      .replace(/ in \{frame\}.*$/, '')
      .replace(/\{(\w+)\}/g, (_m, k: string) => slots[k] ?? ''),
  );
  return { title, headline };
}

/** Poison values of the report's lines, and the shadow byte KASAN's marker points at. */
function reportPoison(
  lines: PreparedLines,
  d: Draft,
  reading: ReportReading,
): ParsedReport['indicators']['poisonValues'] {
  const poisonValues = scanPoison(lines.texts, d.start, d.end, 'kernel');
  const code = reading.shadowCaret?.code;
  const meaning = code ? kasanShadowMeaning(code) : null;
  if (code && meaning) {
    poisonValues.push({
      value: '0x' + code,
      name: meaning.split(':')[0],
      base: '0x' + code,
      offset: 0,
      meaning: meaning.split(': ').slice(1).join(': ') || meaning,
      where: 'shadow byte',
    });
  }
  return poisonValues;
}

function buildReport(lines: PreparedLines, d: Draft): KernelCandidate {
  const rule = d.hits[0].rule;
  const groups = headlineGroups(d.hits);
  let oopsNo: number | null = null;
  for (const h of d.hits) if (h.groups.oopsNo && oopsNo === null) oopsNo = Number(h.groups.oopsNo);

  const reading = new ReportReading(lines, d, groups.address ?? null).read();
  const env = reading.env;
  const notes: string[] = [];
  if (reading.interleaved.size > 0)
    notes.push(`interleaved lines from ${[...reading.interleaved].slice(0, 4).join(', ')} skipped`);
  // Environment from the headline itself.
  if (groups.comm && !env.comm) env.comm = groups.comm.trim();
  if (groups.pid && env.pid == null) env.pid = Number(groups.pid);
  if (groups.cpu && env.cpu == null) env.cpu = Number(groups.cpu);
  env.arch = reading.arch ?? archFromVersion(env.kernelVersion) ?? archFromFrames(reading.sections) ?? null;

  const { main, frames, headlineFunction } = mainStack(reading, rule, groups);
  const extraSkip = rule.extraSkip;
  let guilty = chooseGuilty(
    frames,
    rule.frameFrom === 'lock' ? 'stack' : rule.frameFrom,
    extraSkip,
    headlineFunction,
  );
  if (rule.frameFrom === 'lock' && reading.lockAt) {
    const g2 = chooseGuilty(frames, 'headline', extraSkip, reading.lockAt);
    if (g2.name) guilty = g2;
  }
  const state = crashState(frames, guilty, extraSkip);

  let kind: CrashKind = rule.kind;
  if (rule.kindBy) {
    const v = groups[rule.kindBy.group];
    if (v !== undefined && rule.kindBy.map[v]) kind = rule.kindBy.map[v];
  }
  if (reading.callTraceSeen && (!main || main.frames.length === 0)) notes.push('no frames after Call Trace');
  const { title, headline } = templateTitle(rule, groups, reading, guilty.name, notes);
  if (rule.frameFrom !== 'none' && frames.length === 0 && !headlineFunction) {
    notes.push(
      d.end >= lines.texts.length
        ? 'truncated: report ends before any stack frame'
        : 'no stack frames in report',
    );
    kind = 'unknown';
  }

  const faultAddress = reading.faultRaw ? classifyFaultAddress(reading.faultRaw, env.arch) : null;
  if (faultAddress && reading.kasanRange && !faultAddress.decoded) faultAddress.decoded = reading.kasanRange;
  const sections = reading.sections;
  const alloc = sections.find((s) => s.label === 'alloc');
  const free = sections.find((s) => s.label === 'free');
  const others = sections.filter(
    (s) => s.label !== 'main' && s.label !== 'alloc' && s.label !== 'free' && s.frames.length > 0,
  );
  const report: ParsedReport = {
    format: 'linux-kernel',
    title,
    kind,
    headline,
    access: reading.access,
    frames,
    guiltyFrame: guilty.index,
    state,
    indicators: {
      poisonValues: reportPoison(lines, d, reading),
      slabCaches: [...reading.caches],
      objectSizes: [...reading.sizes],
      faultAddress,
      shadowCodes: reading.shadowCodes,
    },
    environment: env,
    secondaryOf: null,
    span: { startLine: d.start, endLine: d.end },
    notes,
    fingerprint: null,
  };
  if (alloc) report.allocStack = alloc.frames;
  if (free) report.freeStack = free.frames;
  if (others.length > 0) report.otherStacks = others.map((s) => ({ label: s.label, frames: s.frames }));
  return {
    report,
    startLine: d.start,
    endLine: d.end,
    meta: { ruleId: rule.id, oopsNo, setsTaint: taintSetBy(rule.id, d.hits) },
  };
}

function parseInlineRip(rest: string, context: string | null): Frame | null {
  if (!rest.endsWith(' [inline]')) return null;
  return parseKernelFrame(rest, context);
}

function isHitLine(hits: readonly HeaderHit[], i: number): boolean {
  for (const h of hits) if (h.line === i) return true;
  return false;
}

function parseCpuLine(t: string, m: RegExpExecArray, env: Environment): void {
  env.cpu = Number(m[1]);
  env.pid = Number(m[2]);
  const rest = t.slice(m[0].length);
  let idx = rest.indexOf(' Not tainted ');
  let tail: string;
  let commEnd: number;
  if (idx >= 0) {
    commEnd = idx;
    tail = rest.slice(idx + 13);
    env.taint = 'G';
  } else {
    idx = rest.indexOf(' Tainted: ');
    if (idx < 0) {
      env.comm = rest.split(' ')[0];
      return;
    }
    commEnd = idx;
    tail = rest.slice(idx + 10);
    const tokens = tail.split(/ +/);
    let letters = '';
    let k = 0;
    for (; k < tokens.length && /^[A-Z]{1,20}$/.test(tokens[k]); k++) letters += tokens[k];
    letters = letters.replace(/^G/, '');
    env.taint = letters.length > 0 ? letters : 'G';
    tail = tokens.slice(k).join(' ');
  }
  let comm = rest.slice(0, commEnd);
  comm = comm.replace(/ Kdump: loaded$/, '');
  env.comm = comm;
  // RHEL prints a `------------` marker between the taint letters and the release.
  const version = tail.split(/ +/).find((tok) => /^\d/.test(tok));
  if (version) env.kernelVersion = version;
}

function parseModules(s: string): string[] {
  const out: string[] = [];
  for (const tok of s.trim().split(/\s+/)) {
    if (tok.startsWith('[')) break;
    const name = tok.replace(/\(.*$/, '');
    if (/^[\w-]{1,64}$/.test(name) && out.length < 500) out.push(name);
  }
  return out;
}

const X86_FRAMES =
  /^(?:entry_SYSCALL_64|do_syscall_64|asm_exc_|asm_sysvec_|asm_common_interrupt|exc_page_fault)/;
const ARM64_FRAMES =
  /^(?:el0_svc|el1h_64_|el0t_64_|el1_irq|el1_sync|gic_handle_irq|do_el0_svc|invoke_syscall)/;

function archFromFrames(sections: readonly StackSection[]): string | null {
  for (const s of sections) {
    for (const f of s.frames) {
      if (X86_FRAMES.test(f.function)) return 'x86_64';
      if (ARM64_FRAMES.test(f.function)) return 'arm64';
    }
  }
  return null;
}

export function archFromVersion(v: string | null | undefined): string | null {
  if (!v) return null;
  if (/x86_64|amd64/.test(v)) return 'x86_64';
  if (/aarch64|arm64/.test(v)) return 'arm64';
  if (/ppc64/.test(v)) return 'powerpc';
  if (/s390/.test(v)) return 's390';
  if (/riscv/.test(v)) return 'riscv64';
  if (/i[3-6]86/.test(v)) return 'i386';
  return null;
}

const SETS_B = /^(?:kasan|kfence|kmsan|slub-debug|bad-page)$/;
const SETS_W = /^(?:warning.*|refcount|lockdep-.*|rcu-usage|wrong-slab-cache)$/;
const SETS_L = /^soft-lockup$/;
const SETS_D =
  /^(?:null-deref.*|paging.*|gpf|kernel-bug|list-debug-bug|usercopy-bug|stack-overflow-double-fault|double-fault|divide-error|invalid-opcode|arm64-.*|oops-line)$/;

function taintSetBy(ruleId: string, hits: readonly HeaderHit[]): string {
  let s = '';
  for (const id of [ruleId, ...hits.map((h) => h.rule.id)]) {
    if (SETS_B.test(id) && !s.includes('B')) s += 'B';
    if (SETS_W.test(id) && !s.includes('W')) s += 'W';
    if (SETS_L.test(id) && !s.includes('L')) s += 'L';
    if (SETS_D.test(id) && !s.includes('D')) s += 'D';
  }
  return s;
}

/** Reports only the title table knows (`Unhandled fault:`, `trusty: panic`): frames as for any oops. */
const TITLED_ONLY_RULE: KernelReportRule = {
  id: 'titled',
  header: '',
  pattern: /$^/,
  titleTemplate: '{frame}',
  kind: 'bug',
  role: 'start',
  frameFrom: 'stack',
  example: 'Unhandled fault: page domain fault (0x01b) at 0x00000000',
  why: 'the title table (kernel-titles.ts) names the report; the frames are read like any oops',
};

/**
 * Names each kernel report the way syzbot does (kernel-title.ts) and marks what cannot be
 * trusted. A titled report the structural scanner did not find becomes a report of its own.
 * Returns the report the first title belongs to (syzkaller's first oops: the main report).
 */
/** A title line at most this many lines above a report's own header names that report. */
const TITLE_BEFORE_REPORT_LINES = 2;

export function applyKernelTitles(
  lines: PreparedLines,
  kernel: KernelCandidate[],
  titles: readonly KernelTitle[],
  userspaceFound: boolean,
): KernelCandidate | null {
  const titled = new Set<KernelCandidate>();
  let first: KernelCandidate | null = null;
  for (let t = 0; t < titles.length; t++) {
    const title = titles[t];
    // In a user-space report, `INFO: Seed: 1234` (libFuzzer) or `panic:` (Go) is not a kernel report.
    if (userspaceFound && (!title.formatMatched || title.sharedWithUserspace)) continue;
    let host: KernelCandidate | null = null;
    for (const k of kernel)
      if (
        k.startLine <= title.startLine &&
        title.startLine < k.endLine &&
        (!host || k.startLine > host.startLine)
      )
        host = k;
    if (host && titled.has(host)) continue;
    // A title line printed just before a report of its own kind names that report: syzkaller's
    // `BUG: memory leak` banner, then kmemleak's `unreferenced object ...` and its backtrace.
    if (!host) {
      const next = titles[t + 1]?.startLine ?? Infinity;
      host =
        kernel.find(
          (k) =>
            k.startLine > title.startLine &&
            k.startLine <= title.startLine + TITLE_BEFORE_REPORT_LINES &&
            // (kmemleak's own line is titled too: the banner's title takes the report it opens)
            k.startLine <= next &&
            !titled.has(k) &&
            k.report.kind === title.kind,
        ) ?? null;
    }
    if (!host) {
      let end = Math.min(lines.texts.length, title.startLine + MAX_REPORT_LINES);
      let next: KernelCandidate | null = null;
      for (const k of kernel)
        if (k.startLine > title.startLine && k.startLine < end) {
          end = k.startLine;
          next = k;
        }
      const hits: HeaderHit[] = [{ line: title.startLine, rule: TITLED_ONLY_RULE, groups: {} }];
      // A headline the structural table does not know (`Unhandled fault:`, old wordings such as
      // i386's `... dereference at virtual address`) is followed by lines it does know as parts
      // of a report (`Oops: 0000 [#1]`, `Internal error:`, `Kernel panic`). Printed without a
      // report before them they opened one of their own: it is this title's report.
      const draft = next ? draftOf.get(next) : undefined;
      const claim =
        draft !== undefined &&
        draft.hits[0].rule.role === 'continuation' &&
        draft.hits[0].line - title.startLine <= CONTINUATION_WINDOW &&
        !titled.has(next as KernelCandidate) &&
        (t + 1 >= titles.length || titles[t + 1].startLine >= draft.hits[0].line);
      if (claim && draft && next) {
        hits.push(...draft.hits);
        end = draft.end;
        kernel.splice(kernel.indexOf(next), 1);
      } else if (t + 1 < titles.length)
        end = Math.min(end, Math.max(title.startLine + 1, titles[t + 1].startLine));
      host = buildReport(lines, { hits, start: title.startLine, end, closed: true, absorbUntil: -1 });
      kernel.push(host);
      kernel.sort((a, b) => a.startLine - b.startLine);
    }
    titled.add(host);
    first ??= host;
    nameReport(host.report, title);
  }
  return first;
}

function nameReport(r: ParsedReport, t: KernelTitle): void {
  r.title = t.title;
  r.headline = t.headline;
  // A generic kind from the title (`WARNING`, `kernel BUG`, a bad access of no named type) gives
  // way to a specific one the report's own words gave (refcount `underflow; use-after-free`,
  // list_add corruption, KASAN 4.0's `out of bounds access`, which no title format names).
  const generic = t.kind === 'warning' || t.kind === 'bug' || t.kind === 'bad-access';
  if (
    t.kind !== 'unknown' &&
    !(generic && r.kind !== 'unknown' && r.kind !== 'warning' && r.kind !== 'bug' && r.kind !== 'bad-access')
  )
    r.kind = t.kind;
  r.corrupted = t.corrupted;
  r.corruptedReason = t.corruptedReason;
  if (t.corrupted) r.notes.push(`corrupted: ${t.corruptedReason}`);
  if (t.frame) {
    const name = t.frame;
    const raw = t.rawFrame ? normaliseKernelFunction(t.rawFrame) : null;
    const find = (ok: (fn: string) => boolean): number =>
      r.frames.findIndex((f) => f.reliable && ok(f.function));
    const waits = r.kind === 'hang' || r.kind === 'stall';
    let idx = find((fn) => (!waits && fn === raw) || fn === name || stripSyscallPrefix(fn) === name);
    // A title may shorten the frame it names (`smp_call_function` for smp_call_function_single).
    if (idx < 0 && !waits) idx = find((fn) => fn.startsWith(name));
    r.guiltyFrame = idx >= 0 ? idx : null;
    // The state follows the titled frame's callers. For hangs and stalls only the title's own
    // name is looked for (a merged `synchronize_rcu` is not in the stack) and the wait chain
    // follows it: measured on real replicates (bench/match), that keeps them together. A stack
    // overflow whose stack lacks the frame keeps the name alone (its top is the recursion).
    const alone = r.kind === 'stack-overflow';
    if (idx >= 0) r.state = crashState(r.frames, { index: idx, name: r.frames[idx].function });
    else r.state = alone ? [name] : crashState(r.frames, { index: null, name });
  }
}
