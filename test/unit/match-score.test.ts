import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrashKind, Frame, ParsedDump, SignatureMatcher } from '../../src/core/types';
import { MatchIndex, THRESHOLDS, type IndexedSignature } from '../../src/core/match';
import { alignStacks, compileSignatureStack, prepareDumpStack } from '../../src/core/match/stack';
import { deriveMatcher } from '../../src/core/signature';
import { canonicalFrame, classifyFrame } from '../../src/core/match/frames';

// Frames as a console prints them: '? name' is unreliable, '~name' inlined.
function frames(names: string[]): Frame[] {
  return names.map((n) => {
    const reliable = !n.startsWith('? ');
    const inlined = n.startsWith('~');
    const fn = n.replace(/^\? /, '').replace(/^~/, '');
    return { function: fn, reliable, inlined };
  });
}

interface DumpSpec {
  kind: CrashKind;
  headline: string;
  stack: string[];
  state?: string[];
  fingerprint?: string | null;
  slabCaches?: string[];
  poisons?: string[];
  objectSizes?: number[];
  kernel?: string;
  arch?: string;
  modules?: string[];
}

function dump(s: DumpSpec): ParsedDump {
  const fr = frames(s.stack);
  // As the parser does: the state skips the reporting frames (dump_stack, kasan_report).
  const state =
    s.state ??
    fr
      .filter((f) => f.reliable && classifyFrame(f.function) !== 'reporting')
      .slice(0, 3)
      .map((f) => f.function);
  const guilty = fr.findIndex((f) => f.function === state[0]);
  const report = {
    format: 'linux-kernel' as const,
    title: `${s.headline} in ${state[0]}`,
    kind: s.kind,
    headline: s.headline,
    access: null,
    frames: fr,
    guiltyFrame: guilty >= 0 ? guilty : null,
    state,
    indicators: {
      poisonValues: (s.poisons ?? []).map((name) => ({
        value: '0xdead000000000100',
        name,
        base: '0xdead000000000100',
        offset: 0,
        meaning: 'list poison',
        where: 'register RAX',
      })),
      slabCaches: s.slabCaches ?? [],
      objectSizes: s.objectSizes ?? [],
    },
    environment: { kernelVersion: s.kernel ?? '6.1.0', arch: s.arch ?? 'x86_64', modules: s.modules ?? [] },
    secondaryOf: null,
    notes: [],
    fingerprint: s.fingerprint === undefined ? `fp-${s.kind}-${state.join('|')}` : s.fingerprint,
  };
  return { ...report, reports: [report] };
}

function sig(id: string, matcher: SignatureMatcher): IndexedSignature {
  return { id, title: id, matcher, fixes: [{ kind: 'commit', ref: 'abc123' }], notes: [] };
}

const UAF_STACK = [
  'dump_stack_lvl',
  'print_report',
  'kasan_report',
  'nvmf_rdma_qpair_process_last_wqe_event',
  'nvmf_rdma_poll_group_poll',
  'nvmf_poll_group_poll',
  'thread_poll',
  'spdk_thread_poll',
  'reactor_run',
  'kthread',
  'ret_from_fork',
];

const uaf = dump({ kind: 'use-after-free', headline: 'KASAN: slab-use-after-free Read', stack: UAF_STACK });

test('the dump a signature was derived from matches it with certainty', () => {
  const idx = new MatchIndex();
  idx.upsert(sig('uaf', deriveMatcher(uaf)));
  const [m] = idx.match(uaf, '');
  assert.equal(m.signatureId, 'uaf');
  assert.equal(m.verdict, 'match');
  assert.equal(m.score, 1);
  assert.ok(m.evidence.some((e) => e.feature === 'fingerprint'));
  assert.equal(m.reportIndex, 0);
});

test('same bug, other build: other fingerprint, extra unreliable and inlined frames, truncated bottom → match', () => {
  const idx = new MatchIndex();
  idx.upsert(sig('uaf', deriveMatcher(uaf)));
  const again = dump({
    kind: 'use-after-free',
    headline: 'KASAN: slab-use-after-free Read',
    stack: [
      'dump_stack_lvl',
      '? _printk',
      'kasan_report',
      'nvmf_rdma_qpair_process_last_wqe_event',
      '~nvmf_rdma_handle_last_wqe',
      '? nvmf_rdma_poll_group_poll',
      'nvmf_rdma_poll_group_poll',
      '? spdk_log',
      'nvmf_poll_group_poll',
      'thread_poll',
    ],
    fingerprint: 'another-build',
  });
  const [m] = idx.match(again, '');
  assert.equal(m?.signatureId, 'uaf');
  assert.equal(m.verdict, 'match', JSON.stringify(m.evidence));
  assert.ok(m.score < 1);
  const stack = m.evidence.find((e) => e.feature === 'stack');
  assert.ok(stack && stack.weight > 0.4, stack?.detail);
  assert.match(stack.detail, /nvmf_rdma_qpair_process_last_wqe_event/);
});

