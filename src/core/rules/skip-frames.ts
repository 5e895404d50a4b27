// Frames that never name a kernel bug: the reporting machinery, allocators, locking,
// generic helpers. Modelled on the skip lists of syzkaller pkg/report/linux.go (§5 of
// REFERENCE.md), written as anchored patterns over the normalised function name.

export interface SkipFrameRule {
  /** Group name, for the README and for debugging which rule skipped a frame. */
  group: string;
  pattern: RegExp;
  why: string;
}

/**
 * Linker symbols that end a section, not functions: an address past the last symbol the kernel
 * knows (an LKL build, a module without kallsyms) prints as `_etext+0x1a2b0/0x2f0e10`. Skipped
 * in states here and in titles (TITLE_SKIP_FRAMES).
 */
export const SECTION_END_SYMBOLS = /^(?:_etext|_edata|_end|__bss_stop|__end_rodata)$/;

export const GLOBAL_SKIP_FRAMES: readonly SkipFrameRule[] = [
  {
    group: 'reporting',
    pattern:
      /^_{0,4}(?:kasan_|kmsan_|kcsan_|kfence_|check_memory_region|check_region_inline|check_region|check_preemption_disabled|debug_smp_processor_id|__this_cpu_preempt_check|print_report|print_address_description|dump_stack|show_stack|show_regs|show_trace|dump_backtrace|unwind_backtrace|report_bug|warn_slowpath|__warn|warn_bogus|panic|nmi_|printk|vprintk|_printk|object_err|print_trailer|slab_err|slab_bug|check_bytes_and_report|check_object|ubsan_|__ubsan_|handle_overflow|__asan_|asan_report|lockdep_|print_lock|print_circular|check_noncircular|check_prev_add|check_prevs_add|validate_chain|__lock_acquire|lock_acquire|lock_release|debug_check_no|should_fail|fail_dump|trace_hardirqs|watchdog|kfree_debugcheck|refcount_warn_saturate|refcount_error_report|__list_add_valid|__list_del_entry_valid|list_del_corruption|__list_add_valid_or_report|__list_del_entry_valid_or_report|stack_trace_|arch_stack_walk|save_stack|set_track|stack_depot_|ftrace_|__stack_chk_fail|debug_print_object|dump_page|bad_page|print_unlock_imbalance_bug|print_usage_bug|print_irq_inversion_bug|print_bad_irq_dependency|mark_lock|mark_usage|valid_state|kmemleak_|__might_sleep|___might_sleep|__might_resched|might_sleep|__might_fault|might_fault|alloc_debug_processing|free_debug_processing|free_pcp_prepare|free_pages_prepare|free_unref_page_list|free_page_is_bad|check_new_page|free_tail_page_prepare)/,
    why: 'sanitizer, lockdep and report printing internals (also `____kasan_slab_free`, the smp_processor_id() checker): they are how the bug was noticed, not the bug',
  },
  {
    group: 'section-boundaries',
    pattern: SECTION_END_SYMBOLS,
    why: 'linker symbols that end a section, not functions (an address past the last known symbol)',
  },
  {
    group: 'coverage-instrumentation',
    pattern: /^(?:__sanitizer_cov_|write_comp_data$|check_kcov_mode$)/,
    why: "kcov's per-branch hooks a fuzzing kernel calls everywhere: they say nothing about the caller",
  },
  {
    group: 'crash-and-fault-entry',
    pattern:
      /^(?:machine_kexec|__crash_kexec|crash_kexec|oops_end|die|__die|die_kernel_fault|do_trap|do_error_trap|do_invalid_op|fixup_bug|do_general_protection|exc_general_protection|exc_invalid_op|exc_page_fault|asm_exc_\w{1,40}|handle_bug|handle_invalid_op|no_context|__bad_area_nosemaphore|bad_area_nosemaphore|bad_area|__do_page_fault|do_page_fault|page_fault_oops|kernelmode_fixup_or_oops|do_user_addr_fault|page_fault|async_page_fault|general_protection|invalid_op|do_kern_addr_fault|__do_kernel_fault|do_mem_abort|do_translation_fault|do_bad_area|el1_abort|el1h_64_sync|el1_sync|el1_da|el1_ia|el1_dbg|el1h_64_sync_handler|el1_sync_handler|do_debug_exception|brk_handler|do_DataAbort|do_PrefetchAbort|do_undefinstr|__dabt_svc|__pabt_svc|__und_svc|__dabt_usr|__irq_svc|call_break_hook|bug_handler|arm64_notify_die|kernel_fault|tag_check|mem_abort|error_entry|do_exit|make_task_dead|rewind_stack_do_exit|rewind_stack_and_make_dead)$/,
    why: 'crash_kexec, oops and page-fault entry: the path from the faulting instruction to the report',
  },
  {
    group: 'allocator',
    pattern:
      /^(?:__|___)?(?:kmalloc|kzalloc|kcalloc|kvmalloc|kvzalloc|kvcalloc|krealloc|kmemdup|kstrdup|kstrndup|vmalloc|vzalloc|__vmalloc|kmem_cache_|kfree$|kvfree$|kfree_sensitive$|vfree$|slab_|__slab_|do_slab_free|slab_free|set_freepointer|cache_from_obj|slab_equal_or_root|allocate_slab|new_slab|alloc_pages|__alloc_pages|alloc_page|get_free_pages|__get_free_pages|folio_alloc|__folio_alloc|alloc_slab_page|free_pages|__free_pages|free_unref_page|kmalloc_trace|kmalloc_node|kmem_cache_alloc|__kmem_cache_|mempool_alloc|mempool_free|kmalloc_reserve|alloc_skb|__alloc_skb|kvmalloc_node|kfree_rcu)/,
    why: 'allocation and free entry points: the caller is the interesting frame',
  },
  {
    group: 'locking',
    pattern:
      /^(?:__|_)?(?:raw_spin_|spin_|_raw_spin_|_raw_read_|_raw_write_|do_raw_spin_|queued_spin_|native_queued_spin|mutex_|__mutex_|down_read|down_write|down_interruptible|down_killable|down_trylock|down$|up_read|up_write|up$|rwsem_|percpu_down|percpu_up|read_lock|write_lock|read_unlock|write_unlock|rt_mutex|rtmutex|lock_|unlock_|local_bh_|local_irq_|atomic_|atomic64_|arch_atomic|refcount_|kref_|test_and_set_bit|test_and_clear_bit|set_bit|clear_bit|preempt_count|preempt_schedule|rcu_read_lock|rcu_read_unlock|ww_mutex)/,
    why: 'lock, atomic and refcount helpers: the bug is in the caller that misused them',
  },
  {
    group: 'string-and-copy',
    pattern:
      /^(?:__)?(?:memcpy|memmove|memset|memcmp|memchr|strcpy|strncpy|strscpy|strlcpy|strcmp|strncmp|strlen|strnlen|strcat|strchr|strstr|sprintf|snprintf|vsnprintf|scnprintf|vscnprintf|sscanf|copy_to_user|copy_from_user|_copy_to_user|_copy_from_user|raw_copy_|copy_user_|__copy_user|copy_to_iter|copy_from_iter|_copy_to_iter|_copy_from_iter|copy_page_to_iter|copy_page_from_iter|get_user|put_user|strncpy_from_user|check_object_size|check_heap_object|usercopy_abort|__check_object_size|fortify_panic|__fortify_)/,
    why: 'string, memory and user-copy helpers report where bytes moved, not who passed the bad pointer',
  },
  {
    group: 'containers',
    pattern:
      /^(?:__)?(?:list_add|list_del|list_move|list_splice|hlist_add|hlist_del|rb_insert|rb_erase|rb_next|rb_prev|xas_|xa_|idr_|radix_tree_)/,
    why: 'generic containers: the owner of the list is the interesting frame',
  },
  {
    group: 'logging',
    pattern:
      /^(?:dev_printk|__dev_printk|_dev_err|dev_err|_dev_warn|dev_warn|_dev_info|netdev_err|netdev_warn|pr_err|pr_warn)$/,
    why: 'logging helpers',
  },
  {
    group: 'work-and-timers',
    pattern:
      /^(?:__)?(?:queue_work|queue_delayed_work|flush_work|flush_workqueue|cancel_work|cancel_delayed_work|del_timer|mod_timer|__mod_timer|call_timer_fn|expire_timers|run_timer_softirq|__run_timers|call_rcu|kthread_flush_work)/,
    why: 'timer and workqueue plumbing',
  },
  {
    group: 'device-core-and-vfs-refs',
    pattern:
      /^(?:kobject_(?:put|release|cleanup|del)|device_del|device_unregister|sysfs_remove|iput|dput|fput|mntput)$/,
    why: 'reference drops: the last put shows where the object died, the caller is where the bug is',
  },
];

