// Kernel report families, one row each, in the spirit of syzkaller's `linuxOopses`
// (pkg/report/linux.go). A row says how a headline looks, how the report is titled
// (syzbot convention, REFERENCE.md §2 and §5) and what kind of bug it is.
// Earlier rows win: put specific rows (refcount WARNING) before generic ones (WARNING).
import type { CrashKind } from '../types';

/**
 * - `start`: the headline opens a report.
 * - `continuation`: part of the report printed just before (`Oops: 0000 [#1]` after
 *   `BUG: kernel NULL pointer dereference`, `Kernel panic - not syncing` after an oops);
 *   it opens its own report only when nothing precedes it.
 * - `prefix`: opens a report and absorbs the next headline printed within a few lines
 *   (`list_del corruption` then `kernel BUG at lib/list_debug.c`).
 */
/**
 * `start` opens a report; `continuation` joins the report before it, alone it is one;
 * `prefix` opens a report that the next headline names; `inner` joins the report before it and
 * alone is nothing (a line only ever printed inside another report).
 */
export type HeaderRole = 'start' | 'continuation' | 'prefix' | 'inner';

/** Where the guilty frame comes from. */
export type FrameSource =
  | 'stack' // RIP/pc frame then the call trace, first frame not skipped
  | 'warning' // the function on the WARNING line, then as `stack`
  | 'headline' // the function named in the headline (`in foo+0x..`), then as `stack`
  | 'hung' // hung-task extractor
  | 'stall' // stall/lockup extractor
  | 'lock' // lockdep: function of the first `at: foo+0x..` lock line, then as `stack`
  | 'none'; // the report has no stack worth naming (workqueue lockup)

export interface KernelReportRule {
  id: string;
  /** Literal text every matching line contains; a cheap prefilter before the pattern runs. */
  header: string;
  /** Anchored; runs on the envelope-stripped, left-trimmed line. Named groups fill the template. */
  pattern: RegExp;
  /** `{slot}` from the pattern's named groups or report fields (`access`); `{frame}` is the guilty function. */
  titleTemplate: string;
  kind: CrashKind;
  /** Kind chosen by a named group's value, e.g. the KASAN bug type; falls back to `kind`. */
  kindBy?: { group: string; map: Readonly<Record<string, CrashKind>> };
  role: HeaderRole;
  frameFrom: FrameSource;
  /** Extra skip group (skip-frames.ts FAMILY_SKIP_FRAMES). */
  extraSkip?: string;
  /** The report ends at the next `====` banner (KASAN, KFENCE, UBSAN, KCSAN, KMSAN print one). */
  closesOnBanner?: boolean;
  example: string;
  why: string;
}

export const KASAN_KINDS: Readonly<Record<string, CrashKind>> = {
  'use-after-free': 'use-after-free',
  'slab-use-after-free': 'use-after-free',
  'vmalloc-use-after-free': 'use-after-free',
  'out-of-bounds': 'out-of-bounds',
  'slab-out-of-bounds': 'out-of-bounds',
  'global-out-of-bounds': 'out-of-bounds',
  'stack-out-of-bounds': 'out-of-bounds',
  'alloca-out-of-bounds': 'out-of-bounds',
  'vmalloc-out-of-bounds': 'out-of-bounds',
  'user-memory-access': 'bad-access',
  'wild-memory-access': 'bad-access',
  'null-ptr-deref': 'null-deref',
  'double-free': 'double-free',
  'invalid-free': 'invalid-free',
  'double-free or invalid-free': 'double-free',
  'invalid-access': 'bad-access',
  'unknown-crash': 'bad-access',
  // KASAN's first names (Linux 4.0-4.3, mm/kasan/report.c print_error_description, and the
  // Android 3.18/4.4 backports): words with spaces, `BUG: KASan: out of bounds access in ..`.
  'out of bounds access': 'out-of-bounds',
  'out of bounds on stack': 'out-of-bounds',
  'use after free': 'use-after-free',
  'unknown crash': 'bad-access',
};

const KFENCE_KINDS: Readonly<Record<string, CrashKind>> = {
  'use-after-free': 'use-after-free',
  'out-of-bounds': 'out-of-bounds',
  'invalid free': 'invalid-free',
  'memory corruption': 'slab-corruption',
  invalid: 'bad-access',
};

const KMSAN_KINDS: Readonly<Record<string, CrashKind>> = {
  'uninit-value': 'uninit-value',
  'kernel-infoleak': 'uninit-value',
  'kernel-infoleak-after-free': 'use-after-free',
  'kernel-usb-infoleak': 'uninit-value',
  'use-after-free': 'use-after-free',
};

const UBSAN_KINDS: Readonly<Record<string, CrashKind>> = {
  'array-index-out-of-bounds': 'out-of-bounds',
};

