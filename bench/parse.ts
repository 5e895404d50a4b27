// Parser benchmark: throughput on the fixture corpus (one core), median time for a ~10 KB
// report, peak memory for a 5 MiB input, a linearity check over 1..8 MiB, and, when the shared
// corpora are beside the checkout, the cost per input of the real reports there.
// Run: npm run build (or npx tsc -p tsconfig.json) then `node dist/bench/parse.js [corpora dir]`
// (default ../shared/corpora; the texts are read from there, never copied into the project).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDump } from '../src/core/parse/index';
import { sharedCorpusTexts } from './corpus-texts';

function findFixtures(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findFixtures(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}

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

const corpus = findFixtures(join(root(), 'test', 'fixtures')).map((f) => readFileSync(f, 'utf8'));
const corpusBytes = corpus.reduce((n, s) => n + Buffer.byteLength(s), 0);

for (let i = 0; i < 3; i++) for (const s of corpus) parseDump(s); // warm-up
let reports = 0;
const rounds = 30;
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) for (const s of corpus) reports += Math.max(1, parseDump(s).reports.length);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;

// A ~10 KB report: the biggest KASAN fixture padded with its own frames.
const kasan =
  corpus.filter((s) => s.includes('BUG: KASAN')).sort((a, b) => b.length - a.length)[0] ?? corpus[0];
let ten = kasan;
while (ten.length < 10_000)
  ten +=
    kasan
      .split('\n')
      .filter((l) => /\+0x/.test(l))
      .join('\n') + '\n';
const times: number[] = [];
for (let i = 0; i < 2000; i++) {
  const s = process.hrtime.bigint();
  parseDump(ten);
  times.push(Number(process.hrtime.bigint() - s) / 1e6);
}
times.sort((a, b) => a - b);

function input(mib: number): string {
  const chunk = corpus.join('\n');
  let s = '';
  while (s.length < mib * 1024 * 1024) s += chunk + '\n';
  return s.slice(0, mib * 1024 * 1024);
}
global.gc?.();
const five = input(5);
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
const s5 = process.hrtime.bigint();
parseDump(five);
const t5 = Number(process.hrtime.bigint() - s5) / 1e6;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);

const lin: [number, number][] = [];
for (const mib of [1, 2, 4, 8]) {
  const s = input(mib);
  parseDump(s);
  const st = process.hrtime.bigint();
  parseDump(s);
  lin.push([mib, Number(process.hrtime.bigint() - st) / 1e6]);
}

const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
console.log('| measure | value |');
console.log('| --- | --- |');
console.log(`| fixture corpus | ${corpus.length} files, ${(corpusBytes / 1024).toFixed(0)} KiB |`);
console.log(`| reports/s (one core) | ${Math.round(reports / secs)} |`);
console.log(`| MB/s (corpus) | ${((corpusBytes * rounds) / 1e6 / secs).toFixed(1)} |`);
console.log(
  `| ~10 KB report: median / p99 | ${times[times.length >> 1].toFixed(3)} ms / ${times[Math.floor(times.length * 0.99)].toFixed(3)} ms |`,
);
console.log(`| 5 MiB input: time | ${t5.toFixed(0)} ms |`);
console.log(`| 5 MiB input: peak RSS delta | ${mb(peak - rss0)} MiB |`);
for (const [m, t] of lin)
  console.log(`| linearity: ${m} MiB | ${t.toFixed(0)} ms (${(t / m).toFixed(0)} ms/MiB) |`);

// Cost per input as a service sees it: every input of a corpus once per pass, in turn (not one
// input repeated, which flatters caches), after warm-up passes; the median of 9 passes.
function perInput(inputs: readonly string[]): number {
  const pass = (): number => {
    const t = process.hrtime.bigint();
    for (const s of inputs) parseDump(s);
    return Number(process.hrtime.bigint() - t) / 1e3 / inputs.length;
  };
  for (let i = 0; i < 20; i++) pass();
  const runs = Array.from({ length: 9 }, pass).sort((a, b) => a - b);
  return runs[4];
}
const corporaDir = process.argv[2] ?? join(root(), '..', 'shared', 'corpora');
const realCorpora: [string, string[]][] = [['fixtures and seed examples', [...corpus, ...seedExamples()]]];
realCorpora.push(...sharedCorpusTexts(corporaDir));
console.log('');
console.log('| inputs | count | mean size | µs per input (median pass) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, inputs] of realCorpora) {
  const kib = inputs.reduce((n, x) => n + x.length, 0) / inputs.length / 1024;
  console.log(`| ${name} | ${inputs.length} | ${kib.toFixed(1)} KiB | ${perInput(inputs).toFixed(0)} |`);
}

function seedExamples(): string[] {
  const dir = join(root(), 'seed', 'signatures');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((k) => join(dir, k, 'example.txt'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'));
}