/** Extra per-family skips (keyed by rule group in kernel-reports.ts `extraSkip`). */
export const FAMILY_SKIP_FRAMES: Readonly<Record<string, RegExp>> = {
  'kernel-bug': /^(?:skb_|__skb_|BUG_ON)/,
  'invalid-free': /^(?:slab_|kfree|vfree|kmem_cache_free|__slab_free|do_slab_free)/,
  'rcu-usage': /^(?:rcu|__rcu|kmem|slab|lockdep_rcu)/,
  'hw-tags': /^(?:kernel_fault|tag_check|mem_abort|el1_)/,
};

/** Hung-task frames that only say "it was waiting" (syzkaller's hung-task extractor). */
export const HUNG_TASK_WAIT_FRAME =
  /(?:^|_)(?:schedule|sched|wait|completion|lock|mutex|sem|kthread|ret_from_fork|switch_to|context_switch|freezer|bit_wait|io_schedule|down|folio_wait|rwsem|sleep|poll|futex)(?:_|$)|^__switch_to|^__schedule$|^schedule$|^do_wait|^wait_/;

/** Functions that name a hung task by themselves (syzkaller: `rtnl_lock`, the synchronize_rcu family). */
export const HUNG_TASK_NAMED: readonly { pattern: RegExp; title: string; why: string }[] = [
  {
    pattern: /^rtnl_lock$|^rtnl_lock_killable$/,
    title: 'rtnl_lock',
    why: 'everyone waiting for RTNL is the same bug family',
  },
  {
    pattern:
      /^(?:synchronize_rcu|synchronize_srcu|synchronize_rcu_expedited|synchronize_rcu_tasks|synchronize_net|__synchronize_srcu)$/,
    title: 'synchronize_rcu',
    why: 'all RCU grace-period waits map to synchronize_rcu',
  },
];

