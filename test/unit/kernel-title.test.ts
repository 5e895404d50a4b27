// The syzbot-rules title engine (kernel-title.ts) on small reports written here, and the name
// demanglers it uses. The dev corpus figure lives in bench/titles; these pin the mechanisms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prepareLines } from '../../src/core/parse/envelope';
import { cleanTitle, demangleName, titleKernelReports } from '../../src/core/parse/kernel-title';
import { demangleRustV0 } from '../../src/core/parse/rust-demangle';
import { parseDump } from '../../src/core/parse/index';
import { isSkippedFrame } from '../../src/core/parse/guilty';
import { STALL_ANCHORS } from '../../src/core/rules/kernel-titles';

const titleOf = (lines: string[]) => titleKernelReports(prepareLines(lines.join('\n')))[0];

test('Rust v0 and C++ names become paths; anything else is left alone', () => {
  assert.equal(demangleRustV0('_RNvNtCsabc_7mycrate6module4func'), 'mycrate::module::func');
  assert.equal(
    demangleRustV0('_RNvXs_Cs1_3fooNtB4_3BarNtCs2_4core5Clone5clone'),
    '<foo::Bar as core::Clone>::clone',
  );
  assert.equal(demangleRustV0('_RNvCs1_7___rustc17rust_begin_unwind'), '__rustc::rust_begin_unwind');
  assert.equal(demangleRustV0('_RNvB'), null);
  assert.equal(demangleName('_Z8fakeNameiii'), 'fakeName');
  assert.equal(demangleName('_ZN5outer5innerEv'), 'outer::inner');
  assert.equal(demangleName('tcp_sendmsg'), 'tcp_sendmsg');
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      demangleName('_R' + s);
      demangleName('_Z' + s);
    }),
  );
});

test('titles drop what varies between runs of one bug', () => {
  assert.equal(
    cleanTitle('kernel panic: Attempted to kill init! exitcode=0x0000000b'),
    'kernel panic: Attempted to kill init! exitcode=ADDR',
  );
  assert.equal(
    cleanTitle('WARNING in foo+0x1c/0x40 at fs/x.c:123 on CPU#3'),
    'WARNING in foo at fs/x.c:LINE on CPU',
  );
});

test('a hung task is named by what it waited for; RCU waits share one name', () => {
  const hung = (frames: string[]) =>
    titleOf([
      '[  100.1][ T31] INFO: task kworker/0:1:42 blocked for more than 143 seconds.',
      '[  100.1][ T31] Call Trace:',
      ...frames.map((f, i) => `[  100.1][ T31]  ${f}+0x${(16 + i).toString(16)}/0x100`),
    ]);
  assert.equal(
    hung(['__schedule', 'schedule', 'schedule_timeout', 'wait_for_completion', 'foo_flush', 'foo_ioctl'])
      .title,
    'INFO: task hung in foo_flush',
  );
  assert.equal(
    hung(['__schedule', 'schedule', 'synchronize_srcu', 'bar_release']).title,
    'INFO: task hung in synchronize_rcu',
  );
  assert.equal(
    hung(['__schedule', 'schedule', 'mutex_lock_nested', 'rtnl_lock', 'baz_open']).title,
    'INFO: task hung in rtnl_lock',
  );
});

test('a soft lockup is named by the frame inside the work it looped in', () => {
  const t = titleOf([
    'watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [syz-executor:1234]',
    'RIP: 0010:loop_helper+0x12/0x40',
    'Call Trace:',
    ' widget_scan+0x40/0x90',
    ' widget_ioctl+0x120/0x200',
    ' vfs_ioctl+0x4c/0x90',
    ' __x64_sys_ioctl+0x80/0xb0',
    ' do_syscall_64+0x3d/0x90',
  ]);
  assert.equal(t.title, 'BUG: soft lockup in widget_ioctl');
  assert.equal(t.kind, 'stall');
  assert.equal(t.corrupted, false);
});

test('a report whose call trace holds no frame is corrupted and says so in its title', () => {
  const t = titleOf([
    'general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] SMP KASAN',
    'CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1',
    'Call Trace:',
    'Modules linked in:',
    '---[ end trace 0000000000000000 ]---',
  ]);
  assert.equal(t.title, 'general protection fault in corrupted');
  assert.equal(t.corrupted, true);
  assert.match(t.corruptedReason ?? '', /frames/);
});

test('an unknown line of a known family is its own, trusted title', () => {
  const t = titleOf(['usb 1-1: WARNING: widget firmware too old, expect trouble']);
  assert.equal(t.title, 'WARNING: widget firmware too old, expect trouble');
  assert.equal(t.corrupted, false);
});

