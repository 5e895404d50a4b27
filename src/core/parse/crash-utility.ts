// `crash` utility sessions (REFERENCE.md §4): session header, `bt`/`bt -l`, `kmem`,
// structure and list dumps. The PANIC string is classified with the kernel family table.
import type { Environment, Frame, ParsedReport } from '../types';
import { KERNEL_REPORT_RULES } from '../rules/kernel-reports';
import type { ReportCandidate } from './candidate';
import type { PreparedLines } from './envelope';
import { parseCrashBtFrame, parseCrashExceptionFrame } from './frames';
import { canonicalTitleFunction, chooseGuilty, crashState, normaliseTitle } from './guilty';
import { classifyFaultAddress, scanPoison } from './indicators';
import { archFromVersion } from './kernel';

const SESSION_HEADER =
  /^(?:KERNEL|DUMPFILE|RELEASE|PANIC|UPTIME|LOAD AVERAGE|TASKS|NODENAME|VERSION|MACHINE|MEMORY|CPUS|DATE|COMMAND|STATE): /;
const BT_HEADER =
  /^PID: {1,8}(\d{1,10}) {1,12}TASK: ([0-9a-f]{1,16}) {1,8}CPU: (\d{1,5}) {1,8}COMMAND: "(.{0,64})"/;
const PROMPT = /^crash(?:64)?> ?(.{0,400})$/;
const PANIC_LINE = /^PANIC: "(.{0,300})"/;
const KMEM_HEADER = /^CACHE {1,40}(NAME {1,40})?OBJSIZE/;
const SOURCE_LINE = /^(\/[^\s:]{1,400}|[\w./-]{1,400}\.[chS]): (\d{1,7})$/;

/** True if the lines look like a crash session (cheap check on the first lines carrying crash markers). */
export function scanCrashSessions(lines: PreparedLines): ReportCandidate[] {
  const { texts } = lines;
  let first = -1;
  let markers = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (
      t.startsWith('crash> ') ||
      t.startsWith('crash64> ') ||
      PANIC_LINE.test(t) ||
      (BT_HEADER.test(t) && i + 1 < texts.length && texts[i + 1].trimStart().startsWith('#0 '))
    ) {
      if (first < 0) first = i;
      markers++;
    }
  }
  if (first < 0 || markers === 0) return [];
  // Extend the start back over the session header block (KERNEL:, RELEASE:, ...).
  let start = first;
  for (let k = first - 1; k >= 0 && first - k < 20; k--) if (SESSION_HEADER.test(texts[k].trim())) start = k;
  return [buildSession(lines, start, texts.length)];
}

interface BtBlock {
  pid: number;
  comm: string;
  cpu: number;
  frames: Frame[];
  exceptionIndex: number | null;
  registersArch: string | null;
}

