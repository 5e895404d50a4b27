// How syzbot names a Linux kernel report, as data: one row per oops family (the literal a line
// must contain), each with its title formats in order of preference. Modelled on syzkaller's
// `linuxOopses` (pkg/report/linux.go): the facts (which line gives the title, which frames are
// skipped, which reports are corrupted) are theirs; the rows, names and engine are ours
// (src/core/parse/kernel-title.ts). Every pattern runs on one envelope-stripped line; a format
// whose evidence spans lines lists its line patterns in order (`report`), which keeps matching
// linear in the input.
import type { CrashKind } from '../types';
import { KASAN_KINDS } from './kernel-reports';
import { SECTION_END_SYMBOLS } from './skip-frames';

/** `{{PC}}` a bracketed address, `{{FUNC}}` a symbol followed by `+off` or `.suffix`, `{{SRC}}` file:line. */
const MACROS: readonly [RegExp, string][] = [
  [/\{\{ADDR\}\}/g, '0x[0-9a-f]+'],
  [/\{\{PC\}\}/g, '\\[<?(?:0x)?[0-9a-f]{1,16}>?\\]'],
  // An optional leading dot: ppc64 ELFv1 prints code symbols as `.func+0x44/0x260`; an optional
  // `:module:` before the name: 2.6.18 x86_64 prints module symbols as `:ext3:ext3_get_block+0x..`.
  [/\{\{FUNC:(\w+)\}\}/g, '(?::[a-zA-Z0-9_]{1,60}:)?\\.?(?<$1>[a-zA-Z0-9_]{1,200})(?:\\.|\\+)'],
  [/\{\{FUNC\}\}/g, '(?::[a-zA-Z0-9_]{1,60}:)?\\.?([a-zA-Z0-9_]{1,200})(?:\\.|\\+)'],
  [/\{\{SRC:(\w+)\}\}/g, '(?<$1>[a-zA-Z0-9\\-_/.]{1,200}\\.[a-z]{1,5}:[0-9]{1,7})'],
  [/\{\{SRC\}\}/g, '(?:[a-zA-Z0-9\\-_/.]{1,200}\\.[a-z]{1,5}:[0-9]{1,7})'],
];

/** Expands the macros; in stack selectors `{{FUNC}}` captures (each capture is a frame). */
export function rx(source: string): RegExp {
  let s = source;
  for (const [m, r] of MACROS) s = s.replace(m, r);
  // eslint-disable-next-line no-restricted-syntax -- our own table, compiled once at load; never user input
  return new RegExp(s);
}

/** A stack selector step that means "parse a stack trace from here". */
export const PARSE_STACK = Symbol('parse-stack');
export type StackPart = RegExp | typeof PARSE_STACK;

export type FrameExtractor = 'stall' | 'hung';

export interface StackSelector {
  /** Steps matched in order from the title line on; a capturing step yields frames (syzkaller `parts`). */
  parts: readonly StackPart[];
  /** Tried when `parts` yields no frame (syzkaller `parts2`). */
  parts2?: readonly StackPart[];
  /**
   * Tried when `parts2` yields no frame either, in logs without printk caller ids only (ours):
   * what older kernels print in place of the stack syzkaller's kernels print.
   */
  parts3?: readonly StackPart[];
  /** Frames to pass over in this family, besides the global skip list (unanchored patterns). */
  skip?: readonly string[];
  /** Picks the frame among all of them instead of the first unskipped one. */
  extractor?: FrameExtractor;
}

export interface TitleFormat {
  /** Recognises the family's headline on a line (unanchored). */
  title: RegExp;
  /**
   * Lines that must follow in order (the first may be the title line itself) for this format to
   * apply; their named groups fill the template. Without it the title's groups do.
   */
  report?: readonly RegExp[];
  /** Most lines between two `report` steps (syzkaller's `{0,15}?`); unlimited when absent. */
  reportGap?: number;
  /** `{slot}` from named groups; `{frame}`, `{frame2}` are the frames the stack selector finds. */
  template: string;
  /** Other titles of the same bug (syzbot merges on them). */
  alt?: readonly string[];
  stack?: StackSelector;
  /** The format has no stack trace; a missing one does not make the report corrupted. */
  noStackTrace?: boolean;
  /** A report of this format is corrupted by definition (a header cut short, a follow-on panic). */
  corrupted?: boolean;
  kind: CrashKind;
  /** Kind chosen by a slot's value (KASAN bug type); falls back to `kind`. */
  kindBy?: { slot: string; map: Readonly<Record<string, CrashKind>> };
  example: string;
  why: string;
}

export interface OopsFamily {
  /** Literal text that makes a line the start of a report of this family. */
  header: string;
  formats: readonly TitleFormat[];
  /** Lines with the header that are not reports (`ODEBUG:` for `BUG:`, sshd's `WARNING:`). */
  suppressions: readonly RegExp[];
  /** When set, only lines matching it are reports of this family (a short header needs it). */
  only?: RegExp;
  /**
   * syzkaller's own and Go runtime messages (`panic:`, `fatal error:`, `SYZFAIL:`): in an input
   * that holds a user-space report they belong to it, not to the kernel.
   */
  sharedWithUserspace?: boolean;
}

/**
 * An arm32 unwinder line, `[<pc>] (func) from [<lr>] (caller+0x../0x..)`: 4.x kernels print the
 * callee bare, 2.6/3.x kernels with its offset (`(func+0x0/0x90)`), either with `[module]`.
 * Its first capture is the callee, its second the caller.
 */
const ARM_FROM_FRAME =
  '^ *{{PC}} \\(\\.?([a-zA-Z0-9_]{1,200})(?:\\.[a-z0-9._]{1,40})?(?:\\+0x[0-9a-f]{1,10}/0x[0-9a-f]{1,10})?(?: \\[[a-zA-Z0-9_-]{1,64}\\])?\\) from {{PC}} \\(';
/**
 * Where a call trace starts. arm32's unwinder prints no header before its frames: its first
 * frame line starts the stack and names the first frame (ours; syzkaller reads arm32 logs whose
 * `Backtrace:` line comes from the frame-pointer unwinder).
 */
// (LKL, the kernel linked into a user-space program as fuzzers run it, heads its own stacks.)
const CALL_TRACE = rx(
  '(?:Call (?:T|t)race:)|(?:Backtrace:)|(?:Linux Kernel Library Stack Trace:)|' + ARM_FROM_FRAME,
);
/**
 * The faulting instruction: x86 `RIP:`, old `IP:`, powerpc `NIP`, arm64 `pc :`, arm `PC is at`,
 * riscv `epc : f+0x..`. Ours besides syzkaller's: s390 `Krnl PSW : <psw> <addr> (f+0x..)`, mips
 * `epc   : <addr> f+0x..`, and riscv before 5.11 `epc: <addr>` with no symbol (like x86's
 * `RIP: 0033:0x..`, it names no frame and the call trace does).
 */
export const RIP_FRAME = rx(
  '(?:IP|NIP|pc |PC is at|IP is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))|^Krnl PSW : [0-9a-f]{16} [0-9a-f]{16} \\({{FUNC}}|^epc {0,3}: [0-9a-f]{8,16}(?: {{FUNC}})?',
);

function warningStack(...skip: string[]): StackSelector {
  // New kernels trap WARNINGs: the stack starts after the RIP line (powerpc: `--- interrupt:`);
  // old kernels print the call trace only.
  return {
    parts: [rx('(?:' + RIP_FRAME.source + '|--- interrupt: [0-9]+ at {{FUNC}})'), PARSE_STACK],
    parts2: [CALL_TRACE, PARSE_STACK],
    skip,
  };
}

const ripStack = (extra: Partial<StackSelector> = {}): StackSelector => ({
  parts: [RIP_FRAME, CALL_TRACE, PARSE_STACK],
  ...extra,
});
const callTraceStack = (extra: Partial<StackSelector> = {}): StackSelector => ({
  parts: [CALL_TRACE, PARSE_STACK],
  ...extra,
});

const KMSAN_BUG_KINDS: Readonly<Record<string, CrashKind>> = {
  'uninit-value': 'uninit-value',
  'kernel-infoleak': 'uninit-value',
  'kernel-infoleak-after-free': 'use-after-free',
  'use-after-free': 'use-after-free',
};

const KFENCE_BUG_KINDS: Readonly<Record<string, CrashKind>> = {
  'use-after-free': 'use-after-free',
  'out-of-bounds': 'out-of-bounds',
};

/** Lockdep deadlocks: named by the lock site (`at: foo+0x..`) after the line that says which lock. */
const DEADLOCK = (headline: string, which: string, at: string, example: string): TitleFormat => ({
  title: rx(headline.replace(/ \\\]$/, '')),
  report: [rx(headline), rx(which), rx(at)],
  template: 'possible deadlock in {func}',
  kind: 'deadlock',
  example,
  why: 'lockdep names the lock site the task was about to take when the cycle closed',
});
const AT_LOCK = 'at: (?:{{PC}} +)?{{FUNC:func}}';
const AT_LOCK_OLD = 'at: {{PC}} +{{FUNC:func}}';

/** kmemleak's allocation backtrace: the first frame past the allocator and kmemleak itself. */
const MEMORY_LEAK_STACK: StackSelector = {
  parts: [rx('backtrace(?: \\(crc [0-9a-f]*\\))?:'), PARSE_STACK],
  skip: [
    'kmemleak',
    'mmap',
    'kmem',
    'slab',
    'alloc',
    'create_object',
    'idr_get',
    'list_lru_init',
    'kasprintf',
    'kvasprintf',
    'pcpu_create',
    'strdup',
    'strndup',
    'memdup',
  ],
};

/**
 * A user-space log line whose level is spelled like a kernel headline: Chromium's logging
 * prefix `[pid:tid:MMDD/HHMMSS.us:LEVEL:file.cc(line)]` (base/logging.cc), e.g.
 * `[31:31:0101/000000.5:WARNING:gpu_init.cc(456)] Failed to init GPU` or `...:INFO:CONSOLE(12)] "..."`,
 * and the same with no pid, thread or time (`[INFO:CONSOLE(6958)] ...`: logging configured
 * without them, as Android builds and some tests do). A browser's log around its crash is not
 * a kernel report. (Old lockdep banners, `[ INFO: possible recursive locking detected ]`, have
 * a blank after the bracket and no `(line)]`.)
 */
