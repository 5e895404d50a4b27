// Corpus generator for bench/match.ts: makes recurrences of a bug the way they arrive in real
// life. Two levels:
// - text variants of real dumps (fixtures, seed examples): other addresses, offsets,
//   timestamps, pids, kernel versions, syslog/journal prefixes, dropped/added `?` frames,
//   truncation of the bottom of the trace, interleaved noise lines from other CPUs; these go
//   through the real parser;
// - synthetic bug families at the ParsedDump level, with a realistic kernel frame vocabulary,
//   including hard negatives (other bugs behind the same generic top frame, the same syscall
//   path, the same subsystem), so the rates are measured on more than a handful of bugs.
// Deterministic: every function takes a seeded random source.
import type { CrashKind, Frame, ParsedDump, ParsedReport } from '../src/core/types';
import { RELATED_KINDS } from '../src/core/match/score';

export type Rand = () => number;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const hex = (r: Rand, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};

// ---------------------------------------------------------------- ground truth for real dumps

/**
 * Which bug a real dump is, for scoring the benchmark: the crash site (guilty function) and
 * the family of its kind. Titles alone are not enough: the fixtures hold the same ext4 double
 * free as "BUG: Object already free in ext4_i_callback" (slub_debug) and as a NULL
 * dereference in the same callback (no debug), which is one bug, as the seed analysis says.
 */
export function realBugKey(parsed: ParsedReport): string {
  const site = parsed.state?.[0] ?? parsed.title?.split(' in ').pop() ?? parsed.title ?? '';
  const group = RELATED_KINDS.findIndex((row) => row.kinds.includes(parsed.kind));
  return `${group >= 0 ? `family${group}` : parsed.kind}|${site}`;
}

// ---------------------------------------------------------------- text variants

export type TextMutation =
  | 'addresses'
  | 'offsets'
  | 'timestamps'
  | 'pids'
  | 'kernel-version'
  | 'syslog-prefix'
  | 'journal-prefix'
  | 'drop-unreliable'
  | 'add-unreliable'
  | 'truncate-bottom'
  | 'noise-lines';

export const ALL_TEXT_MUTATIONS: readonly TextMutation[] = [
  'addresses',
  'offsets',
  'timestamps',
  'pids',
  'kernel-version',
  'syslog-prefix',
  'journal-prefix',
  'drop-unreliable',
  'add-unreliable',
  'truncate-bottom',
  'noise-lines',
];

const FRAME_LINE = /^(\s*(?:\[<[0-9a-f]+>\]\s*)?)(\? )?([A-Za-z_][\w.]*)\+0x[0-9a-f]+\/0x[0-9a-f]+/;
const NOISE = [
  'e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  'audit: type=1400 audit(1700000000.123:456): apparmor="DENIED" operation="open" profile="snap.lxd"',
  'IPv6: ADDRCONF(NETDEV_CHANGE): eth1: link becomes ready',
  'perf: interrupt took too long (2504 > 2500), lowering kernel.perf_event_max_sample_rate to 79750',
  'systemd-journald[412]: Data hash table of /var/log/journal/system.journal has a fill level at 75.0',
  'nfs: server fileserver not responding, still trying',
  'TCP: request_sock_TCP: Possible SYN flooding on port 8080. Sending cookies.',
  'EXT4-fs (sda1): re-mounted. Opts: errors=remount-ro',
];
const UNRELIABLE_NOISE = [
  '_raw_spin_unlock_irqrestore',
  'lock_release',
  'trace_hardirqs_on',
  'mark_held_locks',
  'preempt_count_add',
  '__wake_up',
];