test('different bugs sharing a generic top frame (kfree) are not merged', () => {
  const idx = new MatchIndex();
  const ext4 = dump({
    kind: 'double-free',
    headline: 'KASAN: double-free',
    stack: [
      'kasan_report_invalid_free',
      'kfree',
      'ext4_i_callback',
      'rcu_do_batch',
      'rcu_core',
      '__do_softirq',
    ],
    state: ['kfree', 'ext4_i_callback', 'rcu_do_batch'],
  });
  idx.upsert(sig('ext4', deriveMatcher(ext4)));
  const other = dump({
    kind: 'double-free',
    headline: 'KASAN: double-free',
    stack: [
      'kasan_report_invalid_free',
      'kfree',
      'nfs_free_request',
      'nfs_direct_write_completion',
      'process_one_work',
    ],
    state: ['kfree', 'nfs_free_request', 'nfs_direct_write_completion'],
  });
  const matches = idx.match(other, '');
  assert.ok(!matches.some((m) => m.verdict === 'match'), JSON.stringify(matches, null, 1));
});

test('different bugs sharing refcount_warn_saturate or __list_del_entry_valid are not merged', () => {
  const idx = new MatchIndex();
  const a = dump({
    kind: 'warning',
    headline: 'WARNING: refcount bug',
    stack: [
      'refcount_warn_saturate',
      'nfs_direct_write_reschedule',
      'nfs_direct_write_schedule_work',
      'process_one_work',
    ],
  });
  const b = dump({
    kind: 'warning',
    headline: 'WARNING: refcount bug',
    stack: ['refcount_warn_saturate', 'sk_psock_put', 'tcp_bpf_close', 'inet_release', '__sock_release'],
  });
  const c = dump({
    kind: 'list-corruption',
    headline: 'BUG: corrupted list',
    stack: ['__list_del_entry_valid', 'dma_pool_destroy', 'mlx5_cmd_cleanup', 'mlx5_unload_one'],
    poisons: ['LIST_POISON1'],
  });
  const d = dump({
    kind: 'list-corruption',
    headline: 'BUG: corrupted list',
    stack: ['__list_del_entry_valid', 'io_poll_remove_entries', 'io_poll_task_func', 'tctx_task_work'],
    poisons: ['LIST_POISON1'],
  });
  idx.upsert(sig('a', deriveMatcher(a)));
  idx.upsert(sig('c', deriveMatcher(c)));
  assert.ok(!idx.match(b, '').some((m) => m.verdict === 'match'));
  assert.ok(!idx.match(d, '').some((m) => m.verdict === 'match'));
  assert.equal(idx.match(c, '')[0]?.signatureId, 'c');
});

test('same guilty function, other callers: similar, not match', () => {
  const idx = new MatchIndex();
  idx.upsert(
    sig('mlx5', {
      kind: 'null-deref',
      headline: 'BUG: unable to handle kernel NULL pointer dereference',
      frames: [
        'dma_pool_alloc',
        'mlx5_alloc_cmd_msg',
        'cmd_exec',
        'mlx5_cmd_exec',
        'mlx5_core_access_reg',
        'speed_show',
      ],
      guiltyFrame: 0,
    }),
  );
  const other = dump({
    kind: 'null-deref',
    headline: 'BUG: unable to handle kernel NULL pointer dereference',
    stack: [
      'dma_pool_alloc',
      'nvme_setup_prps',
      'nvme_queue_rq',
      'blk_mq_dispatch_rq_list',
      '__blk_mq_sched_dispatch_requests',
    ],
  });
  const [m] = idx.match(other, '');
  assert.equal(m?.verdict, 'similar', JSON.stringify(m));
});

