// Crash reports for e2e tests, written in the exact formats kernels and sanitizers print.
// Each builder takes a `variant` number that changes what differs between two occurrences
// of one bug (addresses, offsets, timestamps, pids, CPU), never what identifies it.

function hex(n: number, width = 16): string {
  return n.toString(16).padStart(width, '0');
}

function ts(variant: number, line: number): string {
  const t = 100 + variant * 37.123457 + line * 0.000113;
  return `[${t.toFixed(6).padStart(12, ' ')}]`;
}

/** A KASAN slab-use-after-free report; `frames` innermost first (after the KASAN frames). */
export function kasanUseAfterFree(opts: {
  frames: string[];
  freeFrames: string[];
  allocFrames: string[];
  cache: string;
  size: number;
  access?: 'Read' | 'Write';
  variant?: number;
  module?: string;
}): string {
  const v = opts.variant ?? 0;
  const base = 0xffff888100000000 + v * 0x1a2b40;
  const addr = hex(base + 0x28);
  const pid = 1000 + v * 17;
  const off = (i: number) =>
    `0x${(0x40 + ((i * 13 + v * 7) % 90)).toString(16)}/0x${(0x200 + i * 8).toString(16)}`;
  const mod = opts.module ? ` [${opts.module}]` : '';
  const lines: string[] = [
    '==================================================================',
    `BUG: KASAN: slab-use-after-free in ${opts.frames[0]}+${off(0)}${mod}`,
    `${opts.access ?? 'Read'} of size 8 at addr ${addr} by task kworker/${v % 4}:1/${pid}`,
    '',
    `CPU: ${v % 4} PID: ${pid} Comm: kworker/${v % 4}:1 Not tainted 6.6.${10 + v}-g${hex(0xabc123 + v, 7)} #1`,
    'Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014',
    'Call Trace:',
    ' <TASK>',
    ` dump_stack_lvl+${off(90)}`,
    ` print_report+${off(91)}`,
    ` kasan_report+${off(92)}`,
    ...opts.frames.map((f, i) => ` ${f}+${off(i)}${i < 2 ? mod : ''}`),
    ` process_one_work+${off(40)}`,
    ` worker_thread+${off(41)}`,
    ` kthread+${off(42)}`,
    ` ret_from_fork+${off(43)}`,
    ' </TASK>',
    '',
    `Allocated by task ${pid - 3}:`,
    ` kasan_save_stack+${off(50)}`,
    ` __kasan_kmalloc+${off(51)}`,
    ...opts.allocFrames.map((f, i) => ` ${f}+${off(60 + i)}`),
    '',
    `Freed by task ${pid + 5}:`,
    ` kasan_save_stack+${off(52)}`,
    ` kasan_save_free_info+${off(53)}`,
    ` __kasan_slab_free+${off(54)}`,
    ` kfree+${off(55)}`,
    ...opts.freeFrames.map((f, i) => ` ${f}+${off(70 + i)}`),
    '',
    `The buggy address belongs to the object at ${hex(base)}`,
    ` which belongs to the cache ${opts.cache} of size ${opts.size}`,
    `The buggy address is located 40 bytes inside of`,
    ` freed ${opts.size}-byte region [${hex(base)}, ${hex(base + opts.size)})`,
    '==================================================================',
  ];
  return lines.map((l, i) => `${ts(v, i)} ${l}`).join('\n') + '\n';
}

/** An x86_64 NULL pointer dereference oops. */
export function nullDeref(opts: { frames: string[]; variant?: number; module?: string }): string {
  const v = opts.variant ?? 0;
  const pid = 2000 + v * 31;
  const off = (i: number) =>
    `0x${(0x10 + ((i * 11 + v * 5) % 120)).toString(16)}/0x${(0x180 + i * 16).toString(16)}`;
  const mod = opts.module ? ` [${opts.module}]` : '';
  const lines = [
    `BUG: kernel NULL pointer dereference, address: 00000000000000${(0x10 + 8).toString(16)}`,
    '#PF: supervisor read access in kernel mode',
    '#PF: error_code(0x0000) - not-present page',
    `PGD 0 P4D 0`,
    `Oops: 0000 [#1] PREEMPT SMP NOPTI`,
    `CPU: ${v % 8} PID: ${pid} Comm: modprobe Tainted: G           OE      5.15.${100 + v}-generic #${v + 1}`,
    'Hardware name: Dell Inc. PowerEdge R740/0YWR7D, BIOS 2.12.2 07/09/2021',
    `RIP: 0010:${opts.frames[0]}+${off(0)}${mod}`,
    `Code: 48 8b 47 18 48 85 c0 74 0d 48 8b 40 ${hex(v, 2)} <48> 8b 40 18 c3 cc cc cc`,
    `RSP: 0018:ffffc90000${hex(0x1f3c8 + v * 8, 6)} EFLAGS: 00010246`,
    `RAX: 0000000000000000 RBX: ffff8881${hex(0x2000000 + v * 0x1000, 8)} RCX: 0000000000000000`,
    'Call Trace:',
    ' <TASK>',
    ...opts.frames.slice(1).map((f, i) => ` ${f}+${off(i + 1)}${mod}`),
    ` do_syscall_64+${off(30)}`,
    ` entry_SYSCALL_64_after_hwframe+${off(31)}`,
    ' </TASK>',
    `Modules linked in: ${opts.module ?? 'e1000'} xt_conntrack nf_nat`,
    'CR2: 0000000000000018',
    `---[ end trace ${hex(0x1234abcd + v * 977, 16)} ]---`,
  ];
  return lines.map((l, i) => `${ts(v, i)} ${l}`).join('\n') + '\n';
}

/** A user-space AddressSanitizer heap-use-after-free report. */
export function asanUseAfterFree(opts: {
  frames: string[];
  freeFrames: string[];
  allocFrames: string[];
  size: number;
  variant?: number;
}): string {
  const v = opts.variant ?? 0;
  const pid = 4242 + v;
  const base = 0x602000000010 + v * 0x40;
  const pc = (i: number) => `0x${(0x55d0c6a1f3b1 + i * 0x1234 + v * 0x10).toString(16)}`;
  const frame = (i: number, f: string, n: number) =>
    `    #${n} ${pc(i)} in ${f} /src/${f.split('_')[0]}.c:${40 + i}`;
  return (
    [
      `==${pid}==ERROR: AddressSanitizer: heap-use-after-free on address 0x${base.toString(16)} at pc ${pc(0)} bp 0x7ffd1 sp 0x7ffd0`,
      `READ of size 4 at 0x${base.toString(16)} thread T0`,
      ...opts.frames.map((f, i) => frame(i, f, i)),
      '',
      `0x${base.toString(16)} is located 0 bytes inside of ${opts.size}-byte region [0x${base.toString(16)},0x${(base + opts.size).toString(16)})`,
      'freed by thread T0 here:',
      `    #0 ${pc(20)} in free (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xd7ad8)`,
      ...opts.freeFrames.map((f, i) => frame(21 + i, f, i + 1)),
      '',
      'previously allocated by thread T0 here:',
      `    #0 ${pc(30)} in malloc (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xd8a57)`,
      ...opts.allocFrames.map((f, i) => frame(31 + i, f, i + 1)),
      '',
      `SUMMARY: AddressSanitizer: heap-use-after-free /src/${opts.frames[0].split('_')[0]}.c:40 in ${opts.frames[0]}`,
      `==${pid}==ABORTING`,
    ].join('\n') + '\n'
  );
}
