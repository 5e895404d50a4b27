// How much a frame name tells us about WHICH bug this is. Two tables, rows with a reason:
// - REPORTING frames are the machinery that printed the report (sanitizer, WARN, oops and
//   exception entry). They sit above the bug in every report; the matcher drops them before
//   aligning, as syzkaller and ClusterFuzz skip them for titles.
// - GENERIC frames are real code that thousands of different bugs pass through (allocators,
//   list helpers, refcounts, locks, mem/str helpers, thread and syscall entry). They stay in
//   the alignment (order still matters) but weigh little and are never index keys, so two
//   different bugs that share `kfree` or `__list_del_entry_valid` on top are not merged.
import type { Frame, ParsedReport } from '../types';
import { normaliseFunction } from '../parse/userspace/frames';

export type FrameClass = 'reporting' | 'generic' | 'specific';

interface FrameRule {
  /** exact: the whole name; prefix: the name starts with it. */
  match: 'exact' | 'prefix';
  name: string;
  why: string;
}

export const REPORTING_FRAMES: readonly FrameRule[] = [
  { match: 'prefix', name: 'dump_stack', why: 'prints the report' },
  { match: 'prefix', name: '__dump_stack', why: 'prints the report (inlined form)' },
  { match: 'exact', name: 'show_stack', why: 'prints the report' },
  { match: 'prefix', name: 'dump_backtrace', why: 'prints the report (arm64)' },
  { match: 'prefix', name: 'print_address_description', why: 'KASAN report printing' },
  { match: 'prefix', name: 'print_report', why: 'KASAN report printing' },
  { match: 'prefix', name: 'kasan_', why: 'KASAN runtime' },
  { match: 'prefix', name: '__kasan_', why: 'KASAN runtime' },
  { match: 'prefix', name: 'kmsan_', why: 'KMSAN runtime' },
  { match: 'prefix', name: '__msan_', why: 'KMSAN/MSan runtime' },
  { match: 'prefix', name: 'kcsan_', why: 'KCSAN runtime' },
  { match: 'prefix', name: 'kfence_', why: 'KFENCE runtime' },
  { match: 'prefix', name: '__asan_', why: 'ASan/KASAN instrumentation' },
  { match: 'prefix', name: '__hwasan_', why: 'HWASan runtime' },
  { match: 'prefix', name: '__tsan_', why: 'TSan runtime' },
  { match: 'prefix', name: '__ubsan_', why: 'UBSan handlers' },
  { match: 'prefix', name: 'ubsan_', why: 'UBSan report helpers' },
  { match: 'prefix', name: '__sanitizer', why: 'sanitizer common runtime' },
  { match: 'prefix', name: '__interceptor_', why: 'sanitizer interceptors wrap libc' },
  { match: 'prefix', name: '__lsan_', why: 'LSan runtime' },
  { match: 'exact', name: 'check_memory_region', why: 'KASAN check' },
  { match: 'exact', name: 'object_err', why: 'SLUB debug report' },
  { match: 'exact', name: 'print_trailer', why: 'SLUB debug report' },
  { match: 'prefix', name: 'warn_slowpath', why: 'WARN machinery' },
  { match: 'exact', name: '__warn', why: 'WARN machinery' },
  { match: 'exact', name: 'report_bug', why: 'BUG/WARN trap decoding' },
  { match: 'exact', name: 'handle_bug', why: 'BUG/WARN trap entry' },
  { match: 'prefix', name: 'exc_', why: 'x86 exception entry' },
  { match: 'prefix', name: 'asm_exc_', why: 'x86 exception entry' },
  { match: 'prefix', name: 'do_error_trap', why: 'x86 exception entry' },
  { match: 'prefix', name: 'do_trap', why: 'x86 exception entry' },
  { match: 'prefix', name: 'do_invalid_op', why: 'x86 exception entry (old)' },
  { match: 'exact', name: 'invalid_op', why: 'x86 exception entry (old)' },
  { match: 'exact', name: 'page_fault', why: 'x86 exception entry (old)' },
  { match: 'exact', name: 'page_fault_oops', why: 'fault handling' },
  { match: 'exact', name: 'do_user_addr_fault', why: 'fault handling' },
  { match: 'exact', name: 'do_kern_addr_fault', why: 'fault handling' },
  { match: 'exact', name: '__do_page_fault', why: 'fault handling' },
  { match: 'exact', name: 'do_page_fault', why: 'fault handling' },
  { match: 'exact', name: 'no_context', why: 'fault handling (old x86)' },
  { match: 'prefix', name: '__bad_area', why: 'fault handling (old x86)' },
  { match: 'exact', name: 'bad_area_nosemaphore', why: 'fault handling (old x86)' },
  { match: 'exact', name: 'kernelmode_fixup_or_oops', why: 'fault handling' },
  { match: 'exact', name: 'oops_end', why: 'oops machinery' },
  { match: 'exact', name: '__die', why: 'oops machinery' },
  { match: 'exact', name: 'die', why: 'oops machinery' },
  { match: 'exact', name: 'die_kernel_fault', why: 'arm64 fault handling' },
  { match: 'exact', name: '__do_kernel_fault', why: 'arm64 fault handling' },
  { match: 'exact', name: 'do_mem_abort', why: 'arm64 fault entry' },
  { match: 'exact', name: 'do_translation_fault', why: 'arm64 fault entry' },
  { match: 'exact', name: 'do_bad_area', why: 'arm64 fault entry' },
  { match: 'exact', name: 'el1_abort', why: 'arm64 fault entry' },
  { match: 'exact', name: 'el1_da', why: 'arm64 fault entry (old)' },
  { match: 'exact', name: 'el1_sync', why: 'arm64 fault entry (old)' },
  { match: 'prefix', name: 'el1h_64_sync', why: 'arm64 fault entry' },
  { match: 'exact', name: 'bug_handler', why: 'arm64 BUG entry' },
  { match: 'exact', name: 'brk_handler', why: 'arm64 BUG entry' },
  { match: 'exact', name: 'call_break_hook', why: 'arm64 BUG entry' },
  { match: 'exact', name: 'do_debug_exception', why: 'arm64 BUG entry' },
  { match: 'exact', name: 'el1_dbg', why: 'arm64 BUG entry' },
  { match: 'exact', name: 'panic', why: 'panic machinery' },
  { match: 'exact', name: 'print_circular_bug', why: 'lockdep report' },
  { match: 'exact', name: 'check_noncircular', why: 'lockdep report' },
  { match: 'prefix', name: 'check_prev_add', why: 'lockdep report' },
  { match: 'exact', name: 'validate_chain', why: 'lockdep report' },
  { match: 'exact', name: 'print_usage_bug', why: 'lockdep report' },
  { match: 'exact', name: 'mark_lock', why: 'lockdep report' },
  { match: 'prefix', name: 'mark_lock_', why: 'lockdep report' },
  { match: 'exact', name: 'valid_state', why: 'lockdep report' },
  { match: 'exact', name: 'print_deadlock_bug', why: 'lockdep report' },
  { match: 'exact', name: 'check_deadlock', why: 'lockdep report' },
  { match: 'prefix', name: 'check_preemption_disabled', why: 'smp_processor_id() debug report' },
  { match: 'prefix', name: 'debug_smp_processor_id', why: 'smp_processor_id() debug report' },
  { match: 'prefix', name: '__might_sleep', why: 'might_sleep debug report' },
  { match: 'prefix', name: '__might_resched', why: 'might_sleep debug report' },
  { match: 'exact', name: '__might_fault', why: 'might_fault debug (lockdep annotation)' },
  { match: 'exact', name: 'machine_kexec', why: 'kdump entry (crash utility bt)' },
  { match: 'exact', name: '__crash_kexec', why: 'kdump entry (crash utility bt)' },
  { match: 'exact', name: 'crash_kexec', why: 'kdump entry (crash utility bt)' },
  { match: 'exact', name: 'nmi_cpu_backtrace', why: 'stall/lockup reporting' },
  { match: 'exact', name: 'nmi_trigger_cpumask_backtrace', why: 'stall/lockup reporting' },
  { match: 'prefix', name: 'rcu_dump_cpu_stacks', why: 'stall/lockup reporting' },
  { match: 'prefix', name: 'print_cpu_stall', why: 'stall/lockup reporting' },
  { match: 'exact', name: 'watchdog_timer_fn', why: 'soft lockup reporting' },
  { match: 'prefix', name: 'sched_show_task', why: 'stall reporting: prints the stalled task' },
  { match: 'prefix', name: '_sched_show_task', why: 'stall reporting: prints the stalled task' },
  { match: 'prefix', name: 'print_other_cpu_stall', why: 'stall reporting' },
  { match: 'prefix', name: 'check_cpu_stall', why: 'stall reporting' },
  { match: 'prefix', name: 'show_regs', why: 'prints the report' },
  { match: 'prefix', name: 'show_trace', why: 'prints the report' },
  { match: 'exact', name: 'fixup_bug', why: 'BUG/WARN trap decoding (x86, old)' },
  { match: 'exact', name: 'do_int3', why: 'x86 trap entry' },
  { match: 'exact', name: 'do_general_protection', why: 'x86 exception entry (old)' },
  { match: 'exact', name: 'general_protection', why: 'x86 exception entry (old)' },
  { match: 'exact', name: 'check_hung_uninterruptible_tasks', why: 'hung-task detector' },
  { match: 'exact', name: 'check_hung_task', why: 'hung-task detector' },
  { match: 'exact', name: 'watchdog', why: 'hung-task detector thread' },
  { match: 'prefix', name: 'gsignal', why: 'abort path (user space)' },
  { match: 'exact', name: 'raise', why: 'abort path (user space)' },
  { match: 'exact', name: 'abort', why: 'abort path (user space)' },
  { match: 'prefix', name: '__GI_raise', why: 'abort path (glibc)' },
  { match: 'prefix', name: '__GI_abort', why: 'abort path (glibc)' },
  { match: 'prefix', name: '__pthread_kill', why: 'abort path (glibc)' },
  { match: 'exact', name: 'pthread_kill', why: 'abort path (glibc)' },
  { match: 'prefix', name: '__assert_fail', why: 'assert machinery (glibc)' },
  { match: 'prefix', name: '__libc_message', why: 'glibc error printing' },
  { match: 'exact', name: 'malloc_printerr', why: 'glibc error printing' },
];