function buildSession(lines: PreparedLines, start: number, end: number): ReportCandidate {
  const { texts } = lines;
  const env: Environment = { modules: [] };
  const notes: string[] = [];
  let panic: string | null = null;
  let headerPid: number | null = null;
  const bts: BtBlock[] = [];
  let bt: BtBlock | null = null;
  let btContextIrq = false;
  const caches = new Set<string>();
  const sizes = new Set<number>();
  let kmemState: 'none' | 'cache' | 'object' = 'none';
  let kmemNameLast = false;
  let kmemCache: string | null = null;
  let lastFrame: Frame | null = null;

  for (let i = start; i < end; i++) {
    const t = texts[i].trim();
    if (t.length === 0) continue;
    const prompt = PROMPT.exec(t);
    if (prompt) {
      bt = null;
      kmemState = 'none';
      lastFrame = null;
      continue;
    }
    const p = PANIC_LINE.exec(t);
    if (p) {
      panic ??= p[1];
      continue;
    }
    if (t.startsWith('RELEASE: ')) {
      env.kernelVersion ??= t.slice(9).trim();
      continue;
    }
    if (t.startsWith('PID: ') && !BT_HEADER.test(t)) {
      headerPid ??= Number(t.slice(5).trim()) || null;
      continue;
    }
    if (t.startsWith('COMMAND: "') && env.comm == null) {
      env.comm = t.slice(10).replace(/"$/, '');
      continue;
    }
    if (t.startsWith('CPU: ') && env.cpu == null && /^CPU: \d{1,5}$/.test(t)) {
      env.cpu = Number(t.slice(5));
      continue;
    }
    if (t.startsWith('MACHINE: ')) {
      env.arch ??= archFromVersion(t) ?? null;
      continue;
    }
    const bh = BT_HEADER.exec(t);
    if (bh) {
      bt = {
        pid: Number(bh[1]),
        comm: bh[4],
        cpu: Number(bh[3]),
        frames: [],
        exceptionIndex: null,
        registersArch: null,
      };
      bts.push(bt);
      btContextIrq = false;
      lastFrame = null;
      continue;
    }
    if (bt) {
      if (t === '--- <IRQ stack> ---' || t.startsWith('--- <')) {
        // Frames printed before the marker ran on the IRQ stack.
        for (const f of bt.frames) if (f.context !== 'exception') f.context = 'irq';
        btContextIrq = true;
        continue;
      }
      const f = parseCrashBtFrame(t, btContextIrq ? 'task' : null);
      if (f) {
        const prev = bt.frames[bt.frames.length - 1];
        // arm64 prints the PC function again as the next frame: keep one.
        if (!(prev && prev.context === 'exception' && prev.function === f.function)) {
          if (bt.frames.length < 256) bt.frames.push(f);
          lastFrame = f;
        } else lastFrame = prev;
        continue;
      }
      const ex = parseCrashExceptionFrame(t);
      if (ex) {
        if (t.startsWith('PC:')) bt.registersArch = 'arm64';
        if (t.startsWith('[exception RIP')) bt.registersArch = 'x86_64';
        if (bt.exceptionIndex === null) bt.exceptionIndex = bt.frames.length;
        // Only the first exception frame is the fault; later PC: blocks are interrupted contexts.
        if (bt.frames.length < 256 && (bt.exceptionIndex === bt.frames.length || !t.startsWith('PC:')))
          bt.frames.push(ex);
        lastFrame = ex;
        continue;
      }
      if (/^RIP: [0-9a-f]{16} /.test(t)) bt.registersArch ??= 'x86_64';
      const src = SOURCE_LINE.exec(t);
      if (src && lastFrame && !lastFrame.file) {
        lastFrame.file = src[1];
        lastFrame.line = Number(src[2]);
        continue;
      }
    }
    // kmem output.
    const kh = KMEM_HEADER.exec(t);
    if (kh) {
      kmemState = 'cache';
      kmemNameLast = kh[1] === undefined;
      continue;
    }
    if (kmemState === 'cache') {
      const tok = t.split(/\s+/);
      // People paste the cache line with its numbers cut or replaced by a comment
      // (`ffff9d00ffc07900 kmalloc-128//note`): the address and a cache name are enough.
      if (tok.length >= 2 && /^[0-9a-f]{8,16}$/.test(tok[0])) {
        const raw = kmemNameLast ? tok[tok.length - 1] : tok.find((x, k) => k > 0 && !/^\d+k?$/.test(x));
        const name = raw ? /^[A-Za-z_][\w.:-]{0,63}/.exec(raw)?.[0] : undefined;
        const size = tok.slice(1).find((x) => /^\d+$/.test(x));
        if (name) {
          caches.add(name);
          kmemCache = name;
        }
        if (size) sizes.add(Number(size));
      }
      kmemState = 'none';
      continue;
    }
    if (t.startsWith('FREE / [ALLOCATED]')) {
      kmemState = 'object';
      continue;
    }
    if (kmemState === 'object') {
      const m = /^(\[)?([0-9a-f]{8,16})(\])?(?: {1,3}\(cpu \d{1,5} cache\))?$/.exec(t);
      if (m) {
        const state = m[1] ? 'ALLOCATED' : 'FREE';
        const note = `kmem: object ${m[2]} is ${state}${kmemCache ? ' in ' + kmemCache : ''}`;
        if (!notes.includes(note) && notes.length < 20) notes.push(note);
      }
      kmemState = 'none';
      continue;
    }
  }

  // The panic task's backtrace is the crashing stack; other tasks' go to otherStacks.
  const panicBt =
    bts.find((b) => headerPid !== null && b.pid === headerPid && b.frames.length > 0) ??
    bts.find((b) => b.frames.length > 0) ??
    null;
  const frames = panicBt ? panicBt.frames : [];
  const exceptionIndex = panicBt?.exceptionIndex ?? null;
  if (panicBt) {
    env.pid ??= panicBt.pid;
    env.comm ??= panicBt.comm;
    env.cpu ??= panicBt.cpu;
    env.arch ??= panicBt.registersArch;
  }
  env.arch ??= archFromVersion(env.kernelVersion) ?? null;

  // Classify the PANIC string with the kernel family table.
  const panicText = panic ?? '';
  const rule = panic
    ? KERNEL_REPORT_RULES.find((r) => panicText.includes(r.header) && r.pattern.test(panicText))
    : undefined;
  const groups = rule ? (rule.pattern.exec(panicText)?.groups ?? {}) : {};
  // Frames before the exception frame are crash_kexec/oops/page-fault machinery.
  const searchFrom = exceptionIndex ?? 0;
  const tail = frames.slice(searchFrom);
  const g = chooseGuilty(tail, rule?.frameFrom ?? 'stack', rule?.extraSkip, null);
  const guilty = { index: g.index === null ? null : g.index + searchFrom, name: g.name };
  const state = crashState(tail, g, rule?.extraSkip);
  let title: string | null = null;
  let headline: string | null = null;
  let kind: ParsedReport['kind'] = 'unknown';
  if (rule) {
    kind = rule.kindBy ? (rule.kindBy.map[groups[rule.kindBy.group] ?? ''] ?? rule.kind) : rule.kind;
    const slots: Record<string, string> = { ...groups };
    let template = rule.titleTemplate;
    if (guilty.name) slots.frame = canonicalTitleFunction(guilty.name);
    else template = template.replace(/ in \{frame\}/, '');
    title = normaliseTitle(template.replace(/\{(\w+)\}/g, (_m, k: string) => slots[k] ?? ''));
    headline = normaliseTitle(
      rule.titleTemplate
        .replace(/ in \{frame\}.*$/, '')
        .replace(/\{(\w+)\}/g, (_m, k: string) => slots[k] ?? ''),
    );
  } else if (panic) {
    headline = normaliseTitle('kernel panic: ' + panic);
    title = guilty.name ? `${headline} in ${canonicalTitleFunction(guilty.name)}` : headline;
    kind = 'panic';
    notes.push('PANIC string not recognised; titled from it as printed');
  } else if (frames.length > 0) {
    headline = 'crash backtrace';
    title = guilty.name ? `crash backtrace in ${canonicalTitleFunction(guilty.name)}` : null;
    kind = 'unknown';
    notes.push('no PANIC line: backtrace only');
  }
  if (frames.length === 0) notes.push('no bt output in the crash session');

  const faultRaw = groups.address ?? null;
  const report: ParsedReport = {
    format: 'crash-utility',
    title,
    kind,
    headline,
    access: null,
    frames,
    guiltyFrame: guilty.index,
    state,
    indicators: {
      poisonValues: scanPoison(texts, start, end, 'kernel'),
      slabCaches: [...caches],
      objectSizes: [...sizes],
      faultAddress: faultRaw ? classifyFaultAddress(faultRaw, env.arch) : null,
      shadowCodes: [],
    },
    environment: env,
    secondaryOf: null,
    span: { startLine: start, endLine: end },
    notes,
    fingerprint: null,
  };
  const others = bts.filter((b) => b !== panicBt && b.frames.length > 0);
  if (others.length > 0)
    report.otherStacks = others.map((b) => ({ label: `bt ${b.pid} "${b.comm}"`, frames: b.frames }));
  return { report, startLine: start, endLine: end };
}
