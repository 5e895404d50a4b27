import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, ParsedDump } from '../../src/core/types';
import { derivable, deriveMatcher, signatureKey } from '../../src/core/signature';

function fr(names: string[]): Frame[] {
  return names.map((n) => ({ function: n.replace(/^\? /, ''), reliable: !n.startsWith('? '), module: null }));
}

function parsed(over: Partial<ParsedDump>): ParsedDump {
  const base: ParsedDump = {
    format: 'linux-kernel',
    title: 'KASAN: double-free in ext4_i_callback',
    kind: 'double-free',
    headline: 'KASAN: double-free',
    access: null,
    frames: fr([
      'dump_stack_lvl',
      'kasan_report_invalid_free',
      'kfree',
      'ext4_i_callback',
      'rcu_do_batch',
      '? _raw_spin_unlock',
      'rcu_core',
      '? stale_frame_xyz',
      'ext4_destroy_inode_helper',
      '__do_softirq',
      'irq_exit_rcu',
      'sysvec_apic_timer_interrupt',
      'fs_reclaim_thing',
      'kswapd_shrink_node',
      'kswapd',
      'kthread',
      'ret_from_fork',
    ]),
    guiltyFrame: 3,
    state: ['ext4_i_callback', 'rcu_do_batch', 'rcu_core'],
    indicators: {
      poisonValues: [
        {
          value: '0x6b6b6b6b6b6b6b6b',
          name: 'POISON_FREE',
          base: '0x6b',
          offset: 0,
          meaning: 'freed',
          where: 'register X1',
        },
      ],
      slabCaches: ['ext4_inode_cache', 'kmalloc-128'],
      objectSizes: [1080],
    },
    environment: { kernelVersion: '4.19.0', arch: 'arm64' },
    secondaryOf: null,
    notes: [],
    fingerprint: 'abc',
    reports: [],
  };
  return { ...base, ...over };
}

test('derive keeps the state first, then a few specific reliable callers', () => {
  const m = deriveMatcher(
    parsed({
      frames: fr([
        'dump_stack_lvl',
        'kasan_report_invalid_free',
        'kfree',
        'ext4_i_callback',
        'ext4_free_inode_parts',
        '? stale_frame_xyz',
        'ext4_destroy_inode_helper',
        'evict_inode_batch',
        'dispose_inode_list',
        'prune_inode_cache',
        'shrink_inode_slab',
        'kswapd_shrink_node',
        'kswapd',
        'kthread',
        'ret_from_fork',
      ]),
      state: ['ext4_i_callback', 'ext4_free_inode_parts', 'ext4_destroy_inode_helper'],
    }),
  );
  assert.deepEqual(m.frames.slice(0, 3), [
    'ext4_i_callback',
    'ext4_free_inode_parts',
    'ext4_destroy_inode_helper',
  ]);
  assert.ok(m.frames.includes('evict_inode_batch'));
  assert.ok(!m.frames.includes('stale_frame_xyz'), 'unreliable frames are not kept');
  assert.ok(!m.frames.includes('kthread') && !m.frames.includes('kfree'));
  assert.equal(m.frames.length, 6);
  assert.equal(m.guiltyFrame, 0);
  assert.equal(m.kind, 'double-free');
  assert.equal(m.headline, 'KASAN: double-free');
  assert.deepEqual(m.fingerprints, ['abc']);
});

test('derive stops where the caller path enters: below a softirq, RCU or interrupt entry is another context', () => {
  // The state runs into the RCU callback entry: what follows is the softirq and the task the
  // interrupt came in on (reclaim here), which the next occurrence will not share.
  const m = deriveMatcher(parsed({}));
  assert.deepEqual(m.frames, ['ext4_i_callback', 'rcu_do_batch', 'rcu_core']);
  // A timer callback whose state ends in the softirq entry, interrupting an unrelated task.
  const timer = deriveMatcher(
    parsed({
      title: 'general protection fault in tmr_expire_cb',
      kind: 'general-protection-fault',
      headline: 'general protection fault',
      frames: fr([
        'tmr_expire_cb',
        'call_timer_fn',
        '__run_timers',
        'run_timer_softirq',
        '__do_softirq',
        'irq_exit',
        'smp_apic_timer_interrupt',
        'apic_timer_interrupt',
        'copy_page_range',
        'copy_mm',
        'copy_process',
      ]),
      guiltyFrame: 0,
      state: ['tmr_expire_cb', 'call_timer_fn', '__run_timers'],
    }),
  );
  assert.deepEqual(timer.frames, ['tmr_expire_cb', 'call_timer_fn', '__run_timers']);
});