/** Applies the named mutations to a dump's text. */
export function mutateText(text: string, mutations: readonly TextMutation[], r: Rand): string {
  let lines = text.replace(/\r/g, '').split('\n');
  const has = (m: TextMutation): boolean => mutations.includes(m);
  if (has('addresses')) {
    lines = lines.map((l) =>
      l
        .replace(/\b(ffff)([0-9a-f]{12})\b/g, (_m, a: string, b: string) => a + hex(r, b.length))
        .replace(/\b0x(ffff)([0-9a-f]{12})\b/g, (_m, a: string, b: string) => '0x' + a + hex(r, b.length))
        // user-space addresses (ASan pcs, heap, shadow rows): keep the high digits (the
        // mapping), vary the rest; poison-like values (dead..., repeated bytes) are kept.
        .replace(/\b0x([0-9a-f]{4})([0-9a-f]{4,8})\b/g, (m, a: string, b: string) =>
          /^dead|^(..)\1+$/.test(a + b) || a === 'ffff' ? m : '0x' + a + hex(r, b.length),
        ),
    );
  }
  if (has('offsets')) {
    lines = lines.map((l) =>
      l.replace(/\+0x([0-9a-f]+)\/0x([0-9a-f]+)/g, (_m, _o: string, size: string) => {
        const sz = parseInt(size, 16) + int(r, 0, 64);
        return `+0x${int(r, 1, sz - 1).toString(16)}/0x${sz.toString(16)}`;
      }),
    );
  }
  if (has('timestamps')) {
    const shift = r() * 50_000;
    lines = lines.map((l) =>
      l.replace(/^(\s*<\d>)?\[\s*(\d+\.\d+)\]/, (_m, lvl: string | undefined, t: string) => {
        const v = (parseFloat(t) + shift).toFixed(6);
        return `${lvl ?? ''}[${v.padStart(12)}]`;
      }),
    );
  }
  if (has('pids')) {
    const pid = String(int(r, 2, 4_000_000));
    lines = lines.map((l) =>
      l
        .replace(/\b(PID: |pid[: ]|pid=)(\d+)/g, (_m, p: string) => p + pid)
        .replace(/(by task \S+?\/)(\d+)/, `$1${pid}`)
        .replace(/^==\d+==/, `==${pid}==`),
    );
  }
  if (has('kernel-version')) {
    lines = lines.map((l) =>
      /Tainted|Not tainted|Linux version|RELEASE:|Kernel:/.test(l)
        ? l.replace(
            /\b(\d+)\.(\d+)\.(\d+)(-\d+)?/,
            (_m, a: string, b: string, c: string, d: string | undefined) => {
              const patch = Number(c) + int(r, 1, 9);
              return `${a}.${b}.${patch}${d ? '-' + (Number(d.slice(1)) + int(r, 1, 20)) : ''}`;
            },
          )
        : l,
    );
  }
  if (has('drop-unreliable'))
    lines = lines.filter((l) => !(FRAME_LINE.test(l) && /\? /.test(l) && r() < 0.7));
  if (has('add-unreliable')) {
    const out: string[] = [];
    for (const l of lines) {
      out.push(l);
      const m = FRAME_LINE.exec(l);
      if (m && r() < 0.25) out.push(`${m[1]}? ${pick(r, UNRELIABLE_NOISE)}+0x${hex(r, 2)}/0x${hex(r, 3)}`);
    }
    lines = out;
  }
  if (has('truncate-bottom')) {
    // Cut the first call trace after 60-80% of its frames, and everything after it: a console
    // that stopped mid-trace.
    const idx = lines.map((l, i) => (FRAME_LINE.test(l) ? i : -1)).filter((i) => i >= 0);
    if (idx.length >= 8) {
      let run = 1;
      while (run < idx.length && idx[run] - idx[run - 1] <= 2) run++;
      const keep = Math.max(4, Math.floor(run * (0.6 + 0.2 * r())));
      if (keep < run) lines = lines.slice(0, idx[keep]);
    }
  }
  if (has('noise-lines')) {
    const out: string[] = [];
    const stampOf = (l: string): string | null => /^(\s*\[\s*\d+\.\d+\])/.exec(l)?.[1] ?? null;
    for (const l of lines) {
      out.push(l);
      if (r() < 0.06) {
        const st = stampOf(l);
        out.push(`${st ? st + ' ' : ''}${pick(r, NOISE)}`);
      }
    }
    lines = out;
  }
  if (has('syslog-prefix')) {
    const host = pick(r, ['node-17', 'db-3', 'web01', 'ci-runner-9']);
    lines = lines.map((l, i) =>
      l.length ? `Nov 22 03:${String(10 + (i % 50)).padStart(2, '0')}:0${i % 10} ${host} kernel: ${l}` : l,
    );
  } else if (has('journal-prefix')) {
    // journalctl -k -o short-iso
    lines = lines.map((l, i) =>
      l.length
        ? `2026-11-22T03:${String(10 + (i % 50)).padStart(2, '0')}:0${i % 10}+0000 node-4 kernel: ${l}`
        : l,
    );
  }
  return lines.join('\n');
}