export const GENERIC_FRAMES: readonly FrameRule[] = [
  // allocators: every memory bug passes through them
  { match: 'exact', name: 'kfree', why: 'allocator: shared by every double/invalid free' },
  { match: 'exact', name: 'kvfree', why: 'allocator' },
  { match: 'exact', name: 'vfree', why: 'allocator' },
  { match: 'prefix', name: 'kmem_cache_', why: 'allocator' },
  { match: 'prefix', name: 'kmalloc', why: 'allocator' },
  { match: 'prefix', name: '__kmalloc', why: 'allocator' },
  { match: 'prefix', name: 'kzalloc', why: 'allocator' },
  { match: 'prefix', name: 'kvmalloc', why: 'allocator' },
  { match: 'prefix', name: '__kvmalloc', why: 'allocator' },
  { match: 'prefix', name: 'krealloc', why: 'allocator' },
  { match: 'prefix', name: 'slab_', why: 'allocator internals' },
  { match: 'prefix', name: '__slab_', why: 'allocator internals' },
  { match: 'prefix', name: '___slab_', why: 'allocator internals' },
  { match: 'exact', name: 'cache_from_obj', why: 'allocator internals' },
  { match: 'exact', name: 'free_debug_processing', why: 'allocator internals' },
  { match: 'prefix', name: '__free_pages', why: 'page allocator' },
  { match: 'prefix', name: 'free_pages', why: 'page allocator' },
  { match: 'prefix', name: 'alloc_pages', why: 'page allocator' },
  { match: 'prefix', name: '__alloc_pages', why: 'page allocator' },
  { match: 'prefix', name: 'kfree_skb', why: 'skb free: every network UAF/double free' },
  { match: 'prefix', name: 'consume_skb', why: 'skb free' },
  { match: 'prefix', name: 'skb_release', why: 'skb free' },
  { match: 'exact', name: 'malloc', why: 'libc allocator' },
  { match: 'exact', name: 'free', why: 'libc allocator' },
  { match: 'exact', name: 'calloc', why: 'libc allocator' },
  { match: 'exact', name: 'realloc', why: 'libc allocator' },
  { match: 'prefix', name: 'operator new', why: 'C++ allocator' },
  { match: 'prefix', name: 'operator delete', why: 'C++ allocator' },
  // mem/str helpers: overflow and UAF sites of unrelated bugs
  { match: 'prefix', name: 'memcpy', why: 'string helper' },
  { match: 'prefix', name: '__memcpy', why: 'string helper' },
  { match: 'prefix', name: 'memmove', why: 'string helper' },
  { match: 'prefix', name: '__memmove', why: 'string helper' },
  { match: 'prefix', name: 'memset', why: 'string helper' },
  { match: 'prefix', name: '__memset', why: 'string helper' },
  { match: 'prefix', name: 'memcmp', why: 'string helper' },
  { match: 'prefix', name: 'strcpy', why: 'string helper' },
  { match: 'prefix', name: 'strncpy', why: 'string helper' },
  { match: 'prefix', name: 'strscpy', why: 'string helper' },
  { match: 'prefix', name: 'strlen', why: 'string helper' },
  { match: 'prefix', name: 'strnlen', why: 'string helper' },
  { match: 'prefix', name: 'strcmp', why: 'string helper' },
  { match: 'prefix', name: 'sprintf', why: 'string helper' },
  { match: 'prefix', name: 'snprintf', why: 'string helper' },
  { match: 'prefix', name: 'vsnprintf', why: 'string helper' },
  { match: 'prefix', name: '_copy_to_user', why: 'user copy' },
  { match: 'prefix', name: '_copy_from_user', why: 'user copy' },
  { match: 'prefix', name: 'copy_to_user', why: 'user copy' },
  { match: 'prefix', name: 'copy_from_user', why: 'user copy' },
  // containers and refcounts: list/refcount debugging fires from here for any owner
  { match: 'prefix', name: '__list_del_entry', why: 'list_debug check: shared by every list corruption' },
  { match: 'prefix', name: '__list_add', why: 'list_debug check' },
  { match: 'prefix', name: 'list_del', why: 'list helper' },
  { match: 'prefix', name: 'list_add', why: 'list helper' },
  { match: 'prefix', name: '__list_del', why: 'list helper' },
  { match: 'prefix', name: 'rb_', why: 'rbtree helper' },
  { match: 'prefix', name: 'xas_', why: 'xarray helper' },
  { match: 'prefix', name: 'refcount_', why: 'refcount helper: shared by every refcount bug' },
  { match: 'prefix', name: 'kref_', why: 'refcount helper' },
  { match: 'prefix', name: 'kobject_', why: 'device core refcount' },
  { match: 'exact', name: 'put_device', why: 'device core refcount' },
  // locking and scheduling: deadlocks and hangs all end here
  { match: 'prefix', name: '_raw_spin_', why: 'locking' },
  { match: 'prefix', name: 'raw_spin_', why: 'locking' },
  { match: 'prefix', name: 'spin_', why: 'locking' },
  { match: 'prefix', name: '_raw_read_', why: 'locking' },
  { match: 'prefix', name: '_raw_write_', why: 'locking' },
  { match: 'prefix', name: 'mutex_', why: 'locking' },
  { match: 'prefix', name: '__mutex_', why: 'locking' },
  { match: 'prefix', name: 'down_', why: 'locking' },
  { match: 'prefix', name: 'up_', why: 'locking' },
  { match: 'prefix', name: 'rwsem_', why: 'locking' },
  { match: 'prefix', name: 'lock_', why: 'lockdep' },
  { match: 'prefix', name: '__lock_', why: 'lockdep' },
  { match: 'prefix', name: 'lockdep_', why: 'lockdep' },
  { match: 'prefix', name: 'schedule', why: 'scheduler: every hang' },
  { match: 'prefix', name: '__schedule', why: 'scheduler' },
  { match: 'prefix', name: 'wait_for_completion', why: 'scheduler' },
  { match: 'exact', name: 'io_schedule', why: 'scheduler' },
  { match: 'prefix', name: '__switch_to', why: 'context switch: on the stack of every sleeping task' },
  { match: 'exact', name: 'context_switch', why: 'context switch (inlined into __schedule)' },
  { match: 'prefix', name: 'finish_task_switch', why: 'context switch' },
  {
    match: 'exact',
    name: '__sched_text_start',
    why: 'start-of-section marker: a scheduler address named by the first symbol of .sched.text',
  },
  { match: 'prefix', name: 'pthread_mutex_', why: 'user-space locking' },
  // RCU and deferred work: callbacks of unrelated subsystems run from here
  { match: 'prefix', name: 'rcu_', why: 'RCU machinery' },
  { match: 'prefix', name: '__rcu_', why: 'RCU machinery' },
  { match: 'prefix', name: 'call_rcu', why: 'RCU machinery' },
  { match: 'prefix', name: '__do_softirq', why: 'softirq machinery' },
  { match: 'prefix', name: 'handle_softirqs', why: 'softirq machinery' },
  { match: 'prefix', name: 'irq_exit', why: 'irq machinery' },
  { match: 'prefix', name: '__irq_exit', why: 'irq machinery' },
  { match: 'prefix', name: 'gic_handle_irq', why: 'irq machinery (arm64)' },
  { match: 'prefix', name: 'el1_irq', why: 'irq machinery (arm64)' },
  { match: 'prefix', name: 'el1h_64_irq', why: 'irq machinery (arm64)' },
  { match: 'prefix', name: 'sysvec_', why: 'irq machinery (x86)' },
  { match: 'prefix', name: 'asm_sysvec_', why: 'irq machinery (x86)' },
  { match: 'prefix', name: 'apic_timer_interrupt', why: 'irq machinery (x86, old)' },
  { match: 'prefix', name: 'local_apic_timer_interrupt', why: 'irq machinery (x86, old)' },
  { match: 'exact', name: 'update_process_times', why: 'timer tick: the stall detector runs from it' },
  { match: 'prefix', name: 'tick_sched_', why: 'timer tick' },
  { match: 'prefix', name: 'tick_nohz_', why: 'timer tick' },
  { match: 'prefix', name: 'hrtimer_interrupt', why: 'timer interrupt' },
  { match: 'prefix', name: '__hrtimer_run_queues', why: 'timer interrupt' },
  { match: 'prefix', name: '__sysvec_', why: 'irq machinery (x86)' },
  { match: 'prefix', name: 'irq_enter', why: 'irq machinery' },
  { match: 'prefix', name: 'handle_irq', why: 'irq machinery' },
  { match: 'prefix', name: 'do_IRQ', why: 'irq machinery (old)' },
  { match: 'prefix', name: 'preempt_schedule', why: 'scheduler' },
  { match: 'exact', name: '__cond_resched', why: 'scheduler' },
  { match: 'exact', name: '_cond_resched', why: 'scheduler' },
  { match: 'prefix', name: 'trace_hardirqs', why: 'irq tracing' },
  { match: 'prefix', name: 'smp_apic_timer_interrupt', why: 'irq machinery (x86, old)' },
  { match: 'prefix', name: 'process_one_work', why: 'workqueue machinery' },
  { match: 'prefix', name: 'process_scheduled_works', why: 'workqueue machinery' },
  { match: 'exact', name: 'worker_thread', why: 'workqueue machinery' },
  { match: 'exact', name: 'kthread', why: 'thread entry' },
  { match: 'prefix', name: 'ret_from_fork', why: 'thread entry' },
  { match: 'exact', name: 'smpboot_thread_fn', why: 'thread entry' },
  { match: 'prefix', name: 'call_timer_fn', why: 'timer machinery' },
  { match: 'prefix', name: 'run_timer_softirq', why: 'timer machinery' },
  { match: 'prefix', name: '__run_timers', why: 'timer machinery' },
  { match: 'prefix', name: 'tasklet_action', why: 'tasklet machinery' },
  { match: 'exact', name: 'net_rx_action', why: 'softirq networking plumbing' },
  { match: 'prefix', name: '__napi_poll', why: 'softirq networking plumbing' },
  { match: 'prefix', name: '__netif_receive_skb', why: 'networking plumbing' },
  { match: 'prefix', name: 'netif_receive_skb', why: 'networking plumbing' },
  { match: 'exact', name: 'do_softirq', why: 'softirq machinery' },
  { match: 'prefix', name: '__local_bh_enable', why: 'softirq machinery' },
  { match: 'prefix', name: 'task_work_run', why: 'deferred work machinery' },
  // syscall and user entry: the bottom of every stack
  { match: 'prefix', name: 'do_syscall_', why: 'syscall entry' },
  { match: 'prefix', name: 'entry_SYSCALL', why: 'syscall entry' },
  { match: 'prefix', name: 'syscall_exit', why: 'syscall exit' },
  { match: 'prefix', name: 'exit_to_user_mode', why: 'syscall exit' },
  { match: 'prefix', name: 'irqentry_', why: 'interrupt and exception entry/exit (generic entry code)' },
  { match: 'exact', name: 'ret_from_exception', why: 'exception return (riscv, arm)' },
  {
    match: 'exact',
    name: '_stext',
    why: 'start-of-text marker: an address the unwinder names by the first symbol of the section (arm64 softirq entry)',
  },
  { match: 'prefix', name: 'x64_sys_call', why: 'syscall dispatch' },
  { match: 'prefix', name: 'el0_', why: 'arm64 syscall entry' },
  { match: 'prefix', name: 'invoke_syscall', why: 'arm64 syscall entry' },
  { match: 'prefix', name: 'do_el0_svc', why: 'arm64 syscall entry' },
  { match: 'prefix', name: 'el0t_64_', why: 'arm64 syscall entry' },
  { match: 'prefix', name: 'system_call', why: 'old x86 syscall entry' },
  { match: 'exact', name: 'main', why: 'user-space entry' },
  { match: 'prefix', name: '__libc_start', why: 'user-space entry' },
  { match: 'exact', name: '_start', why: 'user-space entry' },
  { match: 'exact', name: 'start_thread', why: 'user-space thread entry' },
  { match: 'exact', name: 'clone', why: 'user-space thread entry' },
  { match: 'exact', name: 'clone3', why: 'user-space thread entry' },
  { match: 'prefix', name: '__clone', why: 'user-space thread entry' },
  // printk and logging
  { match: 'prefix', name: 'printk', why: 'logging' },
  { match: 'prefix', name: '_printk', why: 'logging' },
  { match: 'prefix', name: 'vprintk', why: 'logging' },
  { match: 'prefix', name: 'dev_printk', why: 'logging' },
  { match: 'prefix', name: '_dev_err', why: 'logging' },
  { match: 'prefix', name: '_dev_warn', why: 'logging' },
  { match: 'prefix', name: 'dev_err', why: 'logging' },
];