test('a crash in a generic frame the title names, with nothing specific below it, recurs through another exit path', () => {
  // `scheduling while atomic` noticed on the way back to user space: the stack is exit code
  // only, and the next occurrence returns from a page fault instead of a syscall.
  const idx = new MatchIndex();
  const viaSyscall = dump({
    kind: 'lock-bug',
    headline: 'BUG: scheduling while atomic',
    stack: [
      'dump_stack_lvl',
      '__schedule_bug',
      '__schedule',
      'schedule',
      'exit_to_user_mode_prepare',
      'syscall_exit_to_user_mode',
      'do_syscall_64',
      'entry_SYSCALL_64_after_hwframe',
    ],
    state: ['exit_to_user_mode_prepare', 'syscall_exit_to_user_mode', 'do_syscall_64'],
  });
  idx.upsert(sig('atomic-exit', deriveMatcher(viaSyscall)));
  const viaFault = dump({
    kind: 'lock-bug',
    headline: 'BUG: scheduling while atomic',
    stack: [
      'dump_stack',
      '__schedule_bug',
      '__schedule',
      'schedule',
      'exit_to_user_mode_prepare',
      'irqentry_exit_to_user_mode',
      'exc_page_fault',
      'asm_exc_page_fault',
    ],
    state: ['exit_to_user_mode_prepare', 'irqentry_exit_to_user_mode', 'asm_exc_page_fault'],
  });
  const [m] = idx.match(viaFault, '');
  assert.equal(m?.verdict, 'match', JSON.stringify(m));
  assert.ok(m.evidence.some((e) => e.feature === 'guilty-frame' && /both titles name/.test(e.detail)));
  // The same generic frame on top of a specific caller is that caller's bug: no such credit.
  const viaDriver = dump({
    kind: 'lock-bug',
    headline: 'BUG: scheduling while atomic',
    stack: ['exit_to_user_mode_prepare', 'vendor_ioctl_complete', 'vendor_ioctl', 'do_syscall_64'],
    state: ['exit_to_user_mode_prepare', 'vendor_ioctl_complete', 'vendor_ioctl'],
  });
  const [d] = idx.match(viaDriver, '');
  assert.notEqual(d?.verdict, 'match', JSON.stringify(d));
});

test('a reporting frame the title names stays on the stack: the bug is in it', () => {
  // A per-cpu access in preemptible context inside the page-fault path itself: the title names
  // fault-handling code, which every other report only passes through on its way to the oops.
  const inFaultPath = (entry: string): ParsedDump =>
    dump({
      kind: 'lock-bug',
      headline: 'BUG: using __this_cpu_read() in preemptible code',
      stack: [
        'dump_stack',
        'check_preemption_disabled',
        '__bad_area_nosemaphore',
        'do_user_addr_fault',
        entry,
      ],
      state: ['__bad_area_nosemaphore', entry],
    });
  const idx = new MatchIndex();
  idx.upsert(sig('fault-path', deriveMatcher(inFaultPath('exc_page_fault'))));
  const [own] = idx.match(inFaultPath('exc_page_fault'), '');
  assert.equal(own?.verdict, 'match', JSON.stringify(own));
  const [again] = idx.match(inFaultPath('asm_exc_page_fault'), '');
  assert.equal(again?.verdict, 'match', JSON.stringify(again));
});

test('the titled frame is the guilty one when the state starts elsewhere: one free path, two lock holders', () => {
  // `held lock freed` reports: the state is the path that freed the object, the title names the
  // function that held the lock. Two holders are two bugs even on the same free path.
  const heldLockFreed = (holder: string, caller: string): ParsedDump => {
    const d = dump({
      kind: 'lock-bug',
      headline: 'WARNING: held lock freed',
      stack: [
        'dump_stack',
        'debug_check_no_locks_freed',
        'kmem_cache_free',
        'proto_sk_destroy',
        'proto_sk_release',
        'proto_assoc_put',
        holder,
        caller,
        'sock_sendmsg',
        'do_syscall_64',
      ],
      state: ['proto_sk_destroy', 'proto_sk_release', 'proto_assoc_put'],
      fingerprint: 'fp-held-lock-free-path',
    });
    const title = `WARNING: held lock freed in ${holder}`;
    return { ...d, title, reports: d.reports.map((r) => ({ ...r, title })) };
  };
  const a = heldLockFreed('proto_sendmsg', 'inet_sendmsg');
  const b = heldLockFreed('proto_wait_for_buf', 'proto_sendmsg_locked');
  const idx = new MatchIndex();
  idx.upsert(sig('holder-a', deriveMatcher(a)));
  assert.equal(deriveMatcher(a).frames[deriveMatcher(a).guiltyFrame ?? -1], 'proto_sendmsg');
  assert.equal(idx.match(a, '')[0]?.verdict, 'match');
  const [m] = idx.match(b, '');
  assert.notEqual(m?.verdict, 'match', JSON.stringify(m));
});

