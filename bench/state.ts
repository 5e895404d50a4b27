// Crash-state benchmark: how often `parseDump` states a user-space report the way ClusterFuzz
// does, on ClusterFuzz's own stack-analyzer cases (the dev half in ../shared/corpora; the texts
// are read from there and never copied into the project).
//
// Run: npx tsc -p tsconfig.json && node dist/bench/state.js [corpus dir or file] [--floor 0.9]
//      [--mismatches FILE | --print-mismatches]
//
// How it compares, per case (the main report of parseDump):
// - state: our `state` lines joined with "\n" equal the expected lines joined exactly;
// - top frame: the first state line equals the expected first line;
// - kind: the expected ClusterFuzz crash type mapped to CRASH_KINDS by CRASH_TYPE_KINDS
//   (src/core/parse/userspace/crash-type-kinds.ts) contains our kind. A case whose expected
//   type is null (the upstream test checks the state only) is not scored for kind; an empty
//   expected type means "no crash is reported" and expects kind `unknown` and no state.
// Categories: native = asan msan tsan ubsan lsan kasan; the others are printed apart.
// --floor F exits 1 when native state agreement is below F (the CI step).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDump } from '../src/core/parse/index';
import { kindsOfCrashType } from '../src/core/parse/userspace/crash-type-kinds';

interface Case {
  test: string;
  file: string;
  category: string;
  text: string;
  expectedType: string | null;
  expectedState: string[];
  security?: boolean;
}

const NATIVE = ['asan', 'msan', 'tsan', 'ubsan', 'lsan', 'kasan'];

function root(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      statSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = join(dir, '..');
    }
  }
  return process.cwd();
}

function args(argv: string[]) {
  let corpus: string | null = null;
  let floor: number | null = null;
  let out: string | null = join(root(), '.cache', 'bench', 'state-mismatches.txt');
  let print = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--floor') floor = Number(argv[++i]);
    else if (a === '--mismatches') out = argv[++i] ?? out;
    else if (a === '--print-mismatches') print = true;
    else if (!a.startsWith('--')) corpus = a;
  }
  if (floor !== null && !(floor >= 0 && floor <= 1)) {
    console.error('--floor takes a fraction between 0 and 1');
    process.exit(2);
  }
  return { corpus: corpus ?? join(root(), '..', 'shared', 'corpora'), floor, out, print };
}

function loadCases(path: string): Case[] {
  const p = resolve(path);
  const file = statSync(p).isDirectory() ? join(p, 'clusterfuzz-dev.json') : p;
  const data = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
  return data.cases;
}

interface Tally {
  n: number;
  state: number;
  top: number;
  kindN: number;
  kind: number;
}
const empty = (): Tally => ({ n: 0, state: 0, top: 0, kindN: 0, kind: 0 });
const pct = (a: number, b: number) => (b === 0 ? '   —  ' : (a / b).toFixed(3).padStart(6));

function main(): void {
  const opt = args(process.argv.slice(2));
  const cases = loadCases(opt.corpus);
  const by = new Map<string, Tally>();
  const native = empty();
  const others = empty();
  const mismatches: string[] = [];
  const t0 = process.hrtime.bigint();
  for (const c of cases) {
    const parsed = parseDump(c.text);
    const ours = parsed.kind === 'unknown' ? [] : parsed.state;
    const stateOk = ours.join('\n') === c.expectedState.join('\n');
    const topOk = (ours[0] ?? '') === (c.expectedState[0] ?? '');
    let kindOk: boolean | null = null;
    if (c.expectedType !== null) {
      const want = c.expectedType === '' ? ['unknown'] : kindsOfCrashType(c.expectedType);
      kindOk = want.includes(parsed.kind);
    }
    const t = by.get(c.category) ?? empty();
    by.set(c.category, t);
    for (const x of [t, NATIVE.includes(c.category) ? native : others]) {
      x.n++;
      if (stateOk) x.state++;
      if (topOk) x.top++;
      if (kindOk !== null) {
        x.kindN++;
        if (kindOk) x.kind++;
      }
    }
    if (!stateOk || kindOk === false) {
      mismatches.push(
        [
          `${c.category} ${c.test} (${c.file})${stateOk ? '' : ' STATE'}${kindOk === false ? ' KIND' : ''}`,
          `  expected type ${JSON.stringify(c.expectedType)} → ${JSON.stringify(c.expectedType ? kindsOfCrashType(c.expectedType) : null)}; ours ${parsed.kind} (${parsed.format}: ${parsed.headline ?? ''})`,
          `  expected ${JSON.stringify(c.expectedState)}`,
          `  ours     ${JSON.stringify(ours)}`,
        ].join('\n'),
      );
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rows = [...by.entries()].sort(
    (a, b) => Number(!NATIVE.includes(a[0])) - Number(!NATIVE.includes(b[0])) || a[0].localeCompare(b[0]),
  );
  console.log(`ClusterFuzz crash state agreement (${cases.length} cases, ${ms.toFixed(0)} ms)`);
  console.log('| category | cases | state | top frame | kind |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, t] of rows)
    console.log(`| ${name} | ${t.n} | ${pct(t.state, t.n)} | ${pct(t.top, t.n)} | ${pct(t.kind, t.kindN)} |`);
  console.log(
    `| **native** | ${native.n} | ${pct(native.state, native.n)} | ${pct(native.top, native.n)} | ${pct(native.kind, native.kindN)} |`,
  );
  console.log(
    `| **others** | ${others.n} | ${pct(others.state, others.n)} | ${pct(others.top, others.n)} | ${pct(others.kind, others.kindN)} |`,
  );
  const text = mismatches.join('\n\n') + '\n';
  if (opt.print) console.log('\n' + text);
  else if (opt.out) {
    mkdirSync(dirname(opt.out), { recursive: true });
    writeFileSync(opt.out, text);
    console.log(`${mismatches.length} mismatches written to ${opt.out}`);
  }
  const nativeState = native.n === 0 ? 1 : native.state / native.n;
  if (opt.floor !== null && nativeState < opt.floor) {
    console.error(`native state agreement ${nativeState.toFixed(3)} is below the floor ${opt.floor}`);
    process.exit(1);
  }
}

main();