// Lines other programs print with a kernel headline's word in them are not kernel reports:
// Chromium's log level (`:WARNING:file.cc(12)]`) and libFuzzer's progress lines (`INFO: Seed:`).
test("a browser's log lines and a fuzzer's progress lines are not kernel reports", () => {
  for (const line of [
    '[31:31:0101/000000.512:WARNING:gpu_init.cc(456)] Failed to initialize the GPU',
    '[31:31:0101/000000.512:INFO:CONSOLE(12)] "Uncaught TypeError: x is undefined", source: a.js (12)',
    // Logging set up without pid, thread and time.
    '[INFO:CONSOLE(6958)] "Failed to set the currentTime property", source: file:///a.html (6958)',
    '[WARNING:gpu_init.cc(456)] Failed to initialize the GPU',
    'INFO: Seed: 3181469268',
    'INFO: Loaded 1 modules   (7670 inline 8-bit counters): 7670 [0xdbadf8, 0xdbcbee),',
    'INFO: -max_len is not provided; libFuzzer will not generate inputs larger than 4096 bytes',
  ])
    assert.equal(titleOf([line]), undefined, line);
  // A browser's log with no crash in it is no report at all (it was two kernel `INFO:`/`WARNING:`
  // reports while the bare `[LEVEL:` form was not known).
  const browserLog = parseDump(
    '[INFO:CONSOLE(6958)] "Failed to set the currentTime property", source: file:///a.html (6958)\n' +
      '[WARNING:gpu_init.cc(456)] Failed to initialize the GPU\n',
  );
  assert.equal(browserLog.title, null);
  assert.equal(browserLog.reports.length, 0);
  // The kernel report a fuzzer's log holds keeps its own title (LKL: the kernel as a library).
  const parsed = parseDump(
    [
      'INFO: Seed: 3181469268',
      'INFO: Loaded 1 modules   (512 inline 8-bit counters): 512 [0x5d1000, 0x5d1200),',
      '[    0.072770] ==================================================================',
      '[    0.072808] BUG: KASAN: use-after-free in nf_tables_rule_free+0x3c/0x90',
      '[    0.072814] Read of size 8 at addr 00007f9d072ac9e8 by task lkl_fuzzer/1',
      '[    0.072823] Call Trace:',
      '[    0.072839]  dump_stack+0x6a/0x90',
      '[    0.072847]  kasan_report+0x134/0x190',
      '[    0.072853]  nf_tables_rule_free+0x3c/0x90',
      '[    0.072860]  nf_tables_newrule+0x4f1/0x8a0',
      '[    0.072867]  nfnetlink_rcv_batch+0x2a7/0x6e0',
      '[    0.072874]  nfnetlink_rcv+0x17c/0x1a0',
    ].join('\n'),
  );
  assert.equal(parsed.title, 'KASAN: use-after-free Read in nf_tables_rule_free');
});

// x86 kernels before 4.15 trap a WARN through invalid_op → do_invalid_op → do_error_trap →
// fixup_bug → report_bug; newer ones through asm_exc_invalid_op. That path is how the warning
// was raised, not who called the warning's function: the state goes on with its callers.
test("a trapped WARNING's state skips the trap path to the warning function's callers", () => {
  const parsed = parseDump(
    [
      '[  201.100000] WARNING: CPU: 0 PID: 7311 at drivers/block/nbd.c:1412 nbd_ioctl+0x2c1/0x3a0',
      '[  201.100100] Kernel panic - not syncing: panic_on_warn set ...',
      '[  201.100200] CPU: 0 PID: 7311 Comm: syz-executor3 Not tainted 4.14.0-rc4+ #77',
      '[  201.100300] Call Trace:',
      '[  201.100400]  dump_stack+0x194/0x257',
      '[  201.100500]  panic+0x1e4/0x41c',
      '[  201.100600]  ? nbd_ioctl+0x2c1/0x3a0',
      '[  201.100700]  __warn+0x1dc/0x200',
      '[  201.100800]  report_bug+0x211/0x2d0',
      '[  201.100900]  fixup_bug.part.11+0x37/0x80',
      '[  201.101000]  do_error_trap+0x2d7/0x3e0',
      '[  201.101100]  do_invalid_op+0x1b/0x20',
      '[  201.101200]  invalid_op+0x22/0x40',
      '[  201.101300] RIP: 0010:nbd_ioctl+0x2c1/0x3a0',
      '[  201.101400] RSP: 0018:ffff8801c3a07ce0 EFLAGS: 00010216',
      '[  201.101500]  blkdev_ioctl+0x1a2/0x1b80',
      '[  201.101600]  block_ioctl+0xde/0x120',
      '[  201.101700]  do_vfs_ioctl+0x1b1/0x1520',
      '[  201.101800]  SyS_ioctl+0x8f/0xc0',
    ].join('\n'),
  );
  assert.equal(parsed.title, 'WARNING in nbd_ioctl');
  assert.deepEqual(parsed.state, ['nbd_ioctl', 'blkdev_ioctl', 'block_ioctl']);
});