test('a required pattern that misses excludes; one that hits is evidence', () => {
  const idx = new MatchIndex();
  const m = deriveMatcher(uaf);
  m.patterns = [{ pattern: 'nvmf_rdma.*last_wqe', required: true }];
  idx.upsert(sig('uaf', m));
  assert.equal(idx.match(uaf, 'no such text').length, 0);
  const [hit] = idx.match(uaf, 'BUG: nvmf_rdma_qpair_process_last_wqe_event+0x1/0x2');
  assert.equal(hit.verdict, 'match');
  assert.ok(hit.evidence.some((e) => e.feature === 'pattern' && e.weight > 0));
});

test('kernel version outside the signature range is negative evidence and not a match', () => {
  const idx = new MatchIndex();
  const m = deriveMatcher(uaf);
  m.kernelMin = '5.10';
  m.kernelMax = '6.1';
  idx.upsert(sig('uaf', m));
  const inRange = idx.match({ ...uaf, environment: { kernelVersion: '6.1.77-generic' } }, '');
  assert.equal(inRange[0].verdict, 'match');
  assert.ok(inRange[0].evidence.some((e) => e.feature === 'kernel-version' && e.weight > 0));
  const later = { ...uaf, environment: { kernelVersion: '6.6.3' } };
  later.reports = [{ ...later.reports[0], environment: { kernelVersion: '6.6.3' } }];
  const out = idx.match(later, '');
  assert.ok(out.every((x) => x.verdict !== 'match'));
  assert.ok(out[0].evidence.some((e) => e.feature === 'kernel-version' && e.weight < 0));
});

test('indicators: same named slab cache and poison add evidence; a different cache subtracts', () => {
  const idx = new MatchIndex();
  const base = dump({
    kind: 'double-free',
    headline: 'KASAN: double-free',
    stack: ['kfree', 'ext4_i_callback', 'rcu_do_batch', 'rcu_core'],
    state: ['ext4_i_callback', 'rcu_do_batch', 'rcu_core'],
    slabCaches: ['ext4_inode_cache'],
    poisons: ['POISON_FREE'],
  });
  idx.upsert(sig('ext4', deriveMatcher(base)));
  const again = dump({
    kind: 'double-free',
    headline: 'KASAN: double-free',
    stack: ['kfree', 'ext4_i_callback', 'rcu_do_batch', 'rcu_core'],
    state: ['ext4_i_callback', 'rcu_do_batch', 'rcu_core'],
    fingerprint: null,
    slabCaches: ['ext4_inode_cache'],
    poisons: ['POISON_FREE'],
  });
  const [m] = idx.match(again, '');
  assert.ok(m.evidence.some((e) => e.feature === 'slab-cache' && e.weight > 0));
  assert.ok(m.evidence.some((e) => e.feature === 'poison' && e.weight > 0));
  const other = dump({
    ...again,
    stack: again.frames.map((f) => f.function),
    slabCaches: ['dentry'],
  } as DumpSpec);
  const [m2] = idx.match(
    { ...other, fingerprint: null, reports: [{ ...other.reports[0], fingerprint: null }] },
    '',
  );
  assert.ok(m2.evidence.some((e) => e.feature === 'slab-cache' && e.weight < 0));
  assert.ok(m2.score < m.score);
});

test('a build constant in the poison table (the KASAN shadow base in a register) is no evidence', () => {
  const withShadowBase = (stack: string[]): ParsedDump =>
    dump({
      kind: 'null-deref',
      headline: 'BUG: unable to handle kernel NULL pointer dereference',
      stack,
      poisons: ['KASAN_SHADOW_OFFSET'],
    });
  const a = withShadowBase(['tun_chr_poll_wait', 'do_sys_poll', 'do_syscall_64']);
  const m = deriveMatcher(a);
  assert.equal(m.poisons, undefined, JSON.stringify(m));
  const idx = new MatchIndex();
  idx.upsert(sig('hand', { ...m, poisons: ['KASAN_SHADOW_OFFSET'] }));
  const [r] = idx.match(withShadowBase(['tun_chr_poll_wait', 'vfs_poll', 'do_select']), '');
  assert.ok(!r.evidence.some((e) => e.feature === 'poison'), JSON.stringify(r.evidence));
});

