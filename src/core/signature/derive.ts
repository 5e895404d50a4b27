// Derives a stored matcher from one parsed dump (POST /signatures/from-dump, bucket promotion,
// the benchmark). The matcher must catch the next occurrence of the same bug (other build,
// other addresses, another caller path further down) and not catch other bugs (others that
// merely share kfree or a list check on top). So it keeps what identifies, and drops what varies.
import type { ParsedDump, ParsedReport, SignatureMatcher } from '../types';
import { canonicalFrame, classifyFrame, stateFrameNames } from '../match/frames';
import { isGenericSlabCache } from '../match/index';
import { isIdentifyingPoison, kindsRelated } from '../match/score';
import { DERIVE_LIMITS } from '../match/weights';
import { stateAsFrames, titleFunction, titledFrameIndex } from '../match/stack';

/** Report formats whose object sizes come from one binary's own types (user space). */
const USERSPACE_FORMATS = new Set(['asan', 'hwasan', 'msan', 'tsan', 'ubsan', 'lsan', 'valgrind', 'gdb']);

/**
 * Frames where a caller path starts (syzkaller's stall "anchors"); derivation stops there.
 * Below a syscall, workqueue or thread entry is how the task got there; below an interrupt or
 * softirq entry is whatever the CPU was doing when the interrupt came (another task's code,
 * idle), which the next occurrence of the bug will not share.
 */
const ENTRY_FRAMES: readonly { prefix: string; why: string }[] = [
  { prefix: 'do_syscall_', why: 'syscall entry (x86)' },
  { prefix: 'entry_SYSCALL', why: 'syscall entry (x86)' },
  { prefix: 'x64_sys_call', why: 'syscall dispatch (x86)' },
  { prefix: 'invoke_syscall', why: 'syscall entry (arm64)' },
  { prefix: 'el0_svc', why: 'syscall entry (arm64)' },
  { prefix: 'process_one_work', why: 'workqueue entry' },
  { prefix: 'worker_thread', why: 'workqueue entry' },
  { prefix: 'kthread', why: 'kernel thread entry' },
  { prefix: 'ret_from_fork', why: 'thread entry' },
  { prefix: '__do_softirq', why: 'softirq entry: below it the interrupted context' },
  { prefix: 'handle_softirqs', why: 'softirq entry (6.x): below it the interrupted context' },
  { prefix: 'net_rx_action', why: 'networking softirq entry' },
  { prefix: 'rcu_core', why: 'RCU callback entry' },
  { prefix: 'rcu_do_batch', why: 'RCU callback entry' },
  { prefix: 'call_timer_fn', why: 'timer callback entry' },
  { prefix: 'task_work_run', why: 'deferred work entry' },
  { prefix: 'irq_exit', why: 'interrupt exit runs softirqs: below it the interrupted context' },
  { prefix: '__irq_exit', why: 'interrupt exit (6.x)' },
  {
    prefix: 'smp_apic_timer_interrupt',
    why: 'timer interrupt entry (x86, old): below it the interrupted context',
  },
  { prefix: 'apic_timer_interrupt', why: 'timer interrupt entry (x86, old)' },
  { prefix: 'sysvec_', why: 'interrupt entry (x86)' },
  { prefix: 'asm_sysvec_', why: 'interrupt entry (x86)' },
  { prefix: '__sysvec_', why: 'interrupt entry (x86)' },
  { prefix: 'do_IRQ', why: 'interrupt entry (x86, old)' },
  { prefix: 'common_interrupt', why: 'interrupt entry (x86)' },
  { prefix: 'asm_common_interrupt', why: 'interrupt entry (x86)' },
  { prefix: 'gic_handle_irq', why: 'interrupt entry (arm64)' },
  { prefix: 'el1_irq', why: 'interrupt entry (arm64)' },
  { prefix: 'el1h_64_irq', why: 'interrupt entry (arm64)' },
  { prefix: 'generic_handle_arch_irq', why: 'interrupt entry (arm)' },
  { prefix: '__handle_domain_irq', why: 'interrupt entry (arm, old)' },
  { prefix: 'start_thread', why: 'user-space thread entry' },
  { prefix: '__libc_start', why: 'user-space entry' },
];

const isEntryFrame = (n: string): boolean => ENTRY_FRAMES.some((e) => n.startsWith(e.prefix));

/**
 * Why no signature can be derived from this dump, or null when one can: every report with a
 * title gives a matcher (one without frames gives a title- and kind-only matcher that weighs
 * little); a dump without any titled report has nothing to name the bug by.
 */
export function derivable(dump: ParsedDump | ParsedReport): string | null {
  const reports = 'reports' in dump && dump.reports?.length ? [dump, ...dump.reports] : [dump];
  if (reports.some((r) => (r.title ?? '').trim().length > 0)) return null;
  return 'no recognisable crash report (none with a title) in the dump';
}

