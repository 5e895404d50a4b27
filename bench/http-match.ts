// End-to-end /match latency through the real service: HTTP, auth, body parsing, parseDump,
// the in-memory index and JSON out. Build: `npx tsc -p tsconfig.json`; run:
// `node dist/bench/http-match.js [--signatures 10000] [--requests 2000] [--warmup 2000] [--queries
// fixtures|syzkaller|clusterfuzz] [--corpora ../shared/corpora] [--client process|inline]`.
// The service runs in this process on the embedded database (memory://) with the seed plus
// N synthetic signatures (realistic frame vocabularies, bench/match-corpus.ts) bulk-inserted
// with SQL; the queries are the real fixture and seed dumps, sent one at a time (keep-alive),
// so the figure is what one bot sees on an otherwise idle service. The bot is a child process
// by default (`--client inline` runs it in the service's process): a client in the same V8
// heap adds its own allocations and garbage-collection pauses to the service's tail (undici's
// fetch in-process put /match p99 at 10.5 ms where a separate client measures 6–7 ms).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { MatchIndexService } from '../src/crash/match-index.service';
import { deriveMatcher } from '../src/core/signature';
import { FIXTURES_DIR, SEED_DIR, textFilesUnder } from '../test/support/paths';
import { FrameVocabulary, makeBug, makeReport, rng } from './match-corpus';
import { clusterfuzzTexts, syzkallerTexts } from './corpus-texts';

function stringArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

function arg(name: string, fallback: number): number {
  return Number(stringArg(name, String(fallback)));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function insertSynthetic(ds: DataSource, n: number): Promise<void> {
  const r = rng(42);
  const vocab = new FrameVocabulary(r);
  const BATCH = 500;
  for (let start = 0; start < n; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const bug = makeBug(r, vocab, `syn-${i}`);
      const matcher = deriveMatcher(makeReport(bug, r, 0));
      rows.push({
        key: `synthetic-${i}`,
        title: `${bug.headline} in ${bug.core[0]}`,
        kind: bug.kind,
        matcher,
      });
    }
    await ds.query(
      `INSERT INTO signatures (key, title, kind, matcher)
       SELECT key, title, kind, matcher FROM jsonb_to_recordset($1::jsonb) AS x(key text, title text, kind text, matcher jsonb)`,
      [JSON.stringify(rows)],
    );
  }
  await ds.query('ANALYZE signatures');
}

/** What the bot does: where it sends, with which key, how many requests, of which dumps. */
interface BotPlan {
  url: string;
  key: string;
  requests: number;
  /** Requests sent before the measured window (not counted). */
  warmup: number;
  queries: string;
  corpora: string;
}

interface ClientResult {
  times: number[];
  matched: number;
  dumps: number;
  meanBytes: number;
}

/**
 * The dumps sent: `fixtures` (our golden files and seed examples, the default), or the real
 * reports of a shared corpus (`syzkaller`, `clusterfuzz`: read from `--corpora`, never copied).
 */
function queryDumps(which: string, corpora: string): string[] {
  if (which === 'syzkaller') return syzkallerTexts(corpora);
  if (which === 'clusterfuzz') return clusterfuzzTexts(corpora);
  if (which !== 'fixtures') throw new Error('--queries is fixtures, syzkaller or clusterfuzz');
  return [...textFilesUnder(FIXTURES_DIR), ...textFilesUnder(join(SEED_DIR, 'signatures'))].map((f) =>
    readFileSync(f, 'utf8'),
  );
}

/** One POST on a kept-alive connection; resolves with the status and the body text. */
function post(url: string, agent: Agent, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The bot: warm-up, then `requests` dumps one at a time; `onStart` marks the measured window. */
async function runClient(plan: BotPlan, onStart: () => void): Promise<ClientResult> {
  const { url, key, requests } = plan;
  const dumps = queryDumps(plan.queries, plan.corpora);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'text/plain' };
  // Warm-up: the connection, caches and V8's optimising compiler. TurboFan needs about ten
  // passes over the ClusterFuzz cases before the parser runs at its steady speed (its largest
  // functions take 0.3 s each to compile on this machine, and compile again after a deopt);
  // measured before that, p50 includes the parser's warm-up, not its cost.
  for (let i = 0; i < plan.warmup; i++) await post(url, agent, headers, dumps[i % dumps.length]);
  onStart();
  const times: number[] = [];
  let matched = 0;
  for (let i = 0; i < requests; i++) {
    const s = process.hrtime.bigint();
    const res = await post(url, agent, headers, dumps[i % dumps.length]);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (res.status !== 200) throw new Error(`/match answered ${res.status}: ${res.text.slice(0, 200)}`);
    const json = JSON.parse(res.text) as { matches: { verdict: string }[] };
    if (json.matches.some((m) => m.verdict === 'match')) matched++;
  }
  agent.destroy();
  const meanBytes = dumps.reduce((a, d) => a + d.length, 0) / dumps.length;
  return { times, matched, dumps: dumps.length, meanBytes };
}