test('every report of the dump is matched; the match says which report', () => {
  const idx = new MatchIndex();
  idx.upsert(sig('uaf', deriveMatcher(uaf)));
  const first = dump({ kind: 'warning', headline: 'WARNING', stack: ['some_unrelated_warn', 'foo_bar_baz'] });
  const combined: ParsedDump = {
    ...first,
    reports: [first.reports[0], { ...uaf.reports[0], secondaryOf: null }],
  };
  const [m] = idx.match(combined, '');
  assert.equal(m.signatureId, 'uaf');
  assert.equal(m.reportIndex, 1);
});

test('evidence: weights sum to about the score and disagreement is negative', () => {
  const idx = new MatchIndex();
  idx.upsert(sig('uaf', { ...deriveMatcher(uaf), fingerprints: [], arch: 'arm64' }));
  const [m] = idx.match(uaf, '');
  const sum = m.evidence.reduce((a, e) => a + e.weight, 0);
  assert.ok(Math.abs(Math.min(1, Math.max(0, sum)) - m.score) < 0.01, `${sum} vs ${m.score}`);
  assert.ok(m.evidence.some((e) => e.feature === 'arch' && e.weight < 0));
  for (const e of m.evidence) assert.ok(e.feature.length > 0 && e.detail.length > 0);
});

test('stack alignment: order matters, top frames weigh more, truncation is tolerated', () => {
  const s = compileSignatureStack(['a_one', 'b_two', 'c_three', 'd_four', 'e_five']);
  const same = alignStacks(s, prepareDumpStack(frames(['a_one', 'b_two', 'c_three', 'd_four', 'e_five'])));
  assert.equal(same.similarity, 1);
  const reversed = alignStacks(
    s,
    prepareDumpStack(frames(['e_five', 'd_four', 'c_three', 'b_two', 'a_one'])),
  );
  assert.ok(reversed.similarity < 0.4, String(reversed.similarity));
  const noTop = alignStacks(s, prepareDumpStack(frames(['b_two', 'c_three', 'd_four', 'e_five'])));
  const noBottom = alignStacks(
    s,
    prepareDumpStack(frames(['a_one', 'b_two', 'c_three', 'd_four', 'x_other'])),
  );
  assert.ok(noTop.similarity < noBottom.similarity);
  const truncated = alignStacks(s, prepareDumpStack(frames(['a_one', 'b_two', 'c_three'])));
  assert.ok(truncated.truncated);
  assert.ok(truncated.similarity > 0.8, String(truncated.similarity));
  const otherOnTop = alignStacks(
    s,
    prepareDumpStack(frames(['z_new', 'y_new', 'a_one', 'b_two', 'c_three', 'd_four'])),
  );
  assert.ok(otherOnTop.similarity < 0.8 && otherOnTop.extraAbove.includes('z_new'));
});

test('thresholds are ordered', () => {
  assert.ok(THRESHOLDS.match.value > THRESHOLDS.similar.value);
});

test('frame tables: clones and syscall wrappers canonicalised; reporting, generic and specific told apart', () => {
  assert.equal(canonicalFrame('tcp_sendmsg_locked.isra.0'), 'tcp_sendmsg_locked');
  assert.equal(canonicalFrame('ext4_fill_super.cold'), 'ext4_fill_super');
  assert.equal(canonicalFrame('__x64_sys_ioctl'), 'ioctl');
  assert.equal(canonicalFrame('__se_sys_sendmsg'), 'sendmsg');
  assert.equal(canonicalFrame('dma_pool_alloc+0x1ab/0x2c0'), 'dma_pool_alloc');
  assert.equal(classifyFrame('kasan_report'), 'reporting');
  assert.equal(classifyFrame('____kasan_slab_free'), 'reporting');
  assert.equal(classifyFrame('asm_exc_page_fault'), 'reporting');
  for (const g of [
    'kfree',
    'memcpy',
    '__list_del_entry_valid',
    'refcount_warn_saturate',
    'kmem_cache_free',
    '__kmem_cache_free',
    'mutex_lock',
    // scheduler, entry and section-start markers: on every sleeping task's or irq's stack
    '__switch_to',
    '__switch_to_asm',
    'context_switch',
    'finish_task_switch',
    '__sched_text_start',
    '_stext',
    'irqentry_exit_to_user_mode',
  ]) {
    assert.equal(classifyFrame(g), 'generic', g);
  }
  for (const s of [
    'dma_pool_alloc',
    'ext4_i_callback',
    'nvmf_rdma_qpair_process_last_wqe_event',
    'l2cap_connect',
  ]) {
    assert.equal(classifyFrame(s), 'specific', s);
  }
});