/** The report a signature is derived from: the main one, unless another says more. */
function pickReport(dump: ParsedDump | ParsedReport): ParsedReport {
  const reports = 'reports' in dump ? (dump.reports ?? []) : [];
  // The main report may carry no stack (a headline whose trace went to another report, as
  // in a KASAN double-free split in two): derive from the first report that has one.
  // Only one of the same bug class, though: a report of another class (a WARNING printed in
  // the middle of a stall report, a stack-overflow panic after a KASAN report) is another
  // bug's stack, and the main report's own state or titled function says more about this one.
  if ((dump.frames ?? []).length > 0) return dump;
  const sameClass = (r: ParsedReport): boolean =>
    !dump.kind || dump.kind === 'unknown' || r.kind === dump.kind || kindsRelated(r.kind, dump.kind);
  const withFrames = reports.find((r) => (r.frames ?? []).length > 0 && r.kind !== 'unknown' && sameClass(r));
  if (withFrames) return withFrames;
  if ((dump.state ?? []).length > 0 || titleFunction(dump.title)) return dump;
  const other = reports.find((r) => (r.frames ?? []).length > 0 && r.kind !== 'unknown');
  if (other) return other;
  if ((dump.state ?? []).length > 0 || dump.title) return dump;
  return reports.find((r) => (r.state ?? []).length > 0) ?? reports.find((r) => r.title) ?? dump;
}