/** Unknown/unsymbolised frames (`<unknown>`, raw addresses) say nothing about the bug. */
const NAMELESS = /^(?:<unknown.*>|\?+|0x[0-9a-f]+|\[vdso\]|)$/i;

const exactReporting = new Set(REPORTING_FRAMES.filter((r) => r.match === 'exact').map((r) => r.name));
const prefixReporting = REPORTING_FRAMES.filter((r) => r.match === 'prefix').map((r) => r.name);
const exactGeneric = new Set(GENERIC_FRAMES.filter((r) => r.match === 'exact').map((r) => r.name));
const prefixGeneric = GENERIC_FRAMES.filter((r) => r.match === 'prefix').map((r) => r.name);

// Names repeat across dumps and signatures; a bounded memo keeps classification O(1).
const memo = new Map<string, FrameClass>();
const MEMO_LIMIT = 200_000;

export function classifyFrame(name: string): FrameClass {
  const hit = memo.get(name);
  if (hit !== undefined) return hit;
  const cls = classifyUncached(name);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(name, cls);
  return cls;
}

function classifyUncached(name: string): FrameClass {
  if (NAMELESS.test(name)) return 'generic';
  // `____kasan_slab_free`, `__kmem_cache_free`: extra leading underscores are internal
  // variants of the same machinery; prefixes are also tried without them.
  const bare = name.replace(/^_+/, '');
  if (exactReporting.has(name) || prefixReporting.some((p) => name.startsWith(p) || bare.startsWith(p)))
    return 'reporting';
  if (exactGeneric.has(name) || prefixGeneric.some((p) => name.startsWith(p) || bare.startsWith(p)))
    return 'generic';
  return 'specific';
}