test('derive keeps specific indicators only', () => {
  const m = deriveMatcher(parsed({}));
  assert.deepEqual(m.slabCaches, ['ext4_inode_cache'], 'kmalloc-N is a size bucket, not a type');
  assert.deepEqual(m.poisons, ['POISON_FREE']);
  assert.equal(m.objectSizes, undefined, 'kernel object sizes vary by build');
  assert.equal(m.arch, undefined);
  assert.equal(m.kernelMin, undefined);
  const asan = deriveMatcher(
    parsed({ format: 'asan', indicators: { poisonValues: [], slabCaches: [], objectSizes: [328] } }),
  );
  assert.deepEqual(asan.objectSizes, [328]);
  assert.equal(asan.slabCaches, undefined);
});

test('derive takes a kernel module from the guilty frame', () => {
  const frames = fr(['dma_pool_alloc', 'mlx5_alloc_cmd_msg', 'mlx5_cmd_exec']);
  frames[1].module = 'mlx5_core';
  const m = deriveMatcher(
    parsed({
      frames,
      guiltyFrame: 1,
      state: ['mlx5_alloc_cmd_msg', 'mlx5_cmd_exec'],
      indicators: { poisonValues: [], slabCaches: [], objectSizes: [] },
    }),
  );
  assert.equal(m.module, 'mlx5_core');
  assert.deepEqual(m.frames, ['mlx5_alloc_cmd_msg', 'mlx5_cmd_exec']);
});

test('derive degrades: no state, unknown kind → top specific frames, no kind', () => {
  const m = deriveMatcher(parsed({ kind: 'unknown', state: [], guiltyFrame: null, fingerprint: null }));
  assert.equal(m.kind, null);
  assert.equal(m.frames[0], 'ext4_i_callback');
  assert.deepEqual(m.fingerprints, []);
  // No frames printed, but the title names one: it stands for the stack.
  const named = deriveMatcher(parsed({ frames: [], state: [], guiltyFrame: null }));
  assert.deepEqual(named.frames, ['ext4_i_callback']);
  assert.equal(named.guiltyFrame, 0);
  // Nothing but a title that names no frame: a title- and kind-only matcher.
  const empty = deriveMatcher(
    parsed({
      frames: [],
      state: [],
      guiltyFrame: null,
      title: 'KASAN: double-free in corrupted',
      corrupted: true,
    }),
  );
  assert.deepEqual(empty.frames, []);
  assert.equal(empty.guiltyFrame, null);
  assert.ok(empty.headline, JSON.stringify(empty));
  // Only a dump without any titled report gives nothing (from-dump answers 400 with this).
  assert.equal(derivable(parsed({ frames: [], state: [] })), null);
  assert.match(derivable(parsed({ title: null, reports: [] })) ?? '', /no recognisable crash report/);
});

test('signatureKey is a stable slug that tells equal titles of different bugs apart', () => {
  const m = deriveMatcher(parsed({}));
  const k = signatureKey('KASAN: double-free in ext4_i_callback', m);
  assert.match(k, /^kasan-double-free-in-ext4-i-callback-[0-9a-f]{8}$/);
  assert.equal(
    k,
    signatureKey('KASAN: double-free in ext4_i_callback', deriveMatcher(parsed({ fingerprint: 'other' }))),
  );
  assert.notEqual(k, signatureKey('KASAN: double-free in ext4_i_callback', { ...m, frames: ['other_fn'] }));
  assert.match(signatureKey('', { frames: [] }), /^signature-[0-9a-f]{8}$/);
});

test('derive falls back to the first report with a stack when the main one has none', () => {
  const withStack = parsed({});
  const main = parsed({ frames: [], state: [], guiltyFrame: null, fingerprint: null });
  const m = deriveMatcher({ ...main, reports: [main, { ...withStack, secondaryOf: 0 }] });
  assert.equal(m.frames[0], 'ext4_i_callback');
  assert.deepEqual(m.fingerprints, ['abc']);
});

test('derive keeps the main report when the only report with a stack is of another bug class', () => {
  // A stall whose detector tripped over a WARNING while printing: the WARNING has the stack,
  // the stall has only its titled function. The signature is the stall's.
  const stall = parsed({
    title: 'INFO: rcu detected stall in ipi_flush_range',
    kind: 'stall',
    headline: 'INFO: rcu detected stall',
    frames: [],
    guiltyFrame: null,
    state: ['ipi_flush_range'],
    fingerprint: 'stall-fp',
    indicators: { poisonValues: [], slabCaches: [], objectSizes: [] },
  });
  const warning = parsed({
    title: 'WARNING in sched_peek_task',
    kind: 'warning',
    headline: 'WARNING',
    frames: fr(['sched_peek_task', 'rcu_tick_check', 'update_process_times', 'ipi_flush_range_single']),
    guiltyFrame: 0,
    state: ['sched_peek_task', 'rcu_tick_check'],
    fingerprint: 'warn-fp',
    secondaryOf: null,
  });
  const m = deriveMatcher({ ...stall, reports: [stall, warning] });
  assert.equal(m.kind, 'stall');
  assert.deepEqual(m.frames, ['ipi_flush_range']);
  assert.deepEqual(m.fingerprints, ['stall-fp']);
});