export function deriveMatcher(dump: ParsedDump | ParsedReport): SignatureMatcher {
  const parsed = pickReport(dump);
  const named = titleFunction(parsed.title);
  // A corrupted report whose title names no frame (`... in corrupted`) and that has no crash
  // state either: its frames are not trusted, so it gives a title- and kind-only matcher. A
  // report that printed no frames but whose title names one: the state (or the titled
  // function) stands for them.
  const untrusted = parsed.corrupted === true && named === null && (parsed.state ?? []).length === 0;
  const frames = untrusted ? [] : stateAsFrames(parsed);
  const names = frames.map((f) => canonicalFrame(f.function ?? ''));
  let state = untrusted ? [] : stateFrameNames(parsed).filter((s) => s.length > 0);
  if (state.length === 0 && named && names.includes(named)) state = [named];
  const hangLike = parsed.kind === 'hang' || parsed.kind === 'stall';
  const maxFrames = hangLike ? DERIVE_LIMITS.maxFramesHang.value : DERIVE_LIMITS.maxFrames.value;
  const titled = frames === parsed.frames ? titledFrameIndex(parsed) : 0;

  // 1. The crash state: the parser already skipped reporting/runtime frames; these three are
  //    what syzbot/ClusterFuzz dedup on, so they lead, in their order. The first is the frame
  //    the title names; the others only where they are its callers on the stack (a stall's
  //    state may continue with the detector's frames printed above the stalled code), and
  //    for a hang or stall only specific ones (not `__schedule` below the blocked call).
  const out: string[] = [];
  let last = titled ?? -1;
  // The state may itself reach entry plumbing (a softirq handler's state ends in
  // `__do_softirq, irq_exit`): the caller path ends there, no caller below the state is kept.
  let entered = false;
  state.forEach((s, k) => {
    if (out.includes(s) || out.length >= maxFrames) return;
    if (k === 0) {
      out.push(s);
      return;
    }
    const at = names.indexOf(s, last + 1);
    if (at < 0 || classifyFrame(s) === 'reporting') return;
    if (isEntryFrame(s)) entered = true;
    if (hangLike && classifyFrame(s) !== 'specific') return;
    out.push(s);
    last = at;
  });

  // 2. A few more callers from the crashing stack, below the last state frame: reliable (a `?`
  //    frame may be stale stack contents), not reporting machinery, not generic (kfree, locks,
  //    syscall entry: shared by every bug, they would only make the matcher stricter without
  //    making it more specific), not inlined-only (present only when the dump was symbolised).
  let from = 0;
  if (state.length > 0) {
    if (last >= 0) from = last + 1;
    else {
      const at = names.indexOf(state[state.length - 1]);
      if (at >= 0) from = at + 1;
    }
  } else if (parsed.guiltyFrame != null) {
    from = parsed.guiltyFrame;
  }
  for (let i = from; i < frames.length && out.length < maxFrames && !entered; i++) {
    const f = frames[i];
    const n = names[i];
    if (!n || f.reliable === false || f.inlined === true || out.includes(n)) continue;
    if (classifyFrame(n) !== 'specific') {
      // Entry plumbing (syscall, workqueue, softirq, thread start) marks where the caller
      // path begins: below it frames say how we got here, not what the bug is.
      if (isEntryFrame(n)) break;
      continue;
    }
    out.push(n);
  }

  // 3. No state (unknown kind, odd format): fall back to the top specific reliable frames.
  if (out.length === 0) {
    for (let i = 0; i < frames.length && out.length < maxFrames; i++) {
      const n = names[i];
      if (n && frames[i].reliable !== false && classifyFrame(n) === 'specific' && !out.includes(n))
        out.push(n);
    }
  }

  // The guilty frame is the one the title names; it is the first state frame by construction,
  // unless the parser's state starts elsewhere (a held lock freed: the state is the free path,
  // the title names the lock holder further down), then it is the titled frame if kept.
  let guiltyFrame: number | null = null;
  if (named && state[0] !== named && out.includes(named)) guiltyFrame = out.indexOf(named);
  else if (titled != null && names[titled]) {
    const gi = out.indexOf(names[titled]);
    if (gi >= 0) guiltyFrame = gi;
  }
  if (guiltyFrame === null && out.length > 0) guiltyFrame = 0;

  const matcher: SignatureMatcher = {
    kind: parsed.kind && parsed.kind !== 'unknown' ? parsed.kind : null,
    // A title-only matcher is found by its headline: without one, the title stands for it.
    headline: parsed.headline ?? (out.length === 0 ? (parsed.title ?? null) : null),
    frames: out,
    guiltyFrame,
    // Exact fingerprint: a later dump with the same kind + state is certain.
    fingerprints: parsed.fingerprint ? [parsed.fingerprint] : [],
  };

  // Module: a kernel module on the guilty frame localises the bug (mlx5_core). User-space
  // "modules" are binary paths that differ per install, so they are not kept.
  const kernel = parsed.format === 'linux-kernel' || parsed.format === 'crash-utility';
  const gf =
    parsed.guiltyFrame != null ? frames[parsed.guiltyFrame] : frames.find((f) => f.reliable !== false);
  if (kernel && gf?.module && /^[A-Za-z0-9_-]+$/.test(gf.module)) matcher.module = gf.module;

  // Arch and kernel range are left open: the same bug recurs on other architectures and on
  // later kernels until it is fixed; whoever knows the fixed version sets kernelMax.

  // Slab caches: a named cache (ext4_inode_cache, skbuff_head_cache) says which object type;
  // kmalloc-N only says a size bucket that unrelated types share and that moves when a struct
  // grows, so it is dropped. It only ever adds to a frame match, never matches alone.
  const caches = (parsed.indicators?.slabCaches ?? []).filter((c) => !isGenericSlabCache(c));
  if (caches.length > 0) matcher.slabCaches = [...new Set(caches)];

  // Poisons: the corruption pattern (LIST_POISON1 in a register) recurs with the bug.
  // Poison names are identifiers (LIST_POISON1, POISON_FREE); anything else the parser
  // reports as a value is not a name to match on.
  const poisons = (parsed.indicators?.poisonValues ?? [])
    .map((p) => p.name)
    .filter((n) => /^[A-Z][A-Z0-9_]{1,63}$/.test(n ?? '') && isIdentifyingPoison(n));
  if (poisons.length > 0) matcher.poisons = [...new Set(poisons)];

  // Object sizes: in user space the region size is the type's own size in that binary; in the
  // kernel it varies with config and struct layout across builds, so it is not kept.
  if (USERSPACE_FORMATS.has(parsed.format) && (parsed.indicators?.objectSizes?.length ?? 0) > 0) {
    matcher.objectSizes = [...new Set(parsed.indicators.objectSizes)];
  }
  // Free stack: for a use-after-free or double free, where the object was freed identifies the
  // bug as much as where it was used (the use may be reached through several caller paths).
  // The top few specific, reliable frames, allocator and sanitizer frames skipped.
  if (FREE_KINDS.has(parsed.kind) && (parsed.freeStack?.length ?? 0) > 0) {
    const free: string[] = [];
    for (const f of parsed.freeStack ?? []) {
      if (free.length >= DERIVE_LIMITS.maxFreeFrames.value) break;
      const n = canonicalFrame(f.function ?? '');
      if (!n || f.reliable === false || f.inlined === true || free.includes(n)) continue;
      if (classifyFrame(n) !== 'specific') {
        if (free.length > 0 && isEntryFrame(n)) break;
        continue;
      }
      free.push(n);
    }
    if (free.length > 0) matcher.freeFrames = free;
  }
  return matcher;
}

const FREE_KINDS = new Set(['use-after-free', 'double-free', 'invalid-free']);

/**
 * A stable slug for export/import: the title as a slug plus a short hash of what identifies
 * the bug (kind and the first frames), so two signatures with the same title but different
 * bugs get different keys, and re-deriving from another dump of the same bug gives the same.
 */
export function signatureKey(title: string, matcher: SignatureMatcher): string {
  const slug =
    (title ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/g, '') || 'signature';
  const identity = [matcher.kind ?? '', ...(matcher.frames ?? []).slice(0, 3).map(canonicalFrame)].join('|');
  return `${slug}-${fnv1a32(identity).toString(16).padStart(8, '0')}`;
}

/** FNV-1a, 32 bit: tiny, stable across platforms, enough to disambiguate equal titles. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