/** The bot in a child process: reports the window's start and its result over IPC. */
function runClientProcess(plan: BotPlan, onStart: () => void): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--client-of', JSON.stringify(plan)]);
    child.on('message', (m: { start?: true; result?: ClientResult; error?: string }) => {
      if (m.start) onStart();
      if (m.result) resolve(m.result);
      if (m.error) reject(new Error(m.error));
    });
    child.on('exit', (code) => code && reject(new Error(`client exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const nSignatures = arg('--signatures', 10_000);
  const nRequests = arg('--requests', 2000);
  const nWarmup = arg('--warmup', 2000);
  const clientMode = stringArg('--client', 'process');
  const queries = stringArg('--queries', 'fixtures');
  const corpora = stringArg('--corpora', join(__dirname, '..', '..', '..', 'shared', 'corpora'));
  if (clientMode !== 'process' && clientMode !== 'inline') throw new Error('--client is process or inline');
  const key = 'bench-admin-key-0123456789';
  const t0 = Date.now();
  const svc = await createApp({
    CRASHKB_DATA_DIR: 'memory://',
    CRASHKB_ADMIN_KEY: key,
    CRASHKB_SEED: '1',
    LOG_LEVEL: 'warn',
    CRASHKB_RATE_LIMIT: '0',
  });
  const ds = svc.app.get(DataSource);
  await insertSynthetic(ds, nSignatures);
  const index = svc.app.get(MatchIndexService);
  await index.refresh();
  const server = await svc.app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/match`;
  const setupMs = Date.now() - t0;
  const plan: BotPlan = { url, key, requests: nRequests, warmup: nWarmup, queries, corpora };

  let cpu0 = process.cpuUsage();
  const onStart = () => (cpu0 = process.cpuUsage());
  const result =
    clientMode === 'process' ? await runClientProcess(plan, onStart) : await runClient(plan, onStart);
  const cpu = process.cpuUsage(cpu0);
  const times = [...result.times].sort((a, b) => a - b);
  const who = clientMode === 'process' ? 'the service alone' : 'service + client';
  console.log(`| signatures in the index | ${index.size} |`);
  console.log(`| setup (boot, seed, bulk insert, index build) | ${(setupMs / 1000).toFixed(1)} s |`);
  console.log(
    `| requests | ${nRequests} after ${nWarmup} not counted (${result.dumps} distinct dumps, mean ${(result.meanBytes / 1024).toFixed(1)} KiB; client: ${clientMode}, ${queries}) |`,
  );
  console.log(`| /match p50 | ${percentile(times, 0.5).toFixed(2)} ms |`);
  console.log(`| /match p90 | ${percentile(times, 0.9).toFixed(2)} ms |`);
  console.log(`| /match p99 | ${percentile(times, 0.99).toFixed(2)} ms |`);
  console.log(`| /match max | ${times[times.length - 1].toFixed(2)} ms |`);
  console.log(`| CPU per request (${who}) | ${((cpu.user + cpu.system) / 1000 / nRequests).toFixed(2)} ms |`);
  console.log(`| requests with a confident match | ${((result.matched / nRequests) * 100).toFixed(1)}% |`);
  console.log(`| heap used after | ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB |`);
  await svc.close();
}

if (process.argv.includes('--client-of')) {
  const send = (m: object) => process.send?.(m);
  runClient(JSON.parse(stringArg('--client-of', '{}')) as BotPlan, () => send({ start: true }))
    .then((result) => send({ result }))
    .catch((err: unknown) => send({ error: String(err) }))
    .finally(() => process.disconnect?.());
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
