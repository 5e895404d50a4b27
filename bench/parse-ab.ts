// Two parsers timed against each other in one process: the same inputs, passes alternating
// (A B, then B A), the ratio B/A taken per pair. On a shared VM a single run of bench/parse
// moves by ±30% with the neighbours' load; within a pair both builds see the same load, so the
// median ratio shows a few per cent that separate runs cannot. Also checks that both give the
// same output on every input (a speed change must not change what is parsed).
// Build both checkouts (`npx tsc -p tsconfig.json` in each), then:
//   node dist/bench/parse-ab.js OTHER_CHECKOUT [THIS_CHECKOUT] [--corpora DIR] [--pairs N]
// A is OTHER_CHECKOUT (e.g. a `git worktree` of main), B this one; the inputs are the shared
// corpora (default ../shared/corpora, read there and never copied) and this checkout's fixtures.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { ParsedDump } from '../src/core/types';
import { FIXTURES_DIR, REPO_ROOT, SEED_DIR, textFilesUnder } from '../test/support/paths';
import { sharedCorpusTexts } from './corpus-texts';

type Parse = (text: string) => ParsedDump;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const positional = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (positional.length < 1) {
  console.error(
    'usage: node dist/bench/parse-ab.js OTHER_CHECKOUT [THIS_CHECKOUT] [--corpora DIR] [--pairs N]',
  );
  process.exit(2);
}
const load = (checkout: string): Parse => {
  const entry = join(resolve(checkout), 'dist', 'src', 'core', 'parse', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry}: build that checkout first (npx tsc -p tsconfig.json)`);
  return (createRequire(entry)(entry) as { parseDump: Parse }).parseDump;
};
const parseA = load(positional[0]);
const parseB = load(positional[1] ?? REPO_ROOT);
const corpora = option('--corpora', join(REPO_ROOT, '..', 'shared', 'corpora'));
const pairs = Number(option('--pairs', '40'));

const sets: [string, string[]][] = [
  [
    'fixtures and seed examples',
    [...textFilesUnder(FIXTURES_DIR), ...textFilesUnder(SEED_DIR)].map((f) => readFileSync(f, 'utf8')),
  ],
];
sets.push(...sharedCorpusTexts(corpora));

/** µs per input for one pass over the set. */
function pass(parse: Parse, inputs: readonly string[]): number {
  const t = process.hrtime.bigint();
  for (const s of inputs) parse(s);
  return Number(process.hrtime.bigint() - t) / 1e3 / inputs.length;
}

console.log('| inputs | count | differing outputs | A µs (min) | B µs (min) | B/A (median of pairs) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, inputs] of sets) {
  const differing = inputs.filter((s) => JSON.stringify(parseA(s)) !== JSON.stringify(parseB(s))).length;
  for (let i = 0; i < 20; i++) {
    pass(parseA, inputs);
    pass(parseB, inputs);
  }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first: the second of a pair runs on warmer caches.
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = pass(parseA, inputs);
      y = pass(parseB, inputs);
    } else {
      y = pass(parseB, inputs);
      x = pass(parseA, inputs);
    }
    a.push(x);
    b.push(y);
    ratios.push(y / x);
  }
  const sorted = (v: number[]) => [...v].sort((p, q) => p - q);
  const median = sorted(ratios)[ratios.length >> 1];
  console.log(
    `| ${name} | ${inputs.length} | ${differing} | ${sorted(a)[0].toFixed(0)} | ${sorted(b)[0].toFixed(0)} | ${median.toFixed(3)} |`,
  );
}
