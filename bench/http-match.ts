// End-to-end /match latency through the real service: HTTP, auth, body parsing, parseDump,
// the in-memory index and JSON out. Build: `npx tsc -p tsconfig.json`; run:
// `node dist/bench/http-match.js [--signatures 10000] [--requests 2000]`.
// The service runs in this process on the embedded database (memory://) with the seed plus
// N synthetic signatures (realistic frame vocabularies, bench/match-corpus.ts) bulk-inserted
// with SQL; the queries are the real fixture and seed dumps, sent one at a time (keep-alive),
// so the figure is what one bot sees on an otherwise idle service.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { MatchIndexService } from '../src/crash/match-index.service';
import { deriveMatcher } from '../src/core/signature';
import { FIXTURES_DIR, SEED_DIR } from '../test/support/paths';
import { FrameVocabulary, makeBug, makeReport, rng } from './match-corpus';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
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

async function main(): Promise<void> {
  const nSignatures = arg('--signatures', 10_000);
  const nRequests = arg('--requests', 2000);
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

  const dumps = [...walk(FIXTURES_DIR), ...walk(join(SEED_DIR, 'signatures'))].map((f) =>
    readFileSync(f, 'utf8'),
  );
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'text/plain' };
  let matched = 0;
  // Warm-up: JIT, connection, caches.
  for (let i = 0; i < 200; i++)
    await (await fetch(url, { method: 'POST', headers, body: dumps[i % dumps.length] })).text();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < nRequests; i++) {
    const body = dumps[i % dumps.length];
    const s = process.hrtime.bigint();
    const res = await fetch(url, { method: 'POST', headers, body });
    const json = (await res.json()) as { matches: { verdict: string }[] };
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (json.matches.some((m) => m.verdict === 'match')) matched++;
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const bytes = dumps.reduce((a, d) => a + d.length, 0) / dumps.length;
  console.log(`| signatures in the index | ${index.size} |`);
  console.log(`| setup (boot, seed, bulk insert, index build) | ${(setupMs / 1000).toFixed(1)} s |`);
  console.log(
    `| requests | ${nRequests} (${dumps.length} distinct dumps, mean ${(bytes / 1024).toFixed(1)} KiB) |`,
  );
  console.log(`| /match p50 | ${percentile(times, 0.5).toFixed(2)} ms |`);
  console.log(`| /match p90 | ${percentile(times, 0.9).toFixed(2)} ms |`);
  console.log(`| /match p99 | ${percentile(times, 0.99).toFixed(2)} ms |`);
  console.log(`| /match max | ${times[times.length - 1].toFixed(2)} ms |`);
  console.log(
    `| CPU per request (server + client) | ${((cpu.user + cpu.system) / 1000 / nRequests).toFixed(2)} ms |`,
  );
  console.log(`| requests with a confident match | ${((matched / nRequests) * 100).toFixed(1)}% |`);
  console.log(`| heap used after | ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB |`);
  await svc.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