/** Frames where a stalled CPU's work enters: the frame just inside the anchor is the looping one. */
export const STALL_ANCHOR_FRAME =
  /^(?:__x64_sys_|__ia32_sys_|__arm64_sys_|__se_sys_|__do_sys_|ksys_|do_syscall_64|el0_svc|process_one_work|worker_thread|kthread|ret_from_fork|__do_softirq|handle_softirqs|run_ksoftirqd|tasklet_action|call_timer_fn|expire_timers|vfs_read|vfs_write|vfs_ioctl|__sys_sendmsg|__sys_recvmsg|sock_sendmsg|sock_recvmsg|netlink_rcv_skb|exc_page_fault|__fput|task_work_run|smp_call_function)/;

/**
 * Protocol switches right below a socket anchor: a stall named after one of them says only "some
 * socket"; the stall extractor walks past them to the protocol's own function (mptcp_recvmsg).
 */
export const STALL_PASSTHROUGH_FRAME =
  /^(?:inet_recvmsg|inet6_recvmsg|inet_sendmsg|inet6_sendmsg|sock_common_recvmsg|sock_common_setsockopt|sock_common_getsockopt|inet_stream_connect|inet_ioctl|inet6_ioctl|sock_read_iter|sock_write_iter)$/;

/** Interrupt plumbing that a stall or lockup report prints above the interrupted frame. */
export const STALL_IRQ_FRAME =
  /^(?:__)?(?:sysvec_|asm_sysvec_|apic_timer_interrupt|smp_apic_timer_interrupt|hrtimer_|__hrtimer_|tick_|update_process_times|rcu_sched_clock_irq|rcu_pending|print_cpu_stall|rcu_dump_cpu_stacks|check_cpu_stall|watchdog_timer_fn|irq_exit|__irq_exit_rcu|irq_exit_rcu|el1_irq|el1h_64_irq|gic_handle_irq|handle_domain_irq|__handle_domain_irq|do_softirq|run_timer|scheduler_tick|account_process_tick|nmi_cpu_backtrace|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|trigger_|default_idle|native_safe_halt|cpuidle_|do_idle)/;

/** Syscall wrapper prefixes stripped from the guilty frame (syzkaller canonicalisation). */
export const SYSCALL_PREFIX =
  /^(?:__x64_sys_|__ia32_sys_|__arm64_sys_|__se_sys_|__do_sys_|__x64_compat_sys_|__ia32_compat_sys_|__arm64_compat_sys_|__se_compat_sys_|__do_compat_sys_|compat_sys_|SYSC_|SyS_|sys_|ksys_|__sys_)/;