export function isGenericFrame(name: string): boolean {
  return classifyFrame(name) !== 'specific';
}

// Compiler clones and syscall wrappers differ between builds of the same code: keep the name.
const CLONE_SUFFIX = /(?:\.(?:isra|constprop|part|cold|lto_priv|llvm|localalias)(?:\.\d+)*|\.\d+)+$/;
const SYSCALL_PREFIX =
  /^(?:__x64_sys_|__ia32_sys_|__arm64_sys_|__se_sys_|__do_sys_|__sys_|ksys_|SyS_|SYSC_|sys_)/;

/** Canonical frame name for comparison: no clone suffix, no syscall wrapper prefix, no offset. */
export function canonicalFrame(name: string): string {
  let n = name.trim();
  const plus = n.indexOf('+0x');
  if (plus > 0) n = n.slice(0, plus);
  n = n.replace(CLONE_SUFFIX, '');
  if (n.length > 4 && n.charCodeAt(0) !== 0x5f /* fast path: most names don't start with _ */) {
    if (n.startsWith('sys_') || n.startsWith('SyS_') || n.startsWith('SYSC_') || n.startsWith('ksys_')) {
      n = n.replace(SYSCALL_PREFIX, '');
    }
  } else if (n.startsWith('__')) {
    const stripped = n.replace(SYSCALL_PREFIX, '');
    if (stripped.length > 0) n = stripped;
  }
  return n;
}

