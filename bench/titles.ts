// Kernel report titles against syzbot's: reads the syzkaller dev corpus (real console logs with
// the titles syzbot gives them), parses each log and prints exact / headline / function /
// corrupted / kind agreement, and writes the mismatches to a file.
// Run: npx tsc -p tsconfig.json && node dist/bench/titles.js [corpora dir] [--floor 0.80] [--out file]
// The corpus is read from ../shared/corpora by default and never copied into the project.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDump } from '../src/core/parse/index';
import type { CrashKind } from '../src/core/types';

interface CorpusReport {
  name: string;
  text: string;
  title: string | null;
  alts: string[];
  corrupted: boolean;
  type: string | null;
  suppressed: boolean;
}

/**
 * syzkaller's crash type (pkg/report/crash) → the kinds of ours that describe it. A type is a
 * coarse bucket (`DoS` covers general protection faults, panics and double faults), so several
 * kinds are right for it; the title decides which one.
 */
const KINDS_OF_TYPE: Readonly<Record<string, readonly CrashKind[]>> = {
  HANG: ['hang', 'stall'],
  DoS: [
    'general-protection-fault',
    'bug',
    'panic',
    'null-deref',
    'bad-access',
    'stack-overflow',
    'stall',
    'hang',
  ],
  WARNING: ['warning'],
  LOCKDEP: ['deadlock', 'lock-bug'],
  LEAK: ['memory-leak'],
  ATOMIC_SLEEP: ['lock-bug', 'bug'],
  REFCOUNT_WARNING: ['warning', 'use-after-free', 'memory-leak'],
  BUG: ['bug'],
  UBSAN: ['undefined-behavior', 'out-of-bounds'],
  MEMORY_SAFETY_BUG: ['bad-access', 'list-corruption', 'null-deref', 'out-of-bounds', 'use-after-free'],
  'NULL-POINTER-DEREFERENCE': ['null-deref'],
  'KASAN-READ': ['out-of-bounds', 'bad-access'],
  'KASAN-WRITE': ['out-of-bounds', 'bad-access'],
  'KASAN-USE-AFTER-FREE-READ': ['use-after-free'],
  'KASAN-USE-AFTER-FREE-WRITE': ['use-after-free'],
  'KASAN-NULL-POINTER-DEREFERENCE-READ': ['null-deref'],
  'KASAN-NULL-POINTER-DEREFERENCE-WRITE': ['null-deref'],
  'KASAN-INVALID-FREE': ['invalid-free', 'double-free'],
  'KMSAN-UNINIT-VALUE': ['uninit-value'],
  'KMSAN-INFO-LEAK': ['uninit-value'],
  'KCSAN-DATARACE': ['data-race'],
  'KFENCE-MEMORY-CORRUPTION': ['slab-corruption'],
  'KFENCE-USE-AFTER-FREE-READ': ['use-after-free'],
  'KFENCE-WRITE': ['out-of-bounds', 'bad-access'],
  'KFENCE-READ': ['out-of-bounds', 'bad-access'],
  'KFENCE-INVALID-FREE': ['invalid-free'],
  SYZ_FAILURE: ['bug', 'panic', 'unknown'],
};

function splitTitle(t: string | null): { headline: string; fn: string } {
  if (!t) return { headline: '', fn: '' };
  const i = t.lastIndexOf(' in ');
  return i < 0 ? { headline: t, fn: '' } : { headline: t.slice(0, i), fn: t.slice(i + 4) };
}

function main(): void {
  const args = process.argv.slice(2);
  let dir = resolve(__dirname, '..', '..', '..', 'shared', 'corpora');
  let floor: number | null = null;
  let out = resolve(__dirname, '..', '..', '.cache', 'bench-titles-mismatches.txt');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--floor') floor = Number(args[++i]);
    else if (args[i] === '--out') out = resolve(args[++i]);
    else dir = resolve(args[i]);
  }
  const file = join(dir, 'syzkaller-linux-dev.json');
  if (!existsSync(file)) {
    console.error(`bench/titles: no corpus at ${file}`);
    process.exit(2);
  }
  const corpus = JSON.parse(readFileSync(file, 'utf8')) as { reports: CorpusReport[] };
  let n = 0;
  let exact = 0;
  let exactOrAlt = 0;
  let headline = 0;
  let fn = 0;
  let kindN = 0;
  let kindOk = 0;
  let corruptN = 0;
  let corruptOk = 0;
  let corruptFalse = 0;
  let noneN = 0;
  let noneOk = 0;
  const mismatches: string[] = [];
  const t0 = process.hrtime.bigint();
  for (const r of corpus.reports) {
    const parsed = parseDump(r.text);
    const got = parsed.title;
    if (r.title === null) {
      noneN++;
      if (got === null) noneOk++;
      continue;
    }
    n++;
    const e = splitTitle(r.title);
    const g = splitTitle(got);
    const ok = got === r.title;
    if (ok) exact++;
    if (ok || (got !== null && r.alts.includes(got))) exactOrAlt++;
    if (got !== null && g.headline === e.headline) headline++;
    if (got !== null && g.fn === e.fn) fn++;
    if (r.corrupted) {
      corruptN++;
      if (parsed.corrupted) corruptOk++;
    } else if (parsed.corrupted) corruptFalse++;
    const kinds = r.type ? KINDS_OF_TYPE[r.type] : undefined;
    if (kinds) {
      kindN++;
      if (kinds.includes(parsed.kind)) kindOk++;
    }
    if (!ok || r.corrupted !== Boolean(parsed.corrupted)) {
      mismatches.push(
        `${r.name}\n  want: ${r.title}${r.corrupted ? '  [corrupted]' : ''}\n  got:  ${got}${parsed.corrupted ? '  [corrupted]' : ''}  (${parsed.kind})`,
      );
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const pct = (a: number, b: number): string => (b === 0 ? '—' : ((100 * a) / b).toFixed(1) + '%');
  console.log(`syzkaller dev corpus: ${corpus.reports.length} logs, ${n} with a title (${ms.toFixed(0)} ms)`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| exact title | ${pct(exact, n)} (${exact}/${n}) |`);
  console.log(`| exact title or one of its alternatives | ${pct(exactOrAlt, n)} |`);
  console.log(`| headline (before " in ") | ${pct(headline, n)} |`);
  console.log(`| function (after " in ") | ${pct(fn, n)} |`);
  console.log(
    `| corrupted recognised | ${pct(corruptOk, corruptN)} (${corruptOk}/${corruptN}); wrongly corrupted ${corruptFalse} |`,
  );
  console.log(`| kind fits syzkaller's type | ${pct(kindOk, kindN)} (${kindOk}/${kindN}) |`);
  console.log(`| no crash where syzkaller finds none | ${pct(noneOk, noneN)} (${noneOk}/${noneN}) |`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, mismatches.join('\n') + '\n');
  console.log(`${mismatches.length} mismatches written to ${out}`);
  if (floor !== null && exact / n < floor) {
    console.error(`bench/titles: exact title ${(exact / n).toFixed(3)} is below the floor ${floor}`);
    process.exit(1);
  }
}

main();
