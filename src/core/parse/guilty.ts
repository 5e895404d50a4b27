// Choosing the guilty frame and the crash state (syzkaller pkg/report §5; ClusterFuzz §9).
import type { Frame } from '../types';
import {
  FAMILY_SKIP_FRAMES,
  GLOBAL_SKIP_FRAMES,
  HUNG_TASK_NAMED,
  HUNG_TASK_WAIT_FRAME,
  STALL_ANCHOR_FRAME,
  STALL_IRQ_FRAME,
  STALL_PASSTHROUGH_FRAME,
  SYSCALL_PREFIX,
} from '../rules/skip-frames';
import type { FrameSource } from '../rules/kernel-reports';

export function isSkippedFrame(name: string, extraSkip?: string): boolean {
  if (name.length < 3) return true;
  for (const r of GLOBAL_SKIP_FRAMES) if (r.pattern.test(name)) return true;
  if (extraSkip) {
    const extra = FAMILY_SKIP_FRAMES[extraSkip];
    if (extra?.test(name)) return true;
  }
  return false;
}

/** `__x64_sys_ioctl` → `ioctl`-style canonical name for titles (shortest result, at least 3 chars). */
export function canonicalTitleFunction(name: string): string {
  let best = name;
  let cur = name;
  for (let i = 0; i < 4; i++) {
    const m = SYSCALL_PREFIX.exec(cur);
    if (!m) break;
    cur = cur.slice(m[0].length);
    if (cur.length >= 3) best = cur;
  }
  return best;
}

export interface GuiltyChoice {
  /** Index into frames, or null when the title frame is not one of them (hung-task names, headline functions). */
  index: number | null;
  /** Function the title names. */
  name: string | null;
}

// Dispatchers that say nothing: for these the stall is named by the frame they called.
const STALL_GENERIC_ANCHOR =
  /^(?:do_syscall_64|el0_svc|process_one_work|worker_thread|kthread|ret_from_fork|__do_softirq|handle_softirqs|run_ksoftirqd|tasklet_action|call_timer_fn|expire_timers|vfs_|__sys_|sock_|netlink_rcv_skb|exc_page_fault|__fput|task_work_run|smp_call_function|(?:__x64_sys_|__ia32_sys_|__arm64_sys_|__se_sys_|__do_sys_|ksys_)(?:ioctl|read|write|sendmsg|recvmsg|sendto|recvfrom|connect|bind|setsockopt|getsockopt|writev|readv|pread64|pwrite64|sendmmsg|recvmmsg))/;

export function chooseGuilty(
  frames: readonly Frame[],
  source: FrameSource,
  extraSkip: string | undefined,
  headlineFunction: string | null,
): GuiltyChoice {
  const usable = (f: Frame): boolean => f.reliable && !isSkippedFrame(f.function, extraSkip);
  if (source === 'none') return { index: null, name: null };
  if (source === 'headline' && headlineFunction && !isSkippedFrame(headlineFunction, extraSkip)) {
    const idx = frames.findIndex((f) => f.function === headlineFunction);
    return { index: idx >= 0 ? idx : null, name: headlineFunction };
  }
  if (source === 'hung') {
    for (let i = 0; i < frames.length; i++) {
      if (!frames[i].reliable) continue;
      for (const n of HUNG_TASK_NAMED)
        if (n.pattern.test(frames[i].function)) return { index: i, name: n.title };
    }
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      if (usable(f) && !HUNG_TASK_WAIT_FRAME.test(f.function)) return { index: i, name: f.function };
    }
    return { index: null, name: null };
  }
  if (source === 'stall') {
    const hasTask = frames.some((f) => f.context === 'task' || f.context === 'exception');
    const hasIrq = frames.some((f) => f.context === 'irq' || f.context === 'nmi');
    const pick = (skipIrq: boolean): number[] => {
      const out: number[] = [];
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i];
        if (!usable(f) || STALL_IRQ_FRAME.test(f.function)) continue;
        if (skipIrq && (f.context === 'irq' || f.context === 'nmi')) continue;
        out.push(i);
      }
      return out;
    };
    // The interrupted task is the looping code; IRQ frames only if nothing else is left.
    let candidates = pick(hasTask && hasIrq);
    if (candidates.length === 0) candidates = pick(false);
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c];
      const name = frames[i].function;
      if (STALL_ANCHOR_FRAME.test(name)) {
        if (STALL_GENERIC_ANCHOR.test(name)) {
          let p = c - 1;
          while (p > 0 && STALL_PASSTHROUGH_FRAME.test(frames[candidates[p]].function)) p--;
          if (p >= 0) return { index: candidates[p], name: frames[candidates[p]].function };
        } else {
          return { index: i, name };
        }
        break;
      }
    }
    if (candidates.length > 0) return { index: candidates[0], name: frames[candidates[0]].function };
    return { index: null, name: null };
  }
  for (let i = 0; i < frames.length; i++)
    if (usable(frames[i])) return { index: i, name: frames[i].function };
  if (headlineFunction && !isSkippedFrame(headlineFunction, extraSkip))
    return { index: null, name: headlineFunction };
  return { index: null, name: null };
}

/** Up to three identifying function names, from the guilty frame on (ClusterFuzz crash_state). */
/** A return address: `f+0x4c/0x7c` (inlined frames and arm32's `(f) from` lines carry none). */
const CALL_SITE = /\+0x[0-9a-f]{1,16}/;

/**
 * Frames `a` and `b` of one function are two calls of it (and ClusterFuzz's state keeps both):
 * adjacent, each with its own return address: recursion, or on arm64 the address past a noreturn
 * call (`f+0x0`) above `f+0x4c`. Otherwise it is one frame printed twice: the WARNING line's
 * `at f+0x..` and the stack's `f` with skipped frames between, an inlined `f [inline]` beside
 * `f+0x..` or `f.part.0+0x..`, arm32's `(f) from` once per inlined callee.
 */
function twoCallSites(frames: readonly Frame[], a: number, b: number): boolean {
  if (a < 0 || b !== a + 1) return false;
  const ra = frames[a].raw;
  const rb = frames[b].raw;
  return ra !== undefined && rb !== undefined && ra !== rb && CALL_SITE.test(ra) && CALL_SITE.test(rb);
}

export function crashState(frames: readonly Frame[], guilty: GuiltyChoice, extraSkip?: string): string[] {
  const state: string[] = [];
  let from = 0;
  if (guilty.index !== null) {
    state.push(guilty.name ?? frames[guilty.index].function);
    from = guilty.index + 1;
  } else if (guilty.name) {
    state.push(guilty.name);
    const idx = frames.findIndex((f) => f.function === guilty.name);
    from = idx >= 0 ? idx + 1 : 0;
  }
  let last = from - 1;
  for (let i = from; i < frames.length && state.length < 3; i++) {
    const f = frames[i];
    if (!f.reliable || isSkippedFrame(f.function, extraSkip)) continue;
    if (state[state.length - 1] === f.function && !twoCallSites(frames, last, i)) continue;
    state.push(f.function);
    last = i;
  }
  return state;
}

/** syzkaller-style title clean-up: addresses, numbers, whitespace, length. */
export function normaliseTitle(title: string): string {
  let t = title.replace(/\b(?:0x)?[0-9a-fA-F]{6,16}\b/g, 'ADDR');
  t = t.replace(/\+0x[0-9a-f]{1,10}\/0x[0-9a-f]{1,10}/g, '');
  t = t
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return t.length > 120 ? t.slice(0, 120) : t;
}