const SLUB_KINDS: Readonly<Record<string, CrashKind>> = {
  'Object already free': 'double-free',
};

const REFCOUNT_KINDS: Readonly<Record<string, CrashKind>> = {
  'addition on 0; use-after-free': 'use-after-free',
  'underflow; use-after-free': 'use-after-free',
  'saturated; leaking memory': 'memory-leak',
  'decrement hit 0; leaking memory': 'memory-leak',
};

export const KERNEL_REPORT_RULES: readonly KernelReportRule[] = [
  // ---- memory-safety detectors
  {
    id: 'kasan',
    header: 'KASAN: ',
    // The legacy names (KASAN_KINDS) have spaces; every other type is one dashed word.
    pattern:
      /^BUG: KASAN: (?<bugType>[a-z][a-z-]{1,40}(?: or invalid-free)?|out of bounds access|out of bounds on stack|use after free|unknown crash) in (?<func>[^\s]{1,255})/,
    titleTemplate: 'KASAN: {bugType} {access} in {frame}',
    kind: 'bad-access',
    kindBy: { group: 'bugType', map: KASAN_KINDS },
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'BUG: KASAN: slab-use-after-free in dma_pool_alloc+0x1ab/0x2c0',
    why: 'KASAN names the bug type from the shadow byte; the access line gives Read/Write',
  },
  {
    id: 'kasan-4.0',
    header: 'KASan: ',
    pattern:
      /^BUG: KASan: (?<bugType>out of bounds access|out of bounds on stack|use after free|unknown crash) in (?<func>[^\s]{1,255})/,
    titleTemplate: 'KASAN: {bugType} {access} in {frame}',
    kind: 'bad-access',
    kindBy: { group: 'bugType', map: KASAN_KINDS },
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'BUG: KASan: out of bounds access in sock_setsockopt+0x2b4/0x9f0 at addr ffffffc0a1b2c3d8',
    why: 'KASAN as Linux 4.0-4.3 spelled it (renamed KASAN in 4.4); Android 3.18 kernels print it too',
  },
  {
    id: 'kasan-slub-object',
    header: 'kasan: bad access detected',
    pattern: /^BUG [\w:.()-]{1,64} \((?:Not tainted|Tainted: [A-Z ]{1,40})\): kasan: bad access detected/,
    titleTemplate: 'KASAN: bad access in {frame}',
    kind: 'bad-access',
    role: 'inner',
    frameFrom: 'stack',
    example: 'BUG kmalloc-64 (Tainted: G        W      ): kasan: bad access detected',
    why: 'KASAN before 4.6 described a slab object through SLUB (object_err): the SLUB header and its banner sit inside the KASAN report, before its stack',
  },
  {
    id: 'kfence',
    header: 'KFENCE: ',
    pattern:
      /^BUG: KFENCE: (?<bugType>use-after-free|out-of-bounds|invalid free|memory corruption|invalid)(?: (?<op>read|write))? in (?<func>[^\s]{1,255})/,
    titleTemplate: 'KFENCE: {bugType} {op} in {frame}',
    kind: 'bad-access',
    kindBy: { group: 'bugType', map: KFENCE_KINDS },
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'BUG: KFENCE: use-after-free read in mlx5_cmd_exec+0x3c/0x90',
    why: 'KFENCE samples allocations into guarded pages; same bug classes as KASAN, lower overhead',
  },
  {
    id: 'kmsan',
    header: 'KMSAN: ',
    pattern: /^BUG: KMSAN: (?<bugType>[a-z][a-z-]{1,40}) in (?<func>[^\s]{1,255})/,
    titleTemplate: 'KMSAN: {bugType} in {frame}',
    kind: 'uninit-value',
    kindBy: { group: 'bugType', map: KMSAN_KINDS },
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'BUG: KMSAN: uninit-value in tcp_recvmsg+0x3c/0x90',
    why: 'KMSAN tracks uninitialised memory use',
  },
  {
    id: 'kcsan',
    header: 'KCSAN: ',
    pattern:
      /^BUG: KCSAN: (?<bugType>data-race|assert: race|[a-z][a-z: -]{1,30}?) in (?<funcs>[^\s]{1,255}(?: \/ [^\s]{1,255})?)/,
    titleTemplate: 'KCSAN: {bugType} in {funcs}',
    kind: 'data-race',
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'BUG: KCSAN: data-race in dentry_kill / shrink_dentry_list',
    why: 'KCSAN names both racing functions; the title keeps them as printed',
  },
  {
    id: 'ubsan',
    header: 'UBSAN: ',
    pattern: /^UBSAN: (?<check>[a-z][a-z-]{1,60}) in (?<file>[^\s]{1,255})/,
    titleTemplate: 'UBSAN: {check} in {frame}',
    kind: 'undefined-behavior',
    kindBy: { group: 'check', map: UBSAN_KINDS },
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'UBSAN: array-index-out-of-bounds in drivers/net/foo.c:123:45',
    why: 'UBSAN names the check and the source location; the stack names the function',
  },
  {
    id: 'ubsan-old',
    header: 'UBSAN: Undefined behaviour',
    pattern: /^UBSAN: Undefined behaviour in (?<file>[^\s]{1,255})/,
    titleTemplate: 'UBSAN: undefined-behaviour in {frame}',
    kind: 'undefined-behavior',
    role: 'start',
    frameFrom: 'stack',
    closesOnBanner: true,
    example: 'UBSAN: Undefined behaviour in net/ipv4/route.c:503:8',
    why: 'kernels up to ~5.8 printed one generic UBSAN headline',
  },
  // ---- faults
  {
    id: 'null-deref-x86',
    header: 'NULL pointer dereference',
    pattern: /^BUG: kernel NULL pointer dereference, address: (?<address>[0-9a-fA-Fx]{1,18})/,
    titleTemplate: 'BUG: unable to handle kernel NULL pointer dereference in {frame}',
    kind: 'null-deref',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: kernel NULL pointer dereference, address: 0000000000000008',
    why: 'x86 since ~5.1 prints this for faults below PAGE_SIZE',
  },
  {
    id: 'null-deref-x86-old',
    header: 'NULL pointer dereference',
    pattern:
      /^BUG: unable to handle kernel NULL pointer dereference at (?<address>[0-9a-fA-Fx]{1,18}|\(null\))/,
    titleTemplate: 'BUG: unable to handle kernel NULL pointer dereference in {frame}',
    kind: 'null-deref',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: unable to handle kernel NULL pointer dereference at (null)',
    why: 'x86 before ~5.1 (RHEL7 3.10, RHEL8 4.18)',
  },
  {
    id: 'null-deref-arm64',
    header: 'NULL pointer dereference',
    pattern:
      /^Unable to handle kernel NULL pointer dereference at virtual address (?<address>[0-9a-fA-Fx]{1,18})/,
    titleTemplate: 'BUG: unable to handle kernel NULL pointer dereference in {frame}',
    kind: 'null-deref',
    role: 'start',
    frameFrom: 'stack',
    example: 'Unable to handle kernel NULL pointer dereference at virtual address 00000000000000d0',
    why: 'arm64/arm fault headline; syzbot titles it like the x86 one',
  },
  {
    id: 'paging-x86',
    header: 'BUG: unable to handle',
    pattern:
      /^BUG: unable to handle (?:page fault for address:|kernel paging request at) (?<address>[0-9a-fA-Fx]{1,18})/,
    titleTemplate: 'BUG: unable to handle kernel paging request in {frame}',
    kind: 'bad-access',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: unable to handle page fault for address: ffffde202758ca0b',
    why: 'x86 fault on a non-NULL bad address (new and old wording)',
  },
  {
    id: 'paging-arm64',
    header: 'Unable to handle kernel',
    pattern:
      /^Unable to handle kernel (?:paging request|access to user memory outside uaccess routines|write to read-only memory|execute from non-executable memory|read from unreadable memory) at virtual address (?<address>[0-9a-fA-Fx]{1,18})/,
    titleTemplate: 'BUG: unable to handle kernel paging request in {frame}',
    kind: 'bad-access',
    role: 'start',
    frameFrom: 'stack',
    example: 'Unable to handle kernel paging request at virtual address dead000000000108',
    why: 'arm64/arm fault on a non-NULL bad address',
  },
  {
    id: 'gpf',
    header: 'general protection fault',
    pattern:
      /^(?:Oops: )?general protection fault(?:, probably for non-canonical address (?<address>0x[0-9a-fA-F]{1,16}))?: [0-9a-f]{4}(?: \[#(?<oopsNo>\d{1,5})\])?/,
    titleTemplate: 'general protection fault in {frame}',
    kind: 'general-protection-fault',
    role: 'start',
    frameFrom: 'stack',
    example:
      'Oops: general protection fault, probably for non-canonical address 0xdffffc0000000003: 0000 [#1] SMP KASAN PTI',
    why: 'x86 #GP: non-canonical pointer (poison, KASAN shadow of a near-NULL pointer, garbage)',
  },
  {
    id: 'stack-guard-page',
    header: 'stack guard page',
    pattern: /^BUG: stack guard page was hit at (?<address>[0-9a-fA-Fx]{1,18})/,
    titleTemplate: 'BUG: stack guard page was hit in {frame}',
    kind: 'stack-overflow',
    role: 'prefix',
    frameFrom: 'stack',
    example:
      'BUG: stack guard page was hit at ffffc90000a17ff8 (stack is ffffc90000a18000..ffffc90000a1ffff)',
    why: 'x86 vmap stacks: a kernel stack overflow hits the guard page, then a double fault follows',
  },
  {
    id: 'stack-overflow-double-fault',
    header: 'kernel stack overflow',
    pattern: /^kernel stack overflow \(double-fault\): [0-9a-f]{4}(?: \[#(?<oopsNo>\d{1,5})\])?/,
    titleTemplate: 'BUG: stack guard page was hit in {frame}',
    kind: 'stack-overflow',
    role: 'continuation',
    frameFrom: 'stack',
    example: 'kernel stack overflow (double-fault): 0000 [#1] PREEMPT SMP',
    why: 'printed after the guard-page line',
  },
  {
    id: 'double-fault',
    header: 'PANIC: double fault',
    pattern: /^PANIC: double fault, error_code: 0x[0-9a-f]{1,8}/,
    titleTemplate: 'PANIC: double fault in {frame}',
    kind: 'stack-overflow',
    role: 'start',
    frameFrom: 'stack',
    example: 'PANIC: double fault, error_code: 0x0',
    why: 'x86 double fault, usually a stack overflow',
  },
  {
    id: 'list-debug-bug',
    header: 'lib/list_debug.c',
    pattern: /^kernel BUG at lib\/list_debug\.c:(?<line>\d{1,7})!/,
    titleTemplate: 'BUG: corrupted list in {frame}',
    kind: 'list-corruption',
    role: 'start',
    frameFrom: 'stack',
    example: 'kernel BUG at lib/list_debug.c:53!',
    why: 'CONFIG_BUG_ON_DATA_CORRUPTION turns list_debug checks into BUG()',
  },
  {
    id: 'usercopy-bug',
    header: 'mm/usercopy.c',
    pattern: /^kernel BUG at mm\/usercopy\.c:(?<line>\d{1,7})!/,
    titleTemplate: 'BUG: bad usercopy in {frame}',
    kind: 'out-of-bounds',
    role: 'start',
    frameFrom: 'stack',
    example: 'kernel BUG at mm/usercopy.c:99!',
    why: 'hardened usercopy found a copy crossing an object boundary',
  },
  {
    id: 'kernel-bug',
    header: 'ernel BUG at',
    // 2.6.18 x86_64 printed `Kernel BUG at fs/nfs/inode.c:1171`, without the `!`.
    pattern: /^[kK]ernel BUG at (?<file>[^\s:]{1,255}):(?<line>\d{1,7})(?:!|\s*$)/,
    titleTemplate: 'kernel BUG in {frame}',
    kind: 'bug',
    role: 'start',
    frameFrom: 'stack',
    extraSkip: 'kernel-bug',
    example: 'kernel BUG at fs/ext4/extents_status.c:899!',
    why: 'BUG()/BUG_ON(): an assertion in the kernel failed',
  },
  {
    id: 'warning-refcount',
    header: 'lib/refcount.c',
    pattern:
      /^WARNING: CPU: (?<cpu>\d{1,5}) PID: (?<pid>\d{1,10}) at lib\/refcount\.c:\d{1,7} (?<func>[^\s]{1,255})/,
    titleTemplate: 'WARNING: refcount bug in {frame}',
    kind: 'warning',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: CPU: 1 PID: 3042 at lib/refcount.c:28 refcount_warn_saturate+0x13e/0x1a0',
    why: 'refcount_t saturation: usually a use-after-free or a leak; syzbot titles it apart',
  },
  {
    id: 'warning-list-debug',
    header: 'lib/list_debug.c',
    pattern:
      /^WARNING: CPU: (?<cpu>\d{1,5}) PID: (?<pid>\d{1,10}) at lib\/list_debug\.c:\d{1,7} (?<func>[^\s]{1,255})/,
    titleTemplate: 'BUG: corrupted list in {frame}',
    kind: 'list-corruption',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: CPU: 0 PID: 1 at lib/list_debug.c:59 __list_del_entry_valid+0x8c/0xc0',
    why: 'list_debug check without BUG_ON_DATA_CORRUPTION',
  },
  {
    id: 'warning-odebug',
    header: 'lib/debugobjects.c',
    pattern:
      /^WARNING: CPU: (?<cpu>\d{1,5}) PID: (?<pid>\d{1,10}) at lib\/debugobjects\.c:\d{1,7} (?<func>[^\s]{1,255})/,
    titleTemplate: 'WARNING: ODEBUG bug in {frame}',
    kind: 'warning',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: CPU: 0 PID: 9 at lib/debugobjects.c:505 debug_print_object+0x16a/0x1f0',
    why: 'debugobjects: object freed/initialised in the wrong state',
  },
  {
    id: 'warning-locking',
    header: 'kernel/locking/',
    pattern:
      /^WARNING: CPU: (?<cpu>\d{1,5}) PID: (?<pid>\d{1,10}) at kernel\/locking\/[\w.]{1,64}:\d{1,7} (?<func>[^\s]{1,255})/,
    titleTemplate: 'WARNING: locking bug in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: CPU: 0 PID: 1 at kernel/locking/lockdep.c:231 __lock_acquire+0x1234/0x5678',
    why: 'warnings inside the locking core name a locking misuse',
  },
  {
    id: 'warning',
    header: 'WARNING: ',
    pattern:
      /^WARNING: CPU: (?<cpu>\d{1,5}) PID: (?<pid>\d{1,10}) at (?<file>[^\s]{1,255})(?: (?<func>[^\s]{1,255}))?/,
    titleTemplate: 'WARNING in {frame}',
    kind: 'warning',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: CPU: 2 PID: 67 at fs/dcache.c:338 dentry_free+0x24/0xa8',
    why: 'WARN_ON(): the kernel continues, but state is suspect (sets taint W)',
  },
  {
    id: 'warning-2025',
    header: 'WARNING: ',
    pattern:
      /^WARNING: (?<file>[\w./-]{1,255}):(?<line>\d{1,7}) at 0x[0-9a-f]{1,16}, CPU#(?<cpu>\d{1,5}): (?<comm>.{1,64})\/(?<pid>\d{1,10})/,
    titleTemplate: 'WARNING in {frame}',
    kind: 'warning',
    role: 'start',
    frameFrom: 'stack',
    example: 'WARNING: fs/ext4/xattr.c:1058 at 0x0, CPU#0: syz.0.17/5982',
    why: 'late-2025 kernels moved the function off the WARNING line; take it from RIP/pc',
  },
  {
    id: 'warning-old',
    header: 'WARNING: at ',
    pattern: /^WARNING: at (?<file>[^\s]{1,255}) (?<func>[^\s]{1,255})/,
    titleTemplate: 'WARNING in {frame}',
    kind: 'warning',
    role: 'start',
    frameFrom: 'warning',
    example: 'WARNING: at net/core/dev.c:1915 skb_warn_bad_offload+0x99/0xb0()',
    why: '2.6/3.x kernels',
  },
  {
    id: 'refcount',
    header: 'refcount_t: ',
    pattern: /^refcount_t: (?<msg>[a-z][a-z0-9 ;-]{1,60}?)\.?$/,
    titleTemplate: 'WARNING: refcount bug in {frame}',
    kind: 'warning',
    kindBy: { group: 'msg', map: REFCOUNT_KINDS },
    role: 'prefix',
    frameFrom: 'warning',
    example: 'refcount_t: underflow; use-after-free.',
    why: 'printed just before the lib/refcount.c WARNING; says which misuse it was',
  },
  {
    id: 'list-corruption',
    header: 'list_',
    pattern: /^(?<list>h?list(?:_bl)?)_(?<op>add|del) (?:corruption|double add)/,
    titleTemplate: 'BUG: corrupted list in {frame}',
    kind: 'list-corruption',
    role: 'prefix',
    frameFrom: 'stack',
    example: 'list_del corruption, ffff9d0fa45f4c90->next is LIST_POISON1 (dead000000000100)',
    why: 'CONFIG_DEBUG_LIST caught a corrupted or already-deleted list entry',
  },
  {
    id: 'wrong-slab-cache',
    header: 'Wrong slab cache',
    pattern:
      /^cache_from_obj: Wrong slab cache\. (?<expected>[^\s]{1,64}) but object is from (?<actual>[^\s]{1,64})/,
    titleTemplate: 'BUG: wrong slab cache in {frame}',
    kind: 'invalid-free',
    role: 'prefix',
    frameFrom: 'stack',
    example: 'cache_from_obj: Wrong slab cache. ext4_inode_cache but object is from kmalloc-1k',
    why: 'an object freed to the wrong cache: double free or a freed-and-reused object',
  },
  {
    id: 'usercopy',
    header: 'usercopy: ',
    pattern: /^usercopy: Kernel memory (?<dir>exposure|overwrite) attempt detected/,
    titleTemplate: 'BUG: bad usercopy in {frame}',
    kind: 'out-of-bounds',
    role: 'prefix',
    frameFrom: 'stack',
    example:
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-64' (offset 8, size 100)!",
    why: 'hardened usercopy; the kernel BUG at mm/usercopy.c follows',
  },
  {
    id: 'slub-debug',
    header: 'BUG ',
    pattern:
      /^BUG (?<cache>[\w:.()-]{1,64}) \((?:Not tainted|Tainted: [A-Z ]{1,40})\): (?<problem>[A-Za-z][A-Za-z ]{1,60}?)(?:[.:]| 0x|$)/,
    titleTemplate: 'BUG: {problem} in {frame}',
    kind: 'slab-corruption',
    kindBy: { group: 'problem', map: SLUB_KINDS },
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG kmalloc-128 (Tainted: G    B      O     ): Poison overwritten',
    why: 'slub_debug found a corrupted object (poison, red zone, freelist); sets taint B',
  },
  {
    id: 'bad-page',
    header: 'BUG: Bad page',
    pattern: /^BUG: Bad page (?<what>state|map) in process (?<comm>.{1,64}?) {1,2}pfn:(?<pfn>[0-9a-f]{1,16})/,
    titleTemplate: 'BUG: Bad page {what} in {frame}',
    kind: 'bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: Bad page state in process kswapd0  pfn:7deea',
    why: 'a page freed or mapped in an impossible state; sets taint B',
  },
  {
    id: 'bad-rss',
    header: 'BUG: Bad rss-counter',
    pattern: /^BUG: Bad rss-counter state mm:/,
    titleTemplate: 'BUG: Bad rss-counter state',
    kind: 'bug',
    role: 'start',
    frameFrom: 'none',
    example: 'BUG: Bad rss-counter state mm:00000000b3a2f1c5 type:MM_FILEPAGES val:-1',
    why: 'mm counters went wrong; no stack is printed',
  },
  // ---- locking
  {
    id: 'lockdep-circular',
    header: 'possible circular locking',
    pattern: /^(?:WARNING|INFO): possible circular locking dependency detected/,
    titleTemplate: 'possible deadlock in {frame}',
    kind: 'deadlock',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: possible circular locking dependency detected',
    why: 'lockdep found an ABBA ordering between two lock classes',
  },
  {
    id: 'lockdep-recursive',
    header: 'possible recursive locking',
    pattern: /^(?:WARNING|INFO): possible recursive locking detected/,
    titleTemplate: 'possible deadlock in {frame}',
    kind: 'deadlock',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: possible recursive locking detected',
    why: 'a task takes a lock class it already holds',
  },
  {
    id: 'lockdep-irq-inversion',
    header: 'lock inversion',
    pattern: /^(?:WARNING|INFO): possible irq lock inversion dependency detected/,
    titleTemplate: 'possible deadlock in {frame}',
    kind: 'deadlock',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: possible irq lock inversion dependency detected',
    why: 'a lock taken in IRQ context is also taken with IRQs enabled elsewhere',
  },
  {
    id: 'lockdep-safe-unsafe',
    header: '-unsafe lock order',
    pattern: /^(?:WARNING|INFO): [A-Z]{2,10}-safe -> [A-Z]{2,10}-unsafe lock order detected/,
    titleTemplate: 'possible deadlock in {frame}',
    kind: 'deadlock',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected',
    why: 'irq-safe lock taken inside an irq-unsafe one',
  },
  {
    id: 'lockdep-inconsistent',
    header: 'inconsistent lock state',
    pattern: /^(?:WARNING|INFO): inconsistent lock state/,
    titleTemplate: 'inconsistent lock state in {frame}',
    kind: 'deadlock',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: inconsistent lock state',
    why: 'a lock used both in and out of IRQ context without disabling IRQs',
  },
  {
    id: 'lockdep-bad-unlock',
    header: 'bad unlock balance',
    pattern: /^(?:WARNING|INFO): bad unlock balance detected!/,
    titleTemplate: 'WARNING: bad unlock balance in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'WARNING: bad unlock balance detected!',
    why: 'a lock released that was not held',
  },
  {
    id: 'lockdep-held-freed',
    header: 'held lock freed',
    pattern: /^(?:WARNING|INFO): held lock freed!/,
    titleTemplate: 'WARNING: held lock freed in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'WARNING: held lock freed!',
    why: 'memory holding a locked lock was freed',
  },
  {
    id: 'lockdep-return-to-user',
    header: 'lock held when returning',
    pattern: /^(?:WARNING|INFO): lock held when returning to user space!/,
    titleTemplate: 'WARNING: lock held when returning to user space in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'lock',
    example: 'WARNING: lock held when returning to user space!',
    why: 'a syscall left a lock held',
  },
  {
    id: 'rcu-usage',
    header: 'suspicious RCU usage',
    pattern: /^(?:WARNING|INFO): suspicious RCU usage/,
    titleTemplate: 'WARNING: suspicious RCU usage in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'stack',
    extraSkip: 'rcu-usage',
    example: 'WARNING: suspicious RCU usage',
    why: 'rcu_dereference_check() outside the required protection',
  },
  {
    id: 'sleeping-in-atomic',
    header: 'sleeping function called',
    pattern: /^BUG: sleeping function called from invalid context at (?<file>[^\s]{1,255})/,
    titleTemplate: 'BUG: sleeping function called from invalid context in {frame}',
    kind: 'bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580',
    why: 'might_sleep() in atomic context',
  },
  {
    id: 'scheduling-while-atomic',
    header: 'scheduling while atomic',
    pattern: /^BUG: scheduling while atomic: /,
    titleTemplate: 'BUG: scheduling while atomic in {frame}',
    kind: 'bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: scheduling while atomic: swapper/0/0/0x00000100',
    why: 'schedule() with preemption disabled',
  },
  {
    id: 'spinlock-bug',
    header: 'BUG: spinlock ',
    pattern:
      /^BUG: spinlock (?<what>bad magic|recursion|already unlocked|wrong owner|wrong CPU|lockup suspected|cpu recursion) on CPU#\d{1,5}/,
    titleTemplate: 'BUG: spinlock {what} in {frame}',
    kind: 'lock-bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: spinlock bad magic on CPU#0, swapper/0/1',
    why: 'spinlock debug checks (often a lock inside freed memory)',
  },
  {
    id: 'smp-processor-id',
    header: 'smp_processor_id',
    pattern: /^BUG: using (?<what>__this_cpu_[a-z_]{1,30}\(\)|smp_processor_id\(\)) in preemptible/,
    titleTemplate: 'BUG: using {what} in preemptible code in {frame}',
    kind: 'bug',
    role: 'start',
    frameFrom: 'stack',
    example: 'BUG: using smp_processor_id() in preemptible [00000000] code: syz-executor/1234',
    why: 'per-CPU access with preemption enabled',
  },
  // ---- hangs and stalls
  {
    id: 'rcu-stall',
    header: 'INFO: rcu_',
    pattern:
      /^(?:rcu: )?INFO: rcu_(?:preempt|sched|bh|tasks[a-z_]{0,12}) (?:detected stalls? on CPUs?\/tasks|self-detected stall on CPU|detected expedited stalls on CPUs\/tasks)/,
    titleTemplate: 'INFO: rcu detected stall in {frame}',
    kind: 'stall',
    role: 'start',
    frameFrom: 'stall',
    example: 'rcu: INFO: rcu_preempt self-detected stall on CPU',
    why: 'a CPU did not pass through a quiescent state for too long',
  },
  {
    id: 'soft-lockup',
    header: 'soft lockup',
    pattern:
      /^(?:(?:NMI )?watchdog: )?BUG: soft lockup - CPU#(?<cpu>\d{1,5}) stuck for (?<secs>\d{1,7})s! \[(?<comm>.{1,64}):(?<pid>\d{1,10})\]/,
    titleTemplate: 'BUG: soft lockup in {frame}',
    kind: 'stall',
    role: 'start',
    frameFrom: 'stall',
    example: 'watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:181]',
    why: 'a CPU looped in kernel mode without scheduling; sets taint L',
  },
  {
    id: 'hard-lockup',
    header: 'hard LOCKUP',
    pattern: /^(?:(?:NMI )?watchdog: )?(?:CPU\d{1,5}: )?Watchdog detected hard LOCKUP on cpu (?<cpu>\d{1,5})/,
    titleTemplate: 'BUG: hard lockup in {frame}',
    kind: 'stall',
    role: 'start',
    frameFrom: 'stall',
    example: 'watchdog: Watchdog detected hard LOCKUP on cpu 3',
    why: 'a CPU stopped taking timer interrupts',
  },
  {
    id: 'hung-task',
    header: 'INFO: task ',
    pattern:
      /^INFO: task (?<comm>.{1,64}):(?<pid>\d{1,10}) blocked (?:for more than (?<secs>\d{1,7}) seconds|in I\/O wait)/,
    titleTemplate: 'INFO: task hung in {frame}',
    kind: 'hang',
    role: 'start',
    frameFrom: 'hung',
    example: 'INFO: task kswapd0:67 blocked for more than 122 seconds.',
    why: 'khungtaskd: a task in D state for longer than hung_task_timeout_secs',
  },
  {
    id: 'workqueue-lockup',
    header: 'workqueue lockup',
    pattern: /^BUG: workqueue lockup - pool/,
    titleTemplate: 'BUG: workqueue lockup',
    kind: 'stall',
    role: 'start',
    frameFrom: 'none',
    example: 'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!',
    why: 'a worker pool made no progress; the culprit is in the busy-workqueue dump',
  },
  {
    id: 'netdev-refcount',
    header: 'unregister_netdevice: waiting',
    pattern: /^unregister_netdevice: waiting for (?<dev>[^\s]{1,32}) to become free/,
    titleTemplate: 'unregister_netdevice: waiting for DEV to become free',
    kind: 'hang',
    role: 'start',
    frameFrom: 'none',
    example: 'unregister_netdevice: waiting for lo to become free. Usage count = 2',
    why: 'a net_device reference leaked; no stack is printed',
  },
  // ---- panics, stack corruption, leaks
  {
    id: 'stack-protector',
    header: 'stack-protector',
    pattern:
      /^Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: (?<func>[^\s]{1,255})/,
    titleTemplate: 'kernel panic: stack is corrupted in {frame}',
    kind: 'stack-overflow',
    role: 'start',
    frameFrom: 'headline',
    example:
      'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: udp4_lib_lookup2+0x7ea/0x7f0',
    why: 'the stack canary of the named function was overwritten',
  },
  {
    id: 'stack-end-corrupted',
    header: 'corrupted stack end',
    pattern: /^Kernel panic - not syncing: corrupted stack end detected inside scheduler/,
    titleTemplate: 'kernel panic: corrupted stack end in {frame}',
    kind: 'stack-overflow',
    role: 'start',
    frameFrom: 'stack',
    example: 'Kernel panic - not syncing: corrupted stack end detected inside scheduler',
    why: 'STACK_END_MAGIC overwritten: a stack overflow',
  },
  {
    id: 'kmemleak',
    header: 'unreferenced object',
    pattern: /^unreferenced object 0x(?<address>[0-9a-f]{1,16}) \(size (?<size>\d{1,10})\):/,
    titleTemplate: 'memory leak in {frame}',
    kind: 'memory-leak',
    role: 'start',
    frameFrom: 'stack',
    example: 'unreferenced object 0xffff88801a2b3c00 (size 64):',
    why: 'kmemleak found no references to an allocated object; the backtrace is the allocation',
  },
  {
    id: 'busy-inodes',
    header: 'VFS: Busy inodes',
    pattern: /^VFS: Busy inodes after unmount of /,
    titleTemplate: 'VFS: Busy inodes after unmount (use-after-free)',
    kind: 'use-after-free',
    role: 'start',
    frameFrom: 'none',
    example: 'VFS: Busy inodes after unmount of sda1 (ext4). Self-destruct in 5 seconds.  Have a nice day...',
    why: 'inodes still referenced at umount: a leaked or later-freed reference',
  },
  {
    id: 'divide-error',
    header: 'divide',
    pattern: /^(?:Oops: )?divide(?: |_)error: [0-9a-f]{4}(?: \[#(?<oopsNo>\d{1,5})\])?/,
    titleTemplate: 'divide error in {frame}',
    kind: 'undefined-behavior',
    role: 'start',
    frameFrom: 'stack',
    example: 'divide error: 0000 [#1] PREEMPT SMP KASAN',
    why: 'x86 #DE: division by zero or overflow',
  },
  // ---- lines that belong to the report before them
  {
    id: 'invalid-opcode',
    header: 'invalid opcode',
    pattern: /^(?:Oops: )?invalid opcode: [0-9a-f]{4}(?: \[#(?<oopsNo>\d{1,5})\])?/,
    titleTemplate: 'invalid opcode in {frame}',
    kind: 'bug',
    role: 'continuation',
    frameFrom: 'stack',
    example: 'invalid opcode: 0000 [#1] SMP',
    why: 'x86 ud2: follows `kernel BUG at`; alone it is a BUG without its headline',
  },
  {
    id: 'arm64-bug',
    header: 'Internal error: Oops - BUG',
    pattern: /^Internal error: Oops - BUG: (?:0x)?[0-9a-f]{1,16} \[#(?<oopsNo>\d{1,5})\]/,
    titleTemplate: 'kernel BUG in {frame}',
    kind: 'bug',
    role: 'continuation',
    frameFrom: 'stack',
    example: 'Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP',
    why: 'arm64 brk from BUG(); follows `kernel BUG at`',
  },
  {
    id: 'arm64-internal-error',
    header: 'Internal error: ',
    pattern:
      /^Internal error: (?<what>[A-Za-z][A-Za-z -]{1,40})?: (?:0x)?[0-9a-f]{1,16} \[#(?<oopsNo>\d{1,5})\]/,
    titleTemplate: 'Internal error in {frame}',
    kind: 'bad-access',
    role: 'continuation',
    frameFrom: 'stack',
    example: 'Internal error: Oops: 96000005 [#1] SMP',
    why: 'arm64/arm oops line after the fault headline; carries the oops counter (arm32 external aborts print no kind: `Internal error: : 1406 [#1]`)',
  },
  {
    id: 'oops-line',
    header: 'Oops: ',
    pattern: /^Oops: [0-9a-f]{4} \[#(?<oopsNo>\d{1,5})\]/,
    titleTemplate: 'kernel oops in {frame}',
    kind: 'bad-access',
    role: 'continuation',
    frameFrom: 'stack',
    example: 'Oops: 0000 [#1] PREEMPT SMP KASAN PTI',
    why: 'x86 oops line after the fault headline; carries the oops counter',
  },
  {
    id: 'kernel-panic',
    header: 'Kernel panic - not syncing',
    pattern: /^Kernel panic - not syncing: (?<reason>.{1,200})$/,
    titleTemplate: 'kernel panic: {reason}',
    kind: 'panic',
    role: 'continuation',
    frameFrom: 'none',
    example: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
    why: 'after an oops it is the same report; alone it is the report',
  },
];