const KERNEL_FORMATS = new Set(['linux-kernel', 'crash-utility']);

/**
 * The crash state as frame names for matching. Kernel states are frame names already. A
 * user-space state is stated the way ClusterFuzz states it — an assertion or CHECK message may
 * lead, names keep template arguments and are cut at 80 characters — so each line is mapped to
 * the normalised name of a frame of the report it names, and lines that name no frame (the
 * message, a file name) are left out: they identify the bug through the fingerprint, not as
 * frames to align.
 */
export function stateFrameNames(
  report: Pick<ParsedReport, 'state' | 'frames' | 'format'> &
    Partial<Pick<ParsedReport, 'freeStack' | 'allocStack' | 'otherStacks'>>,
): string[] {
  const state = report.state ?? [];
  if (KERNEL_FORMATS.has(report.format) || state.length === 0) return state.map(canonicalFrame);
  const known = new Set<string>();
  const add = (fs: readonly Frame[] | undefined) => {
    for (const f of fs ?? []) if (f.function) known.add(f.function);
  };
  add(report.frames);
  add(report.freeStack);
  add(report.allocStack);
  for (const o of report.otherStacks ?? []) add(o.frames);
  const out: string[] = [];
  for (const line of state) {
    if (known.has(line)) out.push(canonicalFrame(line));
    else {
      const n = normaliseFunction(line);
      if (known.has(n)) out.push(canonicalFrame(n));
    }
  }
  return out;
}