const CHROMIUM_LOG_LEVEL = /[:[](?:INFO|WARNING):[^\s()]{1,256}\(\d{1,9}\)\]/;

/**
 * libFuzzer's and Jazzer's own progress lines (compiler-rt lib/fuzzer FuzzerDriver.cpp and
 * FuzzerLoop.cpp print `INFO: Seed: %u`, `INFO: Loaded %zd modules`, `INFO: -max_len is not
 * provided`, ...): a fuzzer's log around a kernel report it found (LKL) starts with them.
 */
const LIBFUZZER_INFO =
  /^INFO: {1,8}(?:Seed: ?\d|Loaded \d|Running (?:with|in) |-max_len |-fork=|A corpus is not provided|libFuzzer |found LLVMFuzzer|New number of |Instrumented |\d{1,12} files found in |seed corpus: |to ignore leaks|exiting: |fuzzed for )/;

export const KERNEL_OOPS_FAMILIES: readonly OopsFamily[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: rx('BUG: KASAN:'),
        report: [
          rx('BUG: KASAN: (?<bugType>[a-z\\-]{1,40}) in {{FUNC}}'),
          rx('(?<access>Read|Write) (?:of size|at addr) (?:[0-9a-f]+)'),
        ],
        template: 'KASAN: {bugType} {access} in {frame}',
        alt: ['bad-access in {frame}'],
        stack: {
          parts: [rx('BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}'), CALL_TRACE, PARSE_STACK],
          // Frames of KASAN_HW_TAGS reports (arm64 MTE fault path).
          skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
        },
        kind: 'bad-access',
        kindBy: { slot: 'bugType', map: KASAN_KINDS },
        example:
          'BUG: KASAN: slab-use-after-free in nvmf_rdma_qpair_process+0x1c/0x90 ... Read of size 8 at addr ...',
        why: 'the bug type comes from the shadow byte, Read/Write from the access line that follows',
      },
      {
        title: rx('BUG: KASAN:'),
        report: [rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}')],
        template: 'KASAN: invalid-free in {frame}',
        alt: ['invalid-free in {frame}'],
        stack: {
          parts: [
            rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}'),
            CALL_TRACE,
            PARSE_STACK,
          ],
          skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
        },
        kind: 'double-free',
        example: 'BUG: KASAN: double-free in ext4_i_callback+0x40/0x60',
        why: 'syzbot names every double and invalid free alike, by the caller of kfree',
      },
      {
        title: rx('BUG: KASAN: (?<bugType>[a-z\\-]{1,40}) on address'),
        report: [
          rx('BUG: KASAN: (?<bugType>[a-z\\-]{1,40}) on address'),
          rx('(?<access>Read|Write) of size ([0-9]+)'),
        ],
        template: 'KASAN: {bugType} {access}',
        kind: 'bad-access',
        kindBy: { slot: 'bugType', map: KASAN_KINDS },
        example: 'BUG: KASAN: use-after-free on address ffff8800...',
        why: 'KASAN of 4.4-era kernels: no function on the headline',
      },
      {
        title: rx('BUG: KASAN: (?<rest>.{1,200})'),
        template: 'KASAN: {rest}',
        corrupted: true,
        kind: 'bad-access',
        example: 'BUG: KASAN: slab-out-of-bounds in',
        why: 'a KASAN headline without its access line was cut short',
      },
      {
        title: rx('BUG: KMSAN: kernel-usb-infoleak'),
        report: [rx('BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}')],
        template: 'KMSAN: kernel-usb-infoleak in {frame}',
        alt: ['KMSAN origin in {frame2}'],
        stack: {
          parts: [PARSE_STACK, rx('(?:Local variable .* created at:|Uninit was created at:)'), PARSE_STACK],
          skip: [
            'alloc_skb',
            'usb_submit_urb',
            'usb_start_wait_urb',
            'usb_bulk_msg',
            'usb_interrupt_msg',
            'usb_control_msg',
          ],
        },
        noStackTrace: true,
        kind: 'uninit-value',
        example: 'BUG: KMSAN: kernel-usb-infoleak in usb_submit_urb+0x6c0/0x2180',
        why: 'USB infoleaks are named by the driver that sent the URB, not the USB core',
      },
      {
        title: rx('BUG: KMSAN:'),
        report: [rx('BUG: KMSAN: (?<bugType>[a-z\\-]{1,40}) in {{FUNC}}')],
        template: 'KMSAN: {bugType} in {frame}',
        alt: ['bad-access in {frame}'],
        stack: {
          parts: [PARSE_STACK, rx('(?:Local variable .* created at:|Uninit was created at:)'), PARSE_STACK],
          skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'],
        },
        noStackTrace: true,
        kind: 'uninit-value',
        kindBy: { slot: 'bugType', map: KMSAN_BUG_KINDS },
        example: 'BUG: KMSAN: uninit-value in tcp_recvmsg+0x3c/0x90',
        why: 'KMSAN prints the use stack first; generic crypto code is never the culprit',
      },
      {
        title: rx('BUG: KCSAN:'),
        report: [rx('BUG: KCSAN: (?<rest>.{1,200})')],
        template: 'KCSAN: {rest}',
        noStackTrace: true,
        kind: 'data-race',
        example: 'BUG: KCSAN: data-race in tick_nohz_next_event / tick_nohz_stop_tick',
        why: 'KCSAN names both racing functions on its headline',
      },
      {
        title: rx('BUG: KFENCE: (?<bugType>use-after-free|out-of-bounds) (?<op>read|write) in {{FUNC}}'),
        template: 'KFENCE: {bugType} {op} in {frame}',
        alt: ['bad-access in {frame}'],
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), PARSE_STACK] },
        kind: 'bad-access',
        kindBy: { slot: 'bugType', map: KFENCE_BUG_KINDS },
        example: 'BUG: KFENCE: use-after-free read in mlx5_cmd_exec+0x3c/0x90',
        why: 'KFENCE samples allocations into guarded pages; the stack follows the headline',
      },
      {
        title: rx('BUG: KFENCE: invalid free in {{FUNC}}'),
        template: 'KFENCE: invalid free in {frame}',
        alt: ['invalid-free in {frame}'],
        noStackTrace: true,
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), PARSE_STACK] },
        kind: 'invalid-free',
        example: 'BUG: KFENCE: invalid free in kfree+0x2c/0x40',
        why: 'a free of a pointer KFENCE did not hand out',
      },
      {
        title: rx('BUG: KFENCE: invalid (?<op>read|write) in {{FUNC}}'),
        template: 'KFENCE: invalid {op} in {frame}',
        alt: ['bad-access in {frame}'],
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), PARSE_STACK] },
        kind: 'bad-access',
        example: 'BUG: KFENCE: invalid read in foo+0x10/0x20',
        why: 'an access to a KFENCE guard page outside any object',
      },
      {
        title: rx('BUG: KFENCE: memory corruption in {{FUNC}}'),
        template: 'KFENCE: memory corruption in {frame}',
        noStackTrace: true,
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), PARSE_STACK] },
        kind: 'slab-corruption',
        example: 'BUG: KFENCE: memory corruption in kfree+0x8c/0x174',
        why: 'the canary bytes around an object were overwritten; found at free',
      },
      {
        title: rx(
          'BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)',
        ),
        template: 'BUG: unable to handle kernel paging request in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'bad-access',
        example: 'BUG: unable to handle page fault for address: ffffc90000a3e000',
        why: 'the faulting instruction (RIP) names the bug; older wordings merge into one title',
      },
      {
        title: rx(
          'BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)',
        ),
        template: 'BUG: unable to handle kernel NULL pointer dereference in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'null-deref',
        example: 'BUG: kernel NULL pointer dereference, address: 0000000000000010',
        why: 'x86 and powerpc wordings of a NULL dereference share one title',
      },
      {
        title: rx('BUG: (?:unable to handle kernel|Unable to handle kernel)'),
        template: 'BUG: unable to handle kernel',
        corrupted: true,
        kind: 'bad-access',
        example: 'BUG: unable to handle kernel',
        why: 'the kernel prints the rest of this headline with a second printk that got lost',
      },
      {
        title: rx(
          'BUG: (?<lock>spinlock|rwlock) (?<problem>lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)',
        ),
        template: 'BUG: {lock} {problem} in {frame}',
        stack: callTraceStack({ skip: ['spin_', '_lock', '_unlock'] }),
        kind: 'lock-bug',
        example: 'BUG: spinlock bad magic on CPU#0, syz-executor/1234',
        why: 'spinlock debugging; the caller of the lock function is the culprit',
      },
      {
        title: rx('BUG: soft lockup'),
        template: 'BUG: soft lockup in {frame}',
        alt: ['stall in {frame}'],
        stack: ripStack({ extractor: 'stall' }),
        kind: 'stall',
        example: 'watchdog: BUG: soft lockup - CPU#1 stuck for 123s! [syz-executor:1234]',
        why: 'a looping CPU is named by the frame just inside the work it was given (syscall, work item)',
      },
      {
        title: rx('BUG: .*still has locks held!'),
        report: [rx('BUG: .*still has locks held!'), rx('{{PC}} +{{FUNC:func}}')],
        template: 'BUG: still has locks held in {func}',
        kind: 'lock-bug',
        example: 'BUG: syz-executor/123 still has locks held!',
        why: 'named by the first lock site lockdep lists',
      },
      {
        title: rx('BUG: scheduling while atomic'),
        template: 'BUG: scheduling while atomic in {frame}',
        stack: callTraceStack({ skip: ['schedule'] }),
        kind: 'lock-bug',
        example: 'BUG: scheduling while atomic: syz-executor/1234/0x00000002',
        why: 'the caller that slept with preemption disabled',
      },
      {
        title: rx('BUG: lock held when returning to user space'),
        report: [
          rx('BUG: lock held when returning to user space'),
          rx('leaving the kernel with locks still held'),
          rx('at: (?:{{PC}} +)?{{FUNC:func}}'),
        ],
        template: 'BUG: lock held when returning to user space in {func}',
        noStackTrace: true,
        kind: 'lock-bug',
        example: 'BUG: lock held when returning to user space!',
        why: 'named by where the lock still held was taken',
      },
      {
        title: rx('BUG: bad unlock balance detected!'),
        template: 'BUG: bad unlock balance in {frame}',
        stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, PARSE_STACK] },
        kind: 'lock-bug',
        example: 'BUG: bad unlock balance detected!',
        why: 'the release site lockdep prints after "is trying to release lock"',
      },
      {
        title: rx('BUG: held lock freed!'),
        report: [rx('BUG: held lock freed!'), rx('{{PC}} +{{FUNC:func}}')],
        template: 'BUG: held lock freed in {func}',
        kind: 'lock-bug',
        example: 'BUG: held lock freed!',
        why: 'memory holding a lock was freed while the lock was held',
      },
      {
        title: rx('BUG: Bad rss-counter state'),
        template: 'BUG: Bad rss-counter state',
        noStackTrace: true,
        kind: 'bug',
        example: 'BUG: Bad rss-counter state mm:ffff88801c0e0000 type:MM_ANONPAGES val:1',
        why: 'mm accounting; printed without a stack',
      },
      {
        title: rx('BUG: non-zero nr_ptes on freeing mm'),
        template: 'BUG: non-zero nr_ptes on freeing mm',
        noStackTrace: true,
        kind: 'bug',
        example: 'BUG: non-zero nr_ptes on freeing mm: 1',
        why: 'printed without a stack',
      },
      {
        title: rx('BUG: non-zero nr_pmds on freeing mm'),
        template: 'BUG: non-zero nr_pmds on freeing mm',
        noStackTrace: true,
        kind: 'bug',
        example: 'BUG: non-zero nr_pmds on freeing mm: 1',
        why: 'printed without a stack',
      },
      {
        title: rx('BUG: Dentry .* still in use'),
        report: [rx('BUG: Dentry .* still in use \\([0-9]+\\) \\[(?<op>unmount) of (?<fs>[^\\]]+)\\]')],
        template: 'BUG: Dentry still in use in {op}',
        alt: ['BUG: Dentry still in use [{op} of {fs}]'],
        kind: 'bug',
        example: 'BUG: Dentry ffff88801c0e0000{i=0,n=foo}  still in use (1) [unmount of tmpfs tmpfs]',
        why: 'the device name (loop0, loop1) would split one bug; the fs type goes to the alternative',
      },
      {
        title: rx('BUG: Bad page (?<what>state|cache)'),
        template: 'BUG: Bad page {what} in {frame}',
        stack: {
          parts: [rx('page last allocated'), PARSE_STACK],
          skip: [
            '(free|put|get|update|release)_page',
            'free_unref',
            '^_*folio',
            'truncate_inode_pages',
            'page_frag_free',
            'alloc',
            'vmap',
            'page_owner',
          ],
        },
        kind: 'bug',
        example: 'BUG: Bad page state in process syz-executor  pfn:2a1c3',
        why: 'named by who allocated the page (page_owner), the only stable stack in the report',
      },
      {
        title: rx('BUG: Bad page map'),
        template: 'BUG: Bad page map',
        kind: 'bug',
        example: 'BUG: Bad page map in process syz-executor  pte:8000000000000025',
        why: 'a page-table entry points at a page in an impossible state',
      },
      {
        title: rx('BUG: workqueue lockup'),
        template: 'BUG: workqueue lockup',
        noStackTrace: true,
        kind: 'stall',
        example: 'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 32s!',
        why: 'a pool made no progress; the report names no function worth a title',
      },
      {
        title: rx('BUG: sleeping function called from invalid context at (?<at>.{1,200})'),
        template: 'BUG: sleeping function called from invalid context in {frame}',
        stack: callTraceStack(),
        kind: 'lock-bug',
        example: 'BUG: sleeping function called from invalid context at mm/slab.h:494',
        why: 'the caller that may sleep in atomic context',
      },
      {
        title: rx('BUG: using (?<fn>[a-z_]{1,60})\\(\\) in preemptible'),
        template: 'BUG: using {fn}() in preemptible code in {frame}',
        stack: callTraceStack({
          skip: ['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'],
        }),
        kind: 'lock-bug',
        example: 'BUG: using __this_cpu_read() in preemptible [00000000] code: syz-executor/1234',
        why: 'per-CPU access without preemption disabled; the checker frames are skipped',
      },
      {
        title: rx('BUG: workqueue leaked lock or atomic'),
        report: [
          rx('BUG: workqueue leaked lock or atomic'),
          rx('last function: (?<func>[a-zA-Z0-9_]{1,200})$'),
        ],
        template: 'BUG: workqueue leaked lock or atomic in {func}',
        noStackTrace: true,
        kind: 'lock-bug',
        example:
          'BUG: workqueue leaked lock or atomic: kworker/0:1/0x00000000/12 ... last function: foo_work',
        why: 'the work function that returned with a lock held',
      },
      {
        title: rx('BUG: memory leak'),
        template: 'memory leak in {frame}',
        stack: MEMORY_LEAK_STACK,
        kind: 'memory-leak',
        example: 'BUG: memory leak ... backtrace: kmemleak_alloc ... __kmalloc ... foo_init',
        why: 'the first frame past the allocator and kmemleak is the leaking caller',
      },
      {
        title: rx('BUG: .*stack guard page was hit at'),
        template: 'BUG: stack guard page was hit in {frame}',
        alt: ['stack-overflow in {frame}'],
        stack: ripStack({ extractor: 'stall' }),
        kind: 'stack-overflow',
        example:
          'BUG: TASK stack guard page was hit at ffffc90000a3ff78 (stack is ffffc90000a40000..ffffc90000a48000)',
        why: 'a recursion is named like a stall: by the frame inside the work that recursed',
      },
      {
        title: rx('BUG: Invalid wait context'),
        template: 'WARNING: locking bug in {frame}',
        stack: callTraceStack({ skip: ['lock_sock', 'release_sock'] }),
        kind: 'lock-bug',
        example: 'BUG: Invalid wait context',
        why: 'arm prints as a BUG what x86 prints as a lockdep WARNING: one title for both',
      },
      {
        title: rx('BUG:\\s*$'),
        template: 'BUG: corrupted',
        corrupted: true,
        kind: 'bug',
        example: 'BUG:',
        why: 'a headline with nothing after it was interleaved or cut',
      },
    ],
    suppressions: [
      /ODEBUG:/,
      /Boot_DEBUG:/,
      /xlog_status:/,
      /DEBUG:/,
      /BUG: no syscalls can create resource/,
    ],
  },
  {
    header: 'WARNING:',
    formats: [
      {
        title: rx('WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)'),
        template: 'WARNING: ODEBUG bug in {frame}',
        stack: warningStack(
          'debug_',
          'rcu',
          'hrtimer_',
          'timer_',
          'work_',
          'percpu_',
          'vunmap',
          'vfree',
          '__free_',
          'debug_check',
          'kobject_',
        ),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at lib/debugobjects.c:505 debug_print_object+0x16a/0x250',
        why: 'debugobjects reports for its users: they are skipped too',
      },
      {
        title: rx('WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)'),
        template: 'WARNING: bad usercopy in {frame}',
        stack: warningStack('usercopy', '__check'),
        kind: 'warning',
        example: 'WARNING: CPU: 1 PID: 2 at mm/usercopy.c:99 usercopy_warn+0xeb/0x110',
        why: 'hardened usercopy: the caller of copy_*_user is the bug',
      },
      {
        title: rx('WARNING: .*lib/kobject\\.c.* (?:kobject_|at)'),
        template: 'WARNING: kobject bug in {frame}',
        stack: warningStack('kobject_'),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at lib/kobject.c:736 kobject_put+0x1d/0x40',
        why: 'kobject misuse is named by the kobject user',
      },
      {
        title: rx('WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)'),
        template: 'WARNING: proc registration bug in {frame}',
        stack: warningStack('proc_'),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at fs/proc/generic.c:370 proc_register+0x2a/0x40',
        why: 'duplicate proc entries, named by the registering subsystem',
      },
      {
        title: rx('WARNING: .*lib/refcount\\.c.* (?:refcount_|at)'),
        template: 'WARNING: refcount bug in {frame}',
        stack: warningStack('refcount', 'kobject_'),
        kind: 'warning',
        example: 'WARNING: CPU: 1 PID: 3 at lib/refcount.c:25 refcount_warn_saturate+0x13d/0x1a0',
        why: 'refcount_t saturation or underflow, named by the refcount user',
      },
      {
        title: rx('WARNING: .*kernel/locking/lockdep\\.c.*lock_'),
        template: 'WARNING: locking bug in {frame}',
        stack: warningStack('lock_sock', 'release_sock'),
        kind: 'lock-bug',
        example: 'WARNING: CPU: 0 PID: 1 at kernel/locking/lockdep.c:231 check_flags+0x1/0x2',
        why: 'lockdep internal consistency warnings',
      },
      {
        title: rx('WARNING: .*still has locks held!'),
        report: [rx('WARNING: .*still has locks held!'), rx('at: {{FUNC:func}}')],
        template: 'WARNING: still has locks held in {func}',
        kind: 'lock-bug',
        example: 'WARNING: syz-executor/1 still has locks held!',
        why: 'named by the first lock site listed',
      },
      {
        title: rx('WARNING: Nested lock was not taken'),
        template: 'WARNING: nested lock was not taken in {frame}',
        stack: warningStack(),
        kind: 'lock-bug',
        example: 'WARNING: Nested lock was not taken',
        why: 'lockdep nest_lock misuse',
      },
      {
        title: rx('WARNING: lock held when returning to user space'),
        report: [
          rx('WARNING: lock held when returning to user space'),
          rx('leaving the kernel with locks still held'),
          rx('at: (?:{{PC}} +)?{{FUNC:func}}'),
        ],
        template: 'WARNING: lock held when returning to user space in {func}',
        noStackTrace: true,
        kind: 'lock-bug',
        example: 'WARNING: lock held when returning to user space!',
        why: 'named by where the lock still held was taken',
      },
      {
        title: rx('WARNING: .*mm/.*\\.c.* k?.?malloc'),
        template: 'WARNING: kmalloc bug in {frame}',
        stack: warningStack('kmalloc', 'krealloc', 'slab', 'kmem'),
        kind: 'warning',
        example: 'WARNING: CPU: 1 PID: 1 at mm/page_alloc.c:4012 __alloc_pages+0x1/0x2 ... kmalloc',
        why: 'oversized or bad-flag allocations, named by the allocating caller',
      },
      {
        title: rx('WARNING: .*mm/vmalloc.c.*__vmalloc_node'),
        template: 'WARNING: zero-size vmalloc in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at mm/vmalloc.c:2873 __vmalloc_node_range+0x1/0x2',
        why: 'vmalloc of size 0',
      },
      {
        title: rx('WARNING: .* usb_submit_urb'),
        template: 'WARNING in {frame}/usb_submit_urb',
        stack: warningStack(
          'usb_submit_urb',
          'usb_start_wait_urb',
          'usb_bulk_msg',
          'usb_interrupt_msg',
          'usb_control_msg',
        ),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at drivers/usb/core/urb.c:504 usb_submit_urb+0x1/0x2',
        why: 'bad URBs are a driver bug: the driver and the USB core both appear in the title',
      },
      {
        title: rx('WARNING: {{SRC}} at 0x\\d+, CPU#\\d+'),
        template: 'WARNING in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: net/core/dev.c:1234 at 0x0, CPU#0: syz-executor/1',
        why: 'the WARNING format of 6.19+ kernels',
      },
      {
        // Ours, not syzkaller's: 2.6/3.x kernels print `WARNING: at net/core/dev.c:1915 skb_warn_bad_offload()`.
        title: rx('WARNING: at {{SRC}} [a-zA-Z0-9_.]{1,200}(?:\\+0x[0-9a-f]+/0x[0-9a-f]+)?\\(\\)'),
        template: 'WARNING in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: at net/core/dev.c:1915 skb_warn_bad_offload+0x99/0xb0()',
        why: 'the pre-3.x WARNING line has no CPU/PID; the trace after warn_slowpath names the function',
      },
      {
        title: rx('WARNING: .* at {{SRC}} {{FUNC}}'),
        template: 'WARNING in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: CPU: 0 PID: 1 at fs/ext4/inode.c:3456 ext4_evict_inode+0x1/0x2',
        why: 'the trapped function (RIP) is the one that warned; report_bug and __warn never are',
      },
      {
        title: rx('WARNING: {{SRC}} at {{FUNC}}'),
        template: 'WARNING in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: fs/ext4/inode.c:3456 at ext4_evict_inode+0x1/0x2, CPU#0',
        why: 'a WARNING without the CPU/PID prefix',
      },
      {
        title: rx('WARNING: \\[.*\\] {{SRC}} at {{FUNC}}'),
        template: 'WARNING in {frame}',
        stack: warningStack(),
        kind: 'warning',
        example: 'WARNING: [some tag] fs/ext4/inode.c:3456 at ext4_evict_inode+0x1/0x2',
        why: 'a WARNING with a bracketed tag before its location',
      },
      {
        title: rx('WARNING: possible circular locking dependency detected'),
        report: [
          rx('WARNING: possible circular locking dependency detected'),
          rx('is trying to acquire lock'),
        ],
        template: 'possible deadlock in {frame}',
        stack: {
          parts: [rx('at: (?:{{PC}} +)?{{FUNC}}'), rx('at: (?:{{PC}} +)?{{FUNC}}'), PARSE_STACK],
          // Workqueue flushing takes the work item's lockdep map: the deadlock is the work item's.
          skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'],
        },
        kind: 'deadlock',
        example:
          'WARNING: possible circular locking dependency detected ... is trying to acquire lock: ... at: tcp_sendmsg+0x1c/0x40',
        why: 'named by the lock site the task was about to take when the cycle closed',
      },
      DEADLOCK(
        'WARNING: possible irq lock inversion dependency detected',
        'just changed the state of lock',
        AT_LOCK,
        'WARNING: possible irq lock inversion dependency detected',
      ),
      {
        title: rx('WARNING: .*-safe -> .*-unsafe lock order detected'),
        template: 'possible deadlock in {frame}',
        stack: { parts: [rx('which became (?:.*) at:'), PARSE_STACK] },
        kind: 'deadlock',
        example: 'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected',
        why: 'named by where the lock became irq-unsafe',
      },
      DEADLOCK(
        'WARNING: possible recursive locking detected',
        'is trying to acquire lock',
        AT_LOCK,
        'WARNING: possible recursive locking detected',
      ),
      {
        title: rx('WARNING: inconsistent lock state'),
        report: [rx('WARNING: inconsistent lock state'), rx('takes'), rx('at: (?:{{PC}} +)?{{FUNC:func}}')],
        template: 'inconsistent lock state in {frame}',
        stack: callTraceStack(),
        kind: 'deadlock',
        example:
          'WARNING: inconsistent lock state ... {SOFTIRQ-ON-W} state was registered at ... takes: ... at: foo+0x1/0x2',
        why: 'the stack of the task that took the lock in the inconsistent state',
      },
      {
        title: rx('WARNING: suspicious RCU usage'),
        report: [rx('WARNING: suspicious RCU usage'), rx('{{SRC:src}}')],
        template: 'WARNING: suspicious RCU usage in {frame}',
        stack: callTraceStack({ skip: ['rcu', 'kmem', 'slab'] }),
        kind: 'lock-bug',
        example:
          'WARNING: suspicious RCU usage ... net/core/dev.c:1234 suspicious rcu_dereference_check() usage!',
        why: 'RCU-lockdep: the RCU and allocator frames are skipped',
      },
      {
        title: rx("WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '(?<reg>[^']+)' value"),
        template: "WARNING: kernel stack regs has bad '{reg}' value",
        noStackTrace: true,
        kind: 'warning',
        example:
          "WARNING: kernel stack regs at ffffc90000a3f8e8 in syz-executor:1234 has bad 'bp' value ffff88801c0e0000",
        why: 'the unwinder found a bad register; no stack to name',
      },
      {
        title: rx('WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value'),
        template: 'WARNING: kernel stack frame pointer has bad value',
        noStackTrace: true,
        kind: 'warning',
        example:
          'WARNING: kernel stack frame pointer at ffffc90000a3f8e8 in syz-executor:1234 has bad value 0000000000000001',
        why: 'the unwinder found a bad frame pointer; no stack to name',
      },
      {
        title: rx('WARNING: bad unlock balance detected!'),
        template: 'WARNING: bad unlock balance in {frame}',
        stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, PARSE_STACK] },
        kind: 'lock-bug',
        example: 'WARNING: bad unlock balance detected!',
        why: 'the release site lockdep prints after "is trying to release lock"',
      },
      {
        title: rx('WARNING: held lock freed!'),
        report: [rx('WARNING: held lock freed!'), rx('at:(?: {{PC}})? +{{FUNC:func}}')],
        template: 'WARNING: held lock freed in {func}',
        kind: 'lock-bug',
        example: 'WARNING: held lock freed!',
        why: 'memory holding a lock was freed while the lock was held',
      },
      {
        title: rx("WARNING: kernel stack regs .* has bad 'bp' value"),
        template: 'WARNING: kernel stack regs has bad value',
        noStackTrace: true,
        kind: 'warning',
        example: "WARNING: kernel stack regs ... has bad 'bp' value",
        why: 'older wording of the bad-register warning',
      },
      {
        title: rx('WARNING: kernel stack frame pointer .* has bad value'),
        template: 'WARNING: kernel stack regs has bad value',
        noStackTrace: true,
        kind: 'warning',
        example: 'WARNING: kernel stack frame pointer ... has bad value',
        why: 'older wording of the bad frame pointer warning',
      },
      {
        title: rx('WARNING:\\s*$'),
        template: 'WARNING: corrupted',
        corrupted: true,
        kind: 'warning',
        example: 'WARNING:',
        why: 'a headline with nothing after it was interleaved or cut',
      },
    ],
    suppressions: [
      /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
      /WARNING: workqueue cpumask: online intersect > possible intersect/,
      /WARNING: [Tt]he mand mount option/,
      /WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1/,
      /WARNING: Unprivileged eBPF is enabled with eIBRS/,
      /WARNING: fbcon: Driver '.*' missed to adjust virtual screen size/,
      /WARNING: See https.* for mitigation options\./,
      /WARNING: kernel not compiled with CPU_SRSO/,
      /EXT4-[Ff][Ss](?: \(.*\))?:/,
      /[Ww][Aa][Rr][Nn][Ii][Nn][Gg]: .* uses (?:deprecated v2 capabilities|wireless extensions)/,
      /XFS \(\w+\): WARNING/,
      // User-space sanitizers headline with WARNING: too; their own parsers read them.
      /WARNING: (?:ThreadSanitizer|MemorySanitizer|AddressSanitizer|LeakSanitizer|HWAddressSanitizer):/,
      CHROMIUM_LOG_LEVEL,
    ],
  },
  {
    header: 'INFO:',
    formats: [
      // 2.6/3.x lockdep banners: `[ INFO: possible recursive locking detected ]`.
      {
        // Before 4.11 the circular report was this banner; named as its `WARNING:` successor is:
        // the first lock site (the wanted lock's, then the held one's) that is not a helper such
        // as might_fault (ours: syzkaller names the old banner by the first site, whatever it is).
        title: rx('INFO: possible circular locking dependency detected'),
        report: [
          rx('INFO: possible circular locking dependency detected \\]'),
          rx('is trying to acquire lock'),
        ],
        template: 'possible deadlock in {frame}',
        stack: {
          parts: [rx('at: {{PC}} +{{FUNC}}'), rx('at: {{PC}} +{{FUNC}}'), PARSE_STACK],
          skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'],
        },
        kind: 'deadlock',
        example: '[ INFO: possible circular locking dependency detected ]',
        why: 'the same report as `WARNING: possible circular locking dependency detected`, one title for both',
      },
      DEADLOCK(
        'INFO: possible irq lock inversion dependency detected \\]',
        'just changed the state of lock',
        AT_LOCK_OLD,
        '[ INFO: possible irq lock inversion dependency detected ]',
      ),
      DEADLOCK(
        'INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\]',
        'is trying to acquire',
        AT_LOCK_OLD,
        '[ INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected ]',
      ),
      DEADLOCK(
        'INFO: possible recursive locking detected \\]',
        'is trying to acquire lock',
        AT_LOCK_OLD,
        '[ INFO: possible recursive locking detected ]',
      ),
      {
        title: rx('INFO: inconsistent lock state'),
        report: [rx('INFO: inconsistent lock state \\]'), rx('takes'), rx('at: {{PC}} +{{FUNC:func}}')],
        template: 'inconsistent lock state in {func}',
        kind: 'deadlock',
        example: '[ INFO: inconsistent lock state ]',
        why: 'old lockdep banner; named by the lock site',
      },
      {
        // Every RCU flavour (preempt, sched, bh, tasks, tasks_trace) reports its stalls alike.
        title: rx(
          'INFO: rcu_(?:preempt|sched|bh|tasks|tasks_trace|tasks_rude) (?:self-)?detected(?: expedited)? stalls?',
        ),
        template: 'INFO: rcu detected stall in {frame}',
        alt: ['stall in {frame}'],
        stack: {
          parts: [rx('apic_timer_interrupt'), RIP_FRAME, PARSE_STACK],
          parts2: [rx('(?:apic_timer_interrupt|Exception stack|el1h_64_irq)'), PARSE_STACK],
          // Ours: a stall another CPU detected (`detected stalls on CPUs/tasks: { 3}`) on kernels
          // without NMI backtraces prints the stalled CPU's task with `Task dump for CPU 3:`.
          parts3: [rx('Task dump for CPU [0-9]{1,5}:'), CALL_TRACE, PARSE_STACK],
          skip: ['apic_timer_interrupt', 'rcu'],
          extractor: 'stall',
        },
        kind: 'stall',
        example:
          'INFO: rcu_preempt self-detected stall on CPU ... <IRQ> ... apic_timer_interrupt ... RIP: 0010:foo',
        why: 'named by what the stalled CPU was running when the timer interrupt hit, not the RCU kthread',
      },
      {
        title: rx('INFO: trying to register non-static key'),
        template: 'INFO: trying to register non-static key in {frame}',
        stack: callTraceStack({ skip: ['stack', 'lock', 'IRQ'] }),
        kind: 'lock-bug',
        example: 'INFO: trying to register non-static key.',
        why: 'a lock used without initialisation; the lock functions are skipped',
      },
      {
        title: rx('INFO: suspicious RCU usage'),
        report: [rx('INFO: suspicious RCU usage'), rx('{{SRC:src}}')],
        template: 'INFO: suspicious RCU usage in {frame}',
        stack: callTraceStack({ skip: ['rcu', 'kmem', 'slab'] }),
        kind: 'lock-bug',
        example: '[ INFO: suspicious RCU usage. ]',
        why: 'old RCU-lockdep banner',
      },
      {
        // 6.x kernels say `blocked in I/O wait for more than` for tasks in io_schedule().
        title: rx('INFO: task .* blocked(?: in I/O wait)? for more than [0-9]+ seconds'),
        template: 'INFO: task hung in {frame}',
        alt: ['hang in {frame}'],
        stack: callTraceStack({ extractor: 'hung' }),
        kind: 'hang',
        example: 'INFO: task syz-executor:1234 blocked for more than 143 seconds.',
        why: 'named by what the task waited for: rtnl_lock and RCU waits are buckets of their own',
      },
      {
        title: rx("INFO: task .* can't die for more than .* seconds"),
        template: "INFO: task can't die in {frame}",
        alt: ['hang in {frame}'],
        stack: callTraceStack({ skip: ['schedule'] }),
        kind: 'hang',
        example: "INFO: task syz-executor:1234 can't die for more than 143 seconds.",
        why: 'a killed task that does not exit',
      },
      {
        title: rx('INFO: (?<what>Freed|Allocated) in (?<where>.{1,200})'),
        template: 'INFO: {what} in {where}',
        corrupted: true,
        kind: 'bug',
        example: 'INFO: Freed in foo+0x1/0x2 age=1 cpu=0 pid=1',
        why: 'a fragment of an old-style KASAN report whose headline was lost',
      },
      {
        title: rx('INFO:\\s*$'),
        template: 'INFO: corrupted',
        corrupted: true,
        kind: 'bug',
        example: 'INFO:',
        why: 'a headline with nothing after it was interleaved or cut',
      },
    ],
    suppressions: [
      /INFO: lockdep is turned off/,
      /INFO: Stall ended before state dump start/,
      /INFO: NMI handler/,
      /INFO: recovery required on readonly filesystem/,
      /(?:handler|interrupt).*took too long/,
      /INFO: sys_.* is not present in \/proc\/kallsyms/,
      /INFO: no syscalls can create resource/,
      /rmt_storage:INFO:/,
      /_INFO:/,
      CHROMIUM_LOG_LEVEL,
      LIBFUZZER_INFO,
    ],
  },
  {
    header: 'Unable to handle kernel',
    formats: [
      {
        title: rx(
          'Unable to handle kernel (?<what>paging request|NULL pointer dereference|access to user memory)',
        ),
        template: 'BUG: unable to handle kernel {what} in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'bad-access',
        kindBy: { slot: 'what', map: { 'NULL pointer dereference': 'null-deref' } },
        example: 'Unable to handle kernel paging request at virtual address dead000000000108',
        why: 'the arm/arm64 wording of a kernel page fault; the pc line names the function',
      },
      {
        // Ours: arm64 names the kind of bad access (4.x on); the structural table already calls
        // them paging requests, and so does the title.
        title: rx(
          'Unable to handle kernel (?:write to read-only memory|execute from non-executable memory|read from unreadable memory) at virtual address',
        ),
        template: 'BUG: unable to handle kernel paging request in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'bad-access',
        example: 'Unable to handle kernel write to read-only memory at virtual address ffffffc010b5a2e8',
        why: 'arm64 page faults on a mapped address with the wrong permission: one title with the other bad addresses',
      },
      {
        // Ours, not syzkaller's: s390 names the faulting function on its `Krnl PSW` line.
        // 2.6 kernels: `... pointer dereference at virtual kernel address 0000000000000000`.
        title: rx(
          'Unable to handle kernel pointer dereference (?:in virtual (?:kernel|user) address space|at virtual (?:kernel|user) address)',
        ),
        template: 'BUG: unable to handle kernel paging request in {frame}',
        alt: ['bad-access in {frame}'],
        stack: { parts: [rx('Krnl PSW : [0-9a-f]+ [0-9a-f]+ \\({{FUNC}}'), CALL_TRACE, PARSE_STACK] },
        kind: 'bad-access',
        example: 'Unable to handle kernel pointer dereference in virtual kernel address space',
        why: 'the s390 wording of a kernel page fault; one title with the other architectures',
      },
    ],
    suppressions: [],
  },
  {
    header: 'general protection fault',
    formats: [
      {
        title: rx('general protection fault.*:'),
        template: 'general protection fault in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'general-protection-fault',
        example:
          'general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN',
        why: 'x86 faults on non-canonical pointers (poison, KASAN-decoded NULL + offset); RIP names the function',
      },
    ],
    suppressions: [/general protection fault .* error:\d+ in /],
  },
  {
    header: 'stack segment: ',
    formats: [
      {
        title: rx('stack segment: '),
        template: 'stack segment fault in {frame}',
        stack: ripStack(),
        kind: 'general-protection-fault',
        example: 'stack segment: 0000 [#1] PREEMPT SMP KASAN',
        why: 'a #SS fault: a non-canonical access through the stack pointer register',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Kernel panic',
    formats: [
      {
        title: rx('Kernel panic - not syncing: stack-protector:'),
        report: [
          rx('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC:func}}'),
        ],
        template: 'kernel panic: stack is corrupted in {func}',
        noStackTrace: true,
        kind: 'stack-overflow',
        example: 'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: foo+0x1/0x2',
        why: 'the stack canary of that function was overwritten',
      },
      {
        title: rx('Kernel panic - not syncing: stack-protector:'),
        report: [rx('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+')],
        template: 'kernel panic: stack is corrupted in {frame}',
        stack: callTraceStack({ skip: ['stack_chk'] }),
        kind: 'stack-overflow',
        example:
          'Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: ffffffff81234567',
        why: 'without a symbol the first frame past __stack_chk_fail names it',
      },
      {
        title: rx('Kernel panic - not syncing: corrupted stack end'),
        report: [rx('Kernel panic - not syncing: corrupted stack end detected inside scheduler')],
        template: 'kernel panic: corrupted stack end in {frame}',
        alt: ['stack-overflow in {frame}'],
        stack: callTraceStack({ skip: ['schedule', 'retint_kernel'], extractor: 'stall' }),
        kind: 'stack-overflow',
        example: 'Kernel panic - not syncing: corrupted stack end detected inside scheduler',
        why: 'the task overran its stack; named like a stall by the work it was doing',
      },
      {
        title: rx('Kernel panic - not syncing: kernel stack overflow'),
        template: 'kernel stack overflow in {frame}',
        alt: ['stack-overflow in {frame}'],
        stack: callTraceStack({ skip: ['bad_stack'], extractor: 'stall' }),
        kind: 'stack-overflow',
        example: 'Kernel panic - not syncing: kernel stack overflow',
        why: 'arm64 stack overflow; named by the work that recursed',
      },
      {
        title: rx('Kernel panic - not syncing: Attempted to kill init!'),
        template: 'kernel panic: Attempted to kill init!',
        kind: 'panic',
        example: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
        why: 'init died; the exit code varies',
      },
      {
        title: rx("Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+"),
        template: "kernel panic: Couldn't open N_TTY ldisc",
        kind: 'panic',
        example: "Kernel panic - not syncing: Couldn't open N_TTY ldisc for ptm0 --- error -12",
        why: 'the tty name and errno vary',
      },
      {
        title: rx('Kernel panic - not syncing: Fatal exception'),
        template: 'kernel panic: Fatal exception',
        corrupted: true,
        kind: 'panic',
        example: 'Kernel panic - not syncing: Fatal exception',
        why: 'printed after an oops: alone, it means the oops itself was lost',
      },
      {
        title: rx('Kernel panic - not syncing: panic_on_warn set'),
        template: 'kernel panic: panic_on_warn set',
        corrupted: true,
        kind: 'panic',
        example: 'Kernel panic - not syncing: panic_on_warn set ...',
        why: 'printed after a WARNING or KASAN report: alone, the report itself was lost',
      },
      {
        title: rx('Kernel panic - not syncing: hung_task: blocked tasks'),
        template: 'kernel panic: hung_task: blocked tasks',
        corrupted: true,
        kind: 'panic',
        example: 'Kernel panic - not syncing: hung_task: blocked tasks',
        why: 'printed after a hung-task report: alone, the report itself was lost',
      },
      {
        title: rx('Kernel panic - not syncing: (?<reason>.{1,200})'),
        template: 'kernel panic: {reason}',
        kind: 'panic',
        example: 'Kernel panic - not syncing: Out of memory and no killable processes...',
        why: 'the panic message is the title; numbers in it are replaced',
      },
    ],
    suppressions: [],
  },
  {
    header: 'PANIC: double fault',
    formats: [
      {
        title: rx('PANIC: double fault'),
        template: 'PANIC: double fault in {frame}',
        stack: { parts: [RIP_FRAME] },
        kind: 'stack-overflow',
        example: 'PANIC: double fault, error_code: 0x0',
        why: 'usually a stack overflow; the RIP line names the function',
      },
    ],
    suppressions: [],
  },
  {
    header: 'rust_kernel: panicked',
    formats: [
      {
        title: rx('rust_kernel: panicked'),
        report: [rx('rust_kernel: panicked at '), rx('^(?<message>.+)$')],
        reportGap: 0,
        template: '{message} in {frame}',
        stack: callTraceStack({ skip: ['__rustc::rust_begin_unwind'] }),
        kind: 'panic',
        example: 'rust_kernel: panicked at rust/kernel/foo.rs:12:5:\\nattempt to add with overflow',
        why: 'a Rust panic is titled by its message (the line after the location) and the frame past the unwinder',
      },
    ],
    suppressions: [],
  },
  {
    header: 'kernel BUG',
    formats: [
      {
        title: rx('kernel BUG at mm/usercopy.c'),
        template: 'BUG: bad usercopy in {frame}',
        stack: callTraceStack({ skip: ['usercopy', '__check'] }),
        kind: 'bug',
        example: 'kernel BUG at mm/usercopy.c:102!',
        why: 'hardened usercopy; the caller of copy_*_user is the bug',
      },
      {
        title: rx('kernel BUG at lib/list_debug.c'),
        template: 'BUG: corrupted list in {frame}',
        alt: ['bad-access in {frame}'],
        stack: callTraceStack(),
        kind: 'list-corruption',
        example: 'kernel BUG at lib/list_debug.c:59!',
        why: 'CONFIG_DEBUG_LIST found a corrupted list; named by the list owner',
      },
      {
        title: rx('kernel BUG at (?<at>.{1,200})'),
        template: 'kernel BUG in {frame}',
        stack: ripStack({ skip: ['^skb_'] }),
        kind: 'bug',
        example: 'kernel BUG at fs/ext4/extents_status.c:899!',
        why: 'a BUG_ON(); skb helpers hold many BUG_ONs whose bug is in the caller',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Kernel BUG',
    formats: [
      {
        // Ours, not syzkaller's: 2.6.18 x86_64 (RHEL5) printed BUG_ON() as `Kernel BUG at
        // fs/nfs/inode.c:1171` with a RIP line and a call trace, like later `kernel BUG at`.
        title: rx('Kernel BUG at {{SRC}}'),
        template: 'kernel BUG in {frame}',
        stack: ripStack({ skip: ['^skb_'] }),
        kind: 'bug',
        example: 'Kernel BUG at fs/nfs/inode.c:1171',
        why: 'the same BUG_ON() as `kernel BUG at`, in the wording of 2.6.18; named by the faulting function',
      },
      {
        title: rx('Kernel BUG (?<rest>.{1,200})'),
        template: 'kernel BUG {rest}',
        kind: 'bug',
        example: 'Kernel BUG at c0123456 [verbose debug info unavailable]',
        why: 'old and non-x86 wording of BUG_ON()',
      },
    ],
    suppressions: [],
  },
  {
    // Ours: SLUB debugging names the cache and the problem (`BUG kmalloc-128 (Tainted: G B): Poison
    // overwritten`); the cache and taint letters vary per run, the problem is the title.
    header: 'BUG ',
    only: /^BUG [\w.:-]{1,64} \(.{0,80}\): (?:Object already free|Poison overwritten|Redzone overwritten|Left Redzone overwritten|Right Redzone overwritten|Object padding overwritten|Padding overwritten|Freepointer corrupt|Wrong object count|Invalid object pointer|Objects remaining)/,
    formats: [
      {
        title: rx(
          '^BUG [\\w.:-]{1,64} \\(.{0,80}\\): (?<problem>Object already free|Poison overwritten|Redzone overwritten|Left Redzone overwritten|Right Redzone overwritten|Object padding overwritten|Padding overwritten|Freepointer corrupt|Wrong object count|Invalid object pointer|Objects remaining)',
        ),
        template: 'BUG: {problem}',
        kind: 'slab-corruption',
        kindBy: { slot: 'problem', map: { 'Object already free': 'double-free' } },
        noStackTrace: true,
        example: 'BUG ext4_inode_cache (Tainted: G        W  O     ): Object already free',
        why: 'SLUB debug caught a double free or an overwrite; the state (frames) tells the bugs apart',
      },
    ],
    suppressions: [],
  },
  {
    header: 'BUG kmalloc-',
    formats: [
      {
        title: rx('BUG kmalloc-.*: Object already free'),
        template: 'BUG: Object already free',
        kind: 'double-free',
        example: 'BUG kmalloc-128 (Tainted: G B): Object already free',
        why: 'SLUB debug caught a double free; the cache size varies',
      },
    ],
    suppressions: [],
  },
  {
    header: 'divide error:',
    formats: [
      {
        title: rx('divide error: '),
        template: 'divide error in {frame}',
        stack: { parts: [RIP_FRAME] },
        kind: 'bug',
        example: 'divide error: 0000 [#1] PREEMPT SMP KASAN',
        why: 'x86 #DE; the RIP line names the function',
      },
    ],
    suppressions: [],
  },
  {
    header: 'divide_error:',
    formats: [
      {
        title: rx('divide_error: '),
        template: 'divide error in {frame}',
        stack: { parts: [RIP_FRAME] },
        kind: 'bug',
        example: 'divide_error: 0000 [#1] PREEMPT SMP KASAN',
        why: 'the 5.8-era misspelling of the #DE headline',
      },
    ],
    suppressions: [],
  },
  {
    // Ours, by analogy with the other x86 traps: an unexpected int3 in kernel code.
    header: 'int3: ',
    formats: [
      {
        title: rx('int3: [0-9a-f]{4} \\[#'),
        template: 'int3 in {frame}',
        stack: ripStack(),
        kind: 'bug',
        example: 'int3: 0000 [#1] PREEMPT SMP KASAN',
        why: 'x86 #BP in the kernel (a stray breakpoint, a text_poke race); the RIP line names the function',
      },
    ],
    suppressions: [],
  },
  {
    header: 'invalid opcode:',
    formats: [
      {
        title: rx('invalid opcode: '),
        template: 'invalid opcode in {frame}',
        stack: { parts: [RIP_FRAME] },
        kind: 'bug',
        example: 'invalid opcode: 0000 [#1] PREEMPT SMP KASAN',
        why: 'x86 #UD (also what BUG() traps as); the RIP line names the function',
      },
    ],
    suppressions: [],
  },
  {
    header: 'UBSAN:',
    formats: [
      {
        title: rx('UBSAN:'),
        report: [rx('UBSAN: Undefined behaviour in')],
        template: 'UBSAN: undefined-behaviour in {frame}',
        stack: callTraceStack({ skip: ['ubsan', 'overflow'] }),
        kind: 'undefined-behavior',
        example: 'UBSAN: Undefined behaviour in net/core/dev.c:1234:5',
        why: 'the 4.x UBSAN wording: one title for every check',
      },
      {
        title: rx('UBSAN: array-index-out-of-bounds in'),
        template: 'UBSAN: array-index-out-of-bounds in {frame}',
        alt: ['bad-access in {frame}'],
        stack: callTraceStack({ skip: ['ubsan', 'overflow'] }),
        kind: 'out-of-bounds',
        example: 'UBSAN: array-index-out-of-bounds in net/core/dev.c:1234:5',
        why: 'an index past a fixed-size array: a memory-safety bug',
      },
      {
        title: rx('UBSAN:'),
        report: [rx('UBSAN: (?<check>.*?) in')],
        template: 'UBSAN: {check} in {frame}',
        stack: callTraceStack({ skip: ['ubsan', 'overflow'] }),
        kind: 'undefined-behavior',
        example: 'UBSAN: shift-out-of-bounds in net/core/dev.c:1234:5',
        why: 'the check name, then the first frame past the UBSAN handlers',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Booting the kernel.',
    formats: [
      {
        title: /^Booting the kernel/,
        template: 'unexpected kernel reboot',
        noStackTrace: true,
        kind: 'panic',
        example: 'Booting the kernel.',
        why: 'the machine restarted in the middle of a run',
      },
    ],
    suppressions: [/Parsing ELF|Decompressing Linux|Unknown parameter '/],
  },
  {
    header: 'unregister_netdevice: waiting for',
    formats: [
      {
        title: rx('unregister_netdevice: waiting for (?:.*) to become free'),
        template: 'unregister_netdevice: waiting for DEV to become free',
        noStackTrace: true,
        kind: 'hang',
        example: 'unregister_netdevice: waiting for lo to become free. Usage count = 2',
        why: 'a leaked netdev reference; the device name varies',
      },
    ],
    suppressions: [],
  },
  {
    header: 'VFS: Close: file count is 0',
    formats: [
      {
        title: rx('VFS: Close: file count is 0'),
        template: 'VFS: Close: file count is zero (use-after-free)',
        noStackTrace: true,
        kind: 'use-after-free',
        example: 'VFS: Close: file count is 0',
        why: 'old kernels: a file closed more often than opened',
      },
    ],
    suppressions: [],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    formats: [
      {
        title: rx('VFS: Busy inodes after unmount'),
        template: 'VFS: Busy inodes after unmount (use-after-free)',
        noStackTrace: true,
        kind: 'use-after-free',
        example: 'VFS: Busy inodes after unmount of sda1. Self-destruct in 5 seconds.',
        why: 'inodes still referenced after the superblock went away',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Internal error:',
    formats: [
      {
        title: rx('Internal error:'),
        template: 'Internal error in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'bad-access',
        example: 'Internal error: Oops: 96000004 [#1] PREEMPT SMP',
        why: 'arm/arm64 oops headline; the pc line names the function',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Unhandled fault:',
    formats: [
      {
        title: rx('Unhandled fault:'),
        template: 'Unhandled fault in {frame}',
        alt: ['bad-access in {frame}'],
        stack: ripStack(),
        kind: 'bad-access',
        example: 'Unhandled fault: page domain fault (0x01b) at 0x00000000',
        why: 'arm NULL dereferences (x86 shows them as general protection faults)',
      },
    ],
    suppressions: [],
  },
  {
    header: 'Alignment trap:',
    formats: [
      {
        title: rx('Alignment trap:'),
        template: 'Alignment trap in {frame}',
        stack: ripStack(),
        kind: 'bad-access',
        example: 'Alignment trap: not handling instruction e1923f9f at [<c0123456>]',
        why: 'arm unaligned access the kernel cannot fix up',
      },
    ],
    suppressions: [],
  },
  {
    header: 'trusty: panic',
    formats: [
      {
        title: rx('trusty: panic.* ASSERT FAILED'),
        report: [rx('trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (?<cond>.+)')],
        template: 'trusty: ASSERT FAILED: {cond}',
        noStackTrace: true,
        kind: 'assertion',
        example: 'trusty: panic (lib/foo.c:12): ASSERT FAILED at (lib/foo.c:12): x != NULL',
        why: 'the Trusty TEE asserts; the condition names the bug',
      },
      {
        title: rx('trusty: panic.* ASSERT FAILED.*: *(?<cond>.*)'),
        template: 'trusty: ASSERT FAILED: {cond}',
        corrupted: true,
        kind: 'assertion',
        example: 'trusty: panic ASSERT FAILED: x',
        why: 'a Trusty assert whose location was cut',
      },
      {
        title: rx('trusty: panic'),
        report: [rx('trusty: panic \\(.*?\\): (?<msg>.+)')],
        template: 'trusty: panic: {msg}',
        noStackTrace: true,
        kind: 'panic',
        example: 'trusty: panic (lib/foo.c:12): out of memory',
        why: 'a Trusty panic message',
      },
    ],
    suppressions: [],
  },
  {
    header: 'SYZFAIL:',
    sharedWithUserspace: true,
    formats: [
      {
        title: rx('SYZFAIL:(?<msg>.*)'),
        template: 'SYZFAIL:{msg}',
        noStackTrace: true,
        kind: 'bug',
        example: 'SYZFAIL: failed to recv rpc',
        why: "the fuzzer's own executor failed",
      },
    ],
    suppressions: [],
  },
  {
    header: 'SYZFATAL:',
    sharedWithUserspace: true,
    formats: [
      {
        title: rx('SYZFATAL:(?<msg>.*)'),
        template: 'SYZFATAL:{msg}',
        noStackTrace: true,
        kind: 'bug',
        example: 'SYZFATAL: executor 1 failed 11 times: failed to create temp dir',
        why: "the fuzzer's own log.Fatal",
      },
    ],
    suppressions: [],
  },
  {
    header: 'panic:',
    sharedWithUserspace: true,
    formats: [
      {
        title: rx('panic: Sentry detected .* stuck task'),
        template: 'panic: Sentry detected stuck tasks',
        noStackTrace: true,
        kind: 'hang',
        example: 'panic: Sentry detected 1 stuck task(s)',
        why: 'gVisor watchdog',
      },
      {
        title: rx('panic:(?<msg>.*)'),
        template: 'panic:{msg}',
        noStackTrace: true,
        kind: 'panic',
        example: 'panic: runtime error: index out of range',
        why: 'a Go panic message',
      },
    ],
    suppressions: [/_panic:/, /xlog_status:/, /ddb\.onpanic:/, /evtlog_status:/],
  },
  {
    header: 'fatal error:',
    sharedWithUserspace: true,
    formats: [
      {
        title: rx('fatal error:'),
        template: 'go runtime error',
        noStackTrace: true,
        kind: 'panic',
        example: 'fatal error: concurrent map writes',
        why: 'a Go runtime fatal error',
      },
    ],
    suppressions: [/ALSA/, /fatal error: cannot create timer/],
  },
  {
    // Ours: kmemleak's own report as `cat /sys/kernel/debug/kmemleak` or dmesg prints it, without
    // the `BUG: memory leak` line syzkaller prints before it; named as syzbot names that one.
    header: 'unreferenced object 0x',
    formats: [
      {
        title: rx('^unreferenced object 0x[0-9a-f]{1,16} \\(size [0-9]{1,10}\\):'),
        template: 'memory leak in {frame}',
        stack: MEMORY_LEAK_STACK,
        kind: 'memory-leak',
        example: 'unreferenced object 0xffff8881e4c1a300 (size 192):',
        why: 'a leak report pasted from kmemleak itself is the same bug as syzbot`s `BUG: memory leak`',
      },
    ],
    suppressions: [],
  },
  {
    // Ours, not syzkaller's (it titles the panic that follows: `kernel panic: Hard LOCKUP`).
    header: 'Watchdog detected hard LOCKUP',
    formats: [
      {
        title: rx('Watchdog detected hard LOCKUP'),
        template: 'BUG: hard lockup in {frame}',
        alt: ['stall in {frame}'],
        stack: {
          parts: [RIP_FRAME, PARSE_STACK],
          parts2: [CALL_TRACE, PARSE_STACK],
          skip: ['nmi_', 'watchdog'],
          extractor: 'stall',
        },
        kind: 'stall',
        example: 'watchdog: Watchdog detected hard LOCKUP on cpu 6',
        why: 'a CPU stuck with interrupts off: named like a soft lockup, by the work it was looping in',
      },
    ],
    suppressions: [],
  },
];

/** Stack-trace starts (syzkaller `stackStartRes`). */
export const STACK_START: readonly RegExp[] = [
  /Call (?:T|t)race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  /[^k] backtrace(?: \(crc [0-9a-fA-F]*\))?:/,
  /Backtrace:/,
  /Linux Kernel Library Stack Trace:/,
  /Uninit was stored to memory at/,
  /status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}/,
];
/** The riscv show_regs() line: a stack may follow it without a header. */
export const RISCV_STACK_START = STACK_START[STACK_START.length - 1];

/** A frame line: `[<addr>] func+0x1/0x2`, ` func+0x1/0x2`, arm `[<pc>] (f) from [<lr>] (g+...)`. */
export const FRAME_LINES: readonly RegExp[] = [
  // (`#4 ` before it: LKL numbers its frames.)
  rx('^ *(?:#\\d{1,4} )?(?:{{PC}} ){0,2}{{FUNC}}'),
  rx(ARM_FROM_FRAME + '{{FUNC}}'),
];
/** The arm32 unwinder's frame line: a stack even without a header before it. */
export const ARM_FRAME_LINE = FRAME_LINES[1];

/** Fault-injection stacks interleave with reports: seeing one makes the report corrupted. */
export const CORRUPTED_LINES: readonly RegExp[] = [
  /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/,
];

/**
 * Frames never named in a title, in every family (unanchored, as syzkaller's skip list):
 * sanitizer and report machinery, allocators, locks, atomics, string and user-copy helpers,
 * generic containers, printing, device-core teardown, fault entry.
 */
export const TITLE_SKIP_FRAMES: readonly string[] = [
  // Section boundaries, not functions (`_etext+0x1a2b0/0x2f0e10`: past the last known symbol).
  SECTION_END_SYMBOLS.source,
  '__sanitizer',
  '__asan',
  'kasan',
  'hwasan',
  '__msan',
  'kmsan',
  'kcsan_setup_watchpoint',
  'check_memory_region',
  'check_heap_object',
  'check_object',
  'read_word_at_a_time',
  '(read|write)_once_.*nocheck',
  'print_address_description',
  'panic',
  'invalid_op',
  'report_bug',
  'fixup_bug',
  'print_report',
  'print_usage_bug',
  'do_error',
  '_trap$|do_trap',
  'show_stack',
  'dump_stack',
  'walk_stack',
  'dump_backtrace',
  'unwind_backtrace',
  'warn_slowpath',
  'warn_alloc',
  'warn_bogus',
  '__warn',
  'alloc_page',
  'k?v?(?:m|z|c)alloc',
  'krealloc',
  'kmem_cache',
  'allocate_slab',
  '__alloc_frozen_pages_noprof',
  'folio_(?:alloc|unlock)',
  'filemap_alloc_folio',
  '__filemap_get_folio',
  'find_or_create_page',
  'do_read_cache_folio',
  'read_cache_page',
  'pagecache_get_page',
  'grab_cache_page_write_begin',
  'slab_',
  'debug_object',
  'timer_is_static_object',
  'work_is_static_object',
  '__might_fault',
  'print_unlock',
  'imbalance_bug',
  'lockdep',
  'bh_enable',
  'bh_disable',
  'perf_trace',
  'lock_acquire',
  'lock_release',
  'lock_class',
  'mark_lock',
  '(reacquire|mark)_held_locks',
  'raw_spin_rq',
  'spin_lock',
  'spin_trylock',
  'spin_unlock',
  'read_lock',
  'read_trylock',
  'write_lock',
  'write_trylock',
  'read_unlock',
  'write_unlock',
  '^down$',
  'down_read',
  'down_write',
  'down_read_trylock',
  'down_write_trylock',
  'down_trylock',
  'up_read',
  'up_write',
  '^mutex_',
  '^__mutex_',
  '^rt_mutex_',
  'owner_on_cpu',
  'osq_lock',
  'osq_unlock',
  'atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(set|clear|change|test)_bit',
  '__wake_up',
  '^refcount_',
  '^kref_',
  'ref_tracker',
  'seqprop_assert',
  'memcpy',
  'memcmp',
  'memset',
  'memchr',
  'memmove',
  'memdup',
  'strcmp',
  'strncmp',
  'strcpy',
  'strlcpy',
  'strncpy',
  'strscpy',
  'strlen',
  'strstr',
  'strnstr',
  'strnlen',
  'strchr',
  'strdup',
  'strndup',
  'copy_to_user',
  'copy_from_user',
  'copy_to_iter',
  'copy_from_iter',
  'copy_page_to_iter',
  'copy_page_from_iter',
  'copy_folio_to_iter',
  '^copyin$',
  '^copyout$',
  'put_user',
  'get_user',
  'might_fault',
  'might_sleep',
  'list_add',
  'list_del',
  'list_replace',
  'list_move',
  'list_splice',
  '^rb_',
  '^__rb_',
  '_indirect_thunk_',
  'string',
  'pointer',
  'snprintf',
  'scnprintf',
  'kasprintf',
  'kvasprintf',
  'printk',
  'va_format',
  'dev_info',
  'dev_notice',
  'dev_warn',
  'dev_err',
  'dev_alert',
  'dev_crit',
  'dev_emerg',
  'program_check_exception',
  'program_check_common',
  'del_timer',
  'flush_work',
  '__cancel_work_timer',
  'cancel_work_sync',
  'try_to_grab_pending',
  'flush_workqueue',
  'drain_workqueue',
  'destroy_workqueue',
  'queue_work',
  'finish_wait',
  'kthread_stop',
  'kobject_',
  'add_uevent_var',
  'get_device_parent',
  'device_add',
  'device_del',
  'device_unregister',
  'device_destroy',
  'device_release',
  'devres_release_all',
  'hwrng_unregister',
  'i2c_del_adapter',
  '__unregister_client',
  'device_for_each_child',
  'rollback_registered',
  'unregister_netdev',
  'sysfs_remove',
  'device_remove_file',
  'tty_unregister_device',
  'dummy_urb_enqueue',
  'usb_kill_urb',
  'usb_kill_anchored_urbs',
  'usb_control_msg',
  'usb_hcd_submit_urb',
  'usb_submit_urb',
  '^complete$',
  'wait_for_completion',
  '^kv?free$',
  'kfree_skb',
  'readb$',
  'readw$',
  'readl$',
  'readq$',
  'writeb$',
  'writew$',
  'writel$',
  'writeq$',
  'logic_in',
  'logic_out',
  '^crc\\d+',
  'crc_itu_t',
  '__might_resched',
  'assertfail',
  '^iput$',
  '^iput_final$',
  '^ihold$',
  'hex_dump_to_buffer',
  'print_hex_dump',
  '^klist_',
  '(trace|lockdep)_(hard|soft)irq',
  '^(un)?lock_page',
  'stack_trace_consume_entry',
  'arch_stack_walk',
  'stack_trace_save',
  'insert_work',
  '__queue_delayed_work',
  'queue_delayed_work_on',
  'ida_free',
  'do_(kernel|translation)_fault',
  'do_mem_abort',
  'el1_abort',
  'el1h_64_sync(?:_handler)?',
  'print_tainted',
  'xas_(?:start|load|find)',
  'find_lock_entries',
  'truncate_inode_pages_range',
  '__phys_addr',
  '__fortify_report',
  'cleanup_srcu_struct',
  'rhashtable_lookup',
  'extract_(user|iter)_to_sg',
  'drop_nlink',
  '^get_taint$',
  '^put_device$',
  'lock_timer_base',
  '__timer_delete_sync',
  'sk_stop_timer_sync',
  '__mod_timer',
  'fast_dput',
  'dput',
];

/** Syscall-wrapper prefixes: a frame is named by its shortest stripped form (`__x64_sys_ioctl` → `ioctl`). */
export const TITLE_STRIP_PREFIXES: readonly string[] = [
  'SYSC_',
  'SyS_',
  'sys_',
  '__x64_',
  '__ia32_',
  '__arm64_',
  '____sys_',
  '___sys_',
  '__sys_',
  '__se_',
  '__se_sys_',
  '__do_sys_',
  'compat_SYSC_',
  'compat_SyS_',
  'ksys_',
];

/**
 * Where a stalled CPU's work enters the kernel: a stall is named by the frame just inside the
 * first of these (the syscall, work item or timer callback that looped), syzkaller's anchors.
 */
export const STALL_ANCHORS: readonly RegExp[] = [
  /process_one_work/,
  /do_syscall_/,
  /do_fast_syscall_/,
  /sysenter_dispatch/,
  /tracesys_phase2/,
  /el0_svc_handler/,
  /invoke_syscall/,
  /ret_fast_syscall/,
  /netif_receive_skb/,
  /do_softirq/,
  /call_timer_fn/,
  /_run_timers/,
  /run_timer_softirq/,
  /hrtimer_run/,
  /run_ksoftirqd/,
  /smpboot_thread_fn/,
  // Ours: before 2.6.36 the workqueue thread called the work function itself (no
  // process_one_work); later kernels list process_one_work first, which wins.
  /^worker_thread$/,
  // Ours: x86_64 syscall entry before do_syscall_64 (2.6 to 4.x fast path).
  /^system_call_fastpath$/,
  /^entry_SYSCALL_64_fastpath$/,
  /^kthread$/,
  // Ours: the interrupt core calls the handler here; a CPU stuck inside a handler (a hard lockup
  // with interrupts off) is named by the handler, as a syscall's stall is by the syscall.
  /^__handle_irq_event_percpu$/,
  /^handle_irq_event_percpu$/,
  /start_secondary/,
  /cpu_startup_entry/,
  /ret_from_fork/,
  /vfs_write/,
  /vfs_read/,
  /vfs_iter_read/,
  /vfs_iter_write/,
  /do_iter_read/,
  /do_iter_write/,
  /call_read_iter/,
  /call_write_iter/,
  /new_sync_read/,
  /new_sync_write/,
  /vfs_ioctl/,
  /ksys_ioctl/,
  /compat_ioctl/,
  /compat_sys_ioctl/,
  /blkdev_driver_ioctl/,
  /blkdev_ioctl/,
  /do_iter_readv_writev/,
  /^call_mmap/,
  /mmap_region/,
  /do_mmap/,
  /do_dentry_open/,
  /vfs_open/,
  /^sock_sendmsg/,
  /^sock_recvmsg/,
  /^sock_release/,
  /^__sock_release/,
  /^setsockopt$/,
  /kernel_setsockopt/,
  /sock_common_setsockopt/,
  /^listen$/,
  /kernel_listen/,
  /sk_common_release/,
  /^sock_mmap/,
  /^accept$/,
  /kernel_accept/,
  /^sock_do_ioctl/,
  /^sock_ioctl/,
  /^compat_sock_ioctl/,
  /^nfnetlink_rcv_msg/,
  /^rtnetlink_rcv_msg/,
  /^netlink_dump/,
  /^(?:sys_)?(?:socketpair|connect|ioctl)/,
  /__do_fault/,
  /do_page_fault/,
  /^page_fault$/,
  /__fput/,
  /task_work_run/,
  /exit_to_usermode/,
  /smp_call_function/,
  /tasklet_action/,
  /tasklet_hi_action/,
];

/**
 * Kernels whose stacks are all `? ` frames are read anyway when they predate printk caller ids
 * (no reliable unwinder then: x86_64 without frame pointers guessed every word). x86_64 has
 * built the ORC unwinder by default since 4.15, so there an all-`? ` stack is a broken one (a
 * stack overflow, a corrupted frame), corrupted as syzkaller says, whatever the console prints.
 * Example: `CPU: 0 PID: 9 Comm: ksoftirqd/0 Not tainted 4.20.0+ #5` with `RIP: 0010:...` and
 * only `? ` frames after `Call Trace:`.
 */
export const RELIABLE_UNWINDER_SINCE: readonly { archLine: RegExp; major: number; minor: number }[] = [
  { archLine: /^RIP: [0-9a-f]{4}:/, major: 4, minor: 15 },
];

/** Hung tasks waiting in these are one bucket each (everyone waiting for RTNL or for RCU). */
export const HUNG_TASK_ANCHORS: readonly { contains: string; title: string | null }[] = [
  { contains: 'rtnl_lock', title: null },
  { contains: 'synchronize_rcu', title: 'synchronize_rcu' },
  { contains: 'synchronize_srcu', title: 'synchronize_rcu' },
  { contains: 'synchronize_net', title: 'synchronize_rcu' },
  { contains: 'synchronize_sched', title: 'synchronize_rcu' },
];

/** Frames of a hung task that only say it was waiting. */
export const HUNG_TASK_WAITING: readonly string[] = [
  'sched',
  '_lock',
  '_slowlock',
  'down',
  'rwsem',
  'completion',
  'kthread',
  'wait',
  'synchronize',
  'context_switch',
  '__switch_to',
  'cancel_delayed_work',
  'rcu_barrier',
];

/** Lines that start a report of their own but may sit inside another one. */
export const REPORT_START_IGNORES: readonly RegExp[] = [
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  /PANIC: double fault/,
  /Internal error:/,
  // kmemleak's object line follows syzkaller's `BUG: memory leak` headline: the same report.
  /^unreferenced object 0x/,
];

/** Informational messages with a stack: one inside a report means another stack is mixed in. */
export const INFO_WITH_STACK: readonly string[] = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

/** Title clean-up (syzkaller `dynamicTitleReplacement`): what varies between runs of one bug. */
export const TITLE_REPLACEMENTS: readonly { pattern: RegExp; replacement: string; why: string }[] = [
  { pattern: /syz-executor\.?[0-9]+(?:(?:\/|:)[0-9]+)?/g, replacement: 'syz-executor', why: 'executor pids' },
  { pattern: /syzkaller[0-9]+(?:(?:\/|:)[0-9]+)?/g, replacement: 'syzkaller', why: 'test process ids' },
  { pattern: /([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, replacement: '$1ADDR', why: 'addresses' },
  { pattern: /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/g, replacement: 'IP', why: 'IP addresses' },
  { pattern: /(\.\w+)(?::[0-9]+)+/g, replacement: '$1:LINE', why: 'source line numbers move between builds' },
  {
    pattern: /([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g,
    replacement: '$1',
    why: 'offsets and sizes',
  },
  { pattern: /CPU#[0-9]+/g, replacement: 'CPU', why: 'CPU numbers' },
  { pattern: /(\W)(\d+)(\W|$)/g, replacement: '$1NUM$3', why: 'any other decimal number' },
  { pattern: /\d{7,}/g, replacement: 'NUM', why: 'long digit runs inside names are not names' },
];

/** A title with a console timestamp inside it was spliced from two lines. */
export const CORRUPTED_TITLE = /\[ *[0-9]+\.[0-9]+\]/;