/** A random, plausible recurrence: most mutations, sometimes truncated, sometimes prefixed. */
export function randomRecurrence(text: string, r: Rand): { text: string; mutations: TextMutation[] } {
  const m: TextMutation[] = ['addresses', 'offsets', 'timestamps', 'pids'];
  if (r() < 0.5) m.push('kernel-version');
  if (r() < 0.4) m.push('drop-unreliable');
  if (r() < 0.4) m.push('add-unreliable');
  if (r() < 0.3) m.push('truncate-bottom');
  // Only kernel console text travels through syslog/journald; sanitizer reports go to stderr
  // and `crash>` sessions are pasted as they are.
  const alreadyPrefixed = / kernel: /.test(text.slice(0, 2000));
  const kernelLog =
    !alreadyPrefixed && !/^==\d+==|^crash> |^#\d+ +0x|^Thread \d+ .*received signal/m.test(text);
  // Interleaved lines from other CPUs are a console thing; a sanitizer report is written in one go.
  if (kernelLog && r() < 0.3) m.push('noise-lines');
  const p = r();
  if (kernelLog && p < 0.25) m.push('syslog-prefix');
  else if (kernelLog && p < 0.4) m.push('journal-prefix');
  return { text: mutateText(text, m, r), mutations: m };
}

// ---------------------------------------------------------------- synthetic vocabulary

