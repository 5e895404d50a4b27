// A stable identity for a bug: what kind it is and which frames identify it. Addresses,
// offsets, timestamps, pids, registers and the kernel build never enter the hash.
import { hash } from 'node:crypto';
import type { ParsedReport } from './types';

/**
 * Bump when a normalisation that feeds the hash changes, and add a changelog line.
 * 1: sha-256 over "crashkb-fp/1", kind, state frames (headline when state is empty).
 * 2: state skips `____kasan_*`, `check_region_inline` and the smp_processor_id() checker; a
 *    headline repeated for an inlined frame no longer splits a report; symbolised lockdep
 *    `at: foo file.c:N [inline]` lines name the lock site; stalls walk past `inet_recvmsg`-style
 *    protocol switches.
 * 3: kernel reports are named by syzbot's rules (rules/kernel-titles.ts): the state starts at the
 *    frame the title names (stall/hung-task extractors, per-family skips, syscall prefixes
 *    stripped), kinds follow the title families, truncated reports keep their headline's kind;
 *    user-space states are ClusterFuzz's (assertion/CHECK messages first, its ignore rows, template
 *    arguments kept) and kinds come from its crash types; runtime (Go/Rust/V8/Java/Python) reports.
 * 4: `Preemption disabled at:` is a stack section of its own (not the main stack), arm32
 *    `Backtrace: frame pointer underflow` opens the main stack, and a title line just above a
 *    report of its own kind (syzkaller's `BUG: memory leak` banner) names that report.
 * 5: old and non-x86 oopses keep their stacks (bench/oopses): arm32 headerless unwinder stacks,
 *    2.6.18 `:mod:func` frames, a titled headline claims the report its `Oops:`/`Internal error:`
 *    line opened, a WARN message after its `WARNING:` line stays in the report, `? ` frames of
 *    old kernels are read (from the function the headline names); raw kmemleak reports are named
 *    as syzbot names `BUG: memory leak`; states skip arm32 fault entry, kcov hooks, might_fault.
 * 6: a headline split by a newline inside its printk record (a task name) is read joined; x86_64
 *    kernels from 4.15 (ORC unwinder) no longer read all-`? ` stacks: such a report is corrupted.
 * 7: LKL stacks (`Linux Kernel Library Stack Trace:`, `#4 [<0x..>] func+0x..`) are read and
 *    section ends (`_etext+0x..`) skipped; libFuzzer's `INFO: Seed:` lines and Chromium's
 *    `:WARNING:file.cc(12)]` and `[INFO:CONSOLE(12)]` log lines are no kernel headlines; blanks
 *    at line ends are ignored; syslog headers with a priority (RFC 3164, RFC 5424) and a
 *    program's syslog/journal header (`host fuzzd[4242]: `) are envelope.
 */
export const FINGERPRINT_VERSION = 7;

export function computeFingerprint(report: Pick<ParsedReport, 'kind' | 'state' | 'headline'>): string | null {
  if (report.kind === 'unknown') return null;
  const parts = [`crashkb-fp/${FINGERPRINT_VERSION}`, report.kind];
  // Reports without frames (workqueue lockup, netdev refcount) are identified by their headline.
  if (report.state.length === 0) parts.push('headline:' + (report.headline ?? ''));
  else parts.push(...report.state);
  // One-shot hashing: a Hash object per report cost more than the hash itself.
  return hash('sha256', parts.join('\n'), 'hex');
}