test('state skip rows name whole functions where they end in $ (no dead prefixes)', () => {
  for (const f of ['kobject_put', 'kobject_release', 'fixup_bug', 'asm_exc_page_fault', 'asm_exc_invalid_op'])
    assert.ok(isSkippedFrame(f), f);
  for (const f of ['kobject_add', 'nbd_ioctl', 'exc_page_fault_handler_of_mine'])
    assert.ok(!isSkippedFrame(f), f);
});

test('stall anchors are plain patterns (the title engine tests them as one alternation)', () => {
  for (const a of STALL_ANCHORS) assert.equal(a.flags, '', a.source);
});

// KASAN before 4.6 described the bad object through SLUB: `BUG <cache> (...): kasan: bad access
// detected` and its banner sit inside the KASAN report. That line is part of the report it is
// printed in, and alone (a log cut to it) it is no report; a report of a type named in words
// (`out of bounds access`, 4.0-4.3 and Android 3.18) gets its kind from those words.
test('the SLUB object header KASAN printed is inside its report, and alone no report', () => {
  const lone = parseDump('[   72.159680] BUG UNIX (Not tainted): kasan: bad access detected\n');
  assert.equal(lone.title, null);
  assert.equal(lone.reports.length, 0);
  const words = parseDump(
    [
      '==================================================================',
      'BUG: KASAN: out of bounds access in snd_seq_oss_open+0x4c/0x3a0 at addr ffffffc0349bd6f0',
      'Write of size 4 by task seqtest/3310',
      '=============================================================================',
      'BUG kmalloc-256 (Tainted: G        W      ): kasan: bad access detected',
      '-----------------------------------------------------------------------------',
      'INFO: Object 0xffffffc0349bd600 @offset=1536 fp=0xffffffc0349bd000',
      'CPU: 3 PID: 3310 Comm: seqtest Tainted: G    B   W    3.18.71-perf #1',
      'Call trace:',
      '[<ffffffc00008b2f0>] dump_backtrace+0x0/0x1c4',
      '[<ffffffc00008b4c4>] show_stack+0x10/0x1c',
      '[<ffffffc0002f0e28>] kasan_report+0x3c/0x48',
      '[<ffffffc0002ef6b4>] __asan_store4+0x80/0xa0',
      '[<ffffffc000a3c6e0>] snd_seq_oss_open+0x4c/0x3a0',
      '[<ffffffc000a3b0a8>] odev_open+0x58/0x78',
      '[<ffffffc0003084d4>] chrdev_open+0x1d0/0x210',
      '==================================================================',
    ].join('\n'),
  );
  assert.equal(words.reports.length, 1);
  assert.equal(words.kind, 'out-of-bounds');
  assert.deepEqual(words.state, ['snd_seq_oss_open', 'odev_open', 'chrdev_open']);
  assert.deepEqual(words.indicators.slabCaches, ['kmalloc-256']);
});

// A function right after itself in a stack: two calls of it when each frame has its own return
// address (recursion; arm64's address past a noreturn call, `f+0x0`), one frame printed twice
// when one of them is an inlined frame or they are the same line.
test('the state keeps a function twice for two calls of it, once for one frame printed twice', () => {
  const stack = (frames: string[]) =>
    parseDump(
      [
        'Kernel panic - not syncing: gpu_mem_check: pool 5 unknown',
        'CPU: 0 PID: 2179 Comm: allocd Tainted: G           O      5.10.63-android13 #1',
        'Call trace:',
        'dump_backtrace+0x0/0x300',
        'show_stack+0x30/0x44',
        'dump_stack+0x20/0x68',
        'panic+0x240/0x5d4',
        ...frames,
      ].join('\n'),
    ).state;
  assert.deepEqual(
    stack(['pool_enable+0x0/0x7c [gpu]', 'pool_enable+0x4c/0x7c [gpu]', 'gpu_alloc_page+0x174/0x2d8']),
    ['pool_enable', 'pool_enable', 'gpu_alloc_page'],
  );
  assert.deepEqual(
    stack([
      'pool_enable drivers/gpu/pool.c:40 [inline]',
      'pool_enable+0x4c/0x7c drivers/gpu/pool.c:52',
      'gpu_alloc_page+0x174/0x2d8',
    ]),
    ['pool_enable', 'gpu_alloc_page'],
  );
});