const SUBSYSTEMS = [
  'ext4',
  'btrfs',
  'xfs',
  'f2fs',
  'nfs',
  'nfsd',
  'fuse',
  'ovl',
  'tcp',
  'udp',
  'ip6',
  'ipv4',
  'sctp',
  'netlink',
  'rtnl',
  'sk',
  'xfrm',
  'nf_tables',
  'tipc',
  'mlx5',
  'mlx5e',
  'nvme',
  'nvmet',
  'scsi',
  'sd',
  'usb',
  'hid',
  'drm',
  'i915',
  'amdgpu',
  'bpf',
  'io_uring',
  'kvm',
  'vhost',
  'virtio',
  'blk_mq',
  'dm',
  'md',
  'bt',
  'hci',
  'l2cap',
  'ieee80211',
  'cfg80211',
  'ath9k',
  'iwl',
  'snd',
  'v4l2',
  'tty',
  'n_gsm',
  'perf',
  'cgroup',
  'mm',
  'shmem',
  'hugetlb',
  'rdma',
  'ib',
  'smc',
  'rds',
  'can',
  'j1939',
  'nilfs',
  'jfs',
  'ntfs3',
  'gfs2',
  'ocfs2',
  'ceph',
  'cifs',
  'smb2',
  'erofs',
  'squashfs',
];
const VERBS = [
  'alloc',
  'free',
  'put',
  'get',
  'init',
  'destroy',
  'release',
  'open',
  'close',
  'read',
  'write',
  'xmit',
  'rcv',
  'poll',
  'handle',
  'submit',
  'complete',
  'update',
  'lookup',
  'insert',
  'remove',
  'flush',
  'sync',
  'ioctl',
  'setattr',
  'evict',
  'map',
  'unmap',
  'attach',
  'detach',
  'probe',
  'disconnect',
  'queue',
  'dequeue',
  'parse',
  'fill',
  'clone',
  'mount',
];
const OBJECTS = [
  'inode',
  'dentry',
  'page',
  'req',
  'qp',
  'cq',
  'sock',
  'msg',
  'buf',
  'ctx',
  'queue',
  'dev',
  'port',
  'entry',
  'node',
  'map',
  'prog',
  'skb',
  'frag',
  'extent',
  'block',
  'bio',
  'urb',
  'work',
  'timer',
  'chan',
  'conn',
  'session',
  'table',
  'rule',
  'chain',
  'flow',
  'state',
  'vma',
  'folio',
  'cmd',
  'event',
  'ring',
  'sqe',
  'cqe',
  'xattr',
  'acl',
  'super',
];
const GENERIC_TOPS = [
  'kfree',
  'memcpy',
  '__list_del_entry_valid',
  'refcount_warn_saturate',
  'kmem_cache_free',
  'memset',
  '__list_add_valid',
];
const GENERIC_MIDS = [
  'mutex_lock',
  '_raw_spin_lock_irqsave',
  'kmalloc_trace',
  '__kmalloc',
  'kref_put',
  'rcu_do_batch',
  'lock_acquire',
];
const SYSCALL_TAILS: readonly string[][] = [
  ['__x64_sys_ioctl', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
  ['__x64_sys_sendmsg', '__sys_sendmsg', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
  ['__x64_sys_write', 'ksys_write', 'vfs_write', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe'],
  [
    '__x64_sys_close',
    '__fput',
    'task_work_run',
    'exit_to_user_mode_prepare',
    'do_syscall_64',
    'entry_SYSCALL_64_after_hwframe',
  ],
  ['process_one_work', 'worker_thread', 'kthread', 'ret_from_fork'],
  ['rcu_core', '__do_softirq', 'irq_exit_rcu', 'sysvec_apic_timer_interrupt'],
  ['net_rx_action', '__do_softirq', 'do_softirq', '__local_bh_enable_ip'],
  ['invoke_syscall', 'el0_svc_common', 'do_el0_svc', 'el0_svc', 'el0t_64_sync_handler', 'el0t_64_sync'],
];
const REPORTING_TOPS: readonly string[][] = [
  ['dump_stack_lvl', 'print_report', 'kasan_report'],
  ['__warn', 'report_bug', 'handle_bug', 'exc_invalid_op', 'asm_exc_invalid_op'],
  ['page_fault_oops', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault'],
  [],
];

/** Zipf-like vocabulary: a few names very common (shared by many bugs), most rare. */
export class FrameVocabulary {
  readonly names: string[] = [];
  constructor(r: Rand, size = 40_000) {
    const seen = new Set<string>();
    while (this.names.length < size) {
      const n = `${pick(r, SUBSYSTEMS)}_${pick(r, VERBS)}_${pick(r, OBJECTS)}${r() < 0.2 ? '_' + pick(r, ['locked', 'rcu', 'work', 'cb', 'nowait', 'one', 'all']) : ''}`;
      if (!seen.has(n)) {
        seen.add(n);
        this.names.push(n);
      }
    }
  }
  /** Index drawn with a heavy head: ~10% of draws land in the first 100 names. */
  draw(r: Rand): string {
    const u = r();
    const i = Math.floor(Math.pow(u, 2.2) * this.names.length);
    return this.names[Math.min(i, this.names.length - 1)];
  }
  /** Names from one subsystem, to make a bug's stack coherent. */
  drawIn(r: Rand, prefix: string): string {
    for (let k = 0; k < 20; k++) {
      const n = this.draw(r);
      if (n.startsWith(prefix + '_')) return n;
    }
    return `${prefix}_${pick(r, VERBS)}_${pick(r, OBJECTS)}`;
  }
}

const KINDS: readonly { kind: CrashKind; headline: string; top: number }[] = [
  { kind: 'use-after-free', headline: 'KASAN: slab-use-after-free Read', top: 0 },
  { kind: 'use-after-free', headline: 'KASAN: slab-use-after-free Write', top: 0 },
  { kind: 'out-of-bounds', headline: 'KASAN: slab-out-of-bounds Read', top: 0 },
  { kind: 'double-free', headline: 'KASAN: double-free', top: 0 },
  { kind: 'null-deref', headline: 'BUG: unable to handle kernel NULL pointer dereference', top: 2 },
  { kind: 'general-protection-fault', headline: 'general protection fault', top: 3 },
  { kind: 'warning', headline: 'WARNING', top: 1 },
  { kind: 'warning', headline: 'WARNING: refcount bug', top: 1 },
  { kind: 'list-corruption', headline: 'BUG: corrupted list', top: 3 },
  { kind: 'bug', headline: 'kernel BUG', top: 1 },
  { kind: 'hang', headline: 'INFO: task hung', top: 3 },
];

/** One synthetic bug: its identifying frames and how its reports look. */
export interface SyntheticBug {
  id: string;
  kind: CrashKind;
  headline: string;
  reporting: string[];
  genericTop: string | null;
  /** Specific frames, innermost first: the bug. */
  core: string[];
  /** Caller paths the bug is reached through (one per report, chosen at random). */
  paths: string[][];
  slabCache: string | null;
  poison: string | null;
  /** Where the object is freed (use-after-free, double free), innermost first. */
  free: string[] | null;
}

export function makeBug(r: Rand, vocab: FrameVocabulary, id: string, base?: SyntheticBug): SyntheticBug {
  const k = pick(r, KINDS);
  const subsystem = pick(r, SUBSYSTEMS);
  const core = [vocab.drawIn(r, subsystem), vocab.drawIn(r, subsystem), vocab.draw(r)];
  if (r() < 0.6) core.push(vocab.drawIn(r, subsystem));
  const paths: string[][] = [];
  const nPaths = r() < 0.7 ? 1 : 2;
  for (let p = 0; p < nPaths; p++) {
    const mid = [vocab.draw(r), vocab.draw(r), vocab.draw(r)].slice(0, int(r, 1, 3));
    paths.push([...mid, ...pick(r, SYSCALL_TAILS)]);
  }
  const bug: SyntheticBug = {
    id,
    kind: k.kind,
    headline: k.headline,
    reporting: REPORTING_TOPS[k.top],
    genericTop: r() < 0.35 ? pick(r, GENERIC_TOPS) : null,
    core,
    paths,
    slabCache:
      r() < 0.3
        ? pick(r, [
            'kmalloc-64',
            'kmalloc-128',
            'kmalloc-1k',
            `${subsystem}_cache`,
            'skbuff_head_cache',
            'dentry',
            'filp',
          ])
        : null,
    poison: r() < 0.15 ? pick(r, ['LIST_POISON1', 'LIST_POISON2', 'POISON_FREE', 'SLUB_RED_ACTIVE']) : null,
    free:
      k.kind === 'use-after-free' || k.kind === 'double-free'
        ? [vocab.drawIn(r, subsystem), vocab.drawIn(r, subsystem), vocab.draw(r)]
        : null,
  };
  if (base) {
    // Hard negative: another bug that shares what unrelated bugs share in real life — the
    // generic top frame, the kind, the syscall path and the deepest frame of the core — but
    // whose identifying top frames differ.
    bug.kind = base.kind;
    bug.headline = base.headline;
    bug.reporting = base.reporting;
    bug.genericTop = base.genericTop ?? pick(r, GENERIC_TOPS);
    bug.paths = base.paths;
    bug.core = [core[0], core[1], ...base.core.slice(2)];
    bug.slabCache = base.slabCache;
    bug.poison = base.poison;
    // ...and, for memory bugs, the same free path: another use of the same freed object.
    bug.free = base.free;
  }
  return bug;
}

/** A report of a synthetic bug, varied the way a recurrence is. */
export function makeReport(bug: SyntheticBug, r: Rand, variant: number): ParsedDump {
  const frames: Frame[] = [];
  const push = (name: string, reliable = true, inlined = false): void => {
    frames.push({ function: name, reliable, inlined });
  };
  const noise = (): void => {
    if (r() < 0.25) push(pick(r, UNRELIABLE_NOISE), false);
  };
  for (const f of bug.reporting) push(f);
  noise();
  if (bug.genericTop) push(bug.genericTop);
  const path = pick(r, bug.paths);
  const core = [...bug.core];
  // Recurrence changes: an inlined helper shows up when symbolised; a deeper core frame is
  // inlined away in another build; sometimes a generic helper sits between.
  bug.core.forEach((f, i) => {
    if (i >= 2 && variant > 0 && r() < 0.15) return; // inlined away in this build
    push(f);
    if (variant > 0 && r() < 0.12) push(`${f}_inl`, true, true);
    if (r() < 0.1) push(pick(r, GENERIC_MIDS));
    noise();
  });
  void core;
  for (const f of path) {
    push(f);
    noise();
  }
  // truncation of the bottom
  let cut = frames.length;
  if (variant > 0 && r() < 0.25)
    cut = Math.max(bug.reporting.length + 3, Math.floor(frames.length * (0.5 + 0.3 * r())));
  const fr = frames.slice(0, cut);
  const specific = fr.filter(
    (f) => f.reliable && !bug.reporting.includes(f.function) && f.function !== bug.genericTop && !f.inlined,
  );
  const state = specific.slice(0, 3).map((f) => f.function);
  const guilty = fr.findIndex((f) => f.function === state[0]);
  const kind =
    variant > 0 && r() < 0.1 && bug.kind === 'use-after-free' ? 'general-protection-fault' : bug.kind;
  const headline = kind === bug.kind ? bug.headline : 'general protection fault';
  const report: ParsedReport = {
    format: 'linux-kernel',
    title: `${headline} in ${state[0]}`,
    kind,
    headline,
    access: null,
    frames: fr,
    guiltyFrame: guilty >= 0 ? guilty : null,
    state,
    indicators: {
      poisonValues:
        bug.poison && r() < 0.7
          ? [
              {
                value: '0xdead000000000100',
                name: bug.poison,
                base: '0xdead000000000100',
                offset: 0,
                meaning: '',
                where: 'register RAX',
              },
            ]
          : [],
      slabCaches: bug.slabCache && r() < 0.8 ? [bug.slabCache] : [],
      objectSizes: [],
    },
    environment: { kernelVersion: `6.${int(r, 1, 9)}.${int(r, 0, 80)}`, arch: 'x86_64' },
    secondaryOf: null,
    notes: [],
    fingerprint: `${kind}|${state.join('|')}`,
  };
  if (bug.free) {
    const free: Frame[] = [{ function: pick(r, ['kfree', 'kmem_cache_free']), reliable: true }];
    for (const f of bug.free) if (!(variant > 0 && r() < 0.1)) free.push({ function: f, reliable: true });
    for (const f of pick(r, SYSCALL_TAILS)) free.push({ function: f, reliable: true });
    report.freeStack = free;
  }
  return { ...report, reports: [report] };
}
