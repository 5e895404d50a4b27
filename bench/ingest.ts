// Ingest throughput: stored-and-matched dumps per second through the real service process
// (HTTP, auth, parse, match, the upsert transaction), beside the raw single-row INSERT
// ceiling of the same bodies on the same database, measured in the same run.
// Build: `npx tsc -p tsconfig.json`; run:
//   node dist/bench/ingest.js [--db embedded|server|both] [--concurrency 16] [--requests 2000]
// `server` uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and makes a
// scratch database that is dropped afterwards; `embedded` a temporary PGlite directory.
// Bodies: distinct 4–40 KB dumps made from the fixture files (a unique line and varied
// addresses each, so none is a repeat). Prints one table row per database and every status
// code seen (a 503 or a timeout is counted, never hidden).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { FIXTURES_DIR } from '../test/support/paths';
import { freePort, spawnService, waitHealthy } from '../test/support/process';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const CONCURRENCY = Number(arg('--concurrency', '16'));
const REQUESTS = Number(arg('--requests', '2000'));
const WHICH = arg('--db', 'both');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const KEY = 'bench-admin-key-' + randomBytes(8).toString('hex');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}

/** Distinct dumps of 4–40 KB: a fixture, repeated to size, with a unique tag line. */
function bodies(n: number): Buffer[] {
  const sources = walk(FIXTURES_DIR).map((f) => readFileSync(f, 'utf8'));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const src = sources[i % sources.length];
    const size = 4096 + ((i * 7919) % (36 * 1024));
    let text = `[    0.000000] bench dump ${i} ${randomBytes(6).toString('hex')}\n` + src;
    while (text.length < size) text += `\n[ ${i}.${text.length}] noise line ${text.length}\n` + src;
    out.push(Buffer.from(text.slice(0, size)));
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

/** Runs `work(i)` for i in 0..n-1 with `c` at a time; returns the wall time in ms. */
async function pool(n: number, c: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return performance.now() - t0;
}

/** The ceiling: single-row INSERTs of the same bodies into a bare table, `c` connections. */
async function insertCeiling(url: string, data: Buffer[], c: number): Promise<number> {
  const db = new Pool({ connectionString: url, max: c });
  await db.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)');
  const ms = await pool(data.length, c, async (i) => {
    await db.query('INSERT INTO bench_raw (body) VALUES ($1)', [data[i].toString('utf8')]);
  });
  await db.query('DROP TABLE bench_raw');
  await db.end();
  return (data.length / ms) * 1000;
}

interface Run {
  rate: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

async function submitAll(baseUrl: string, data: Buffer[], c: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: c });
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  const ms = await pool(data.length, c, async (i) => {
    const t0 = performance.now();
    const status = await new Promise<string>((resolve) => {
      const req = httpRequest(
        `${baseUrl}/api/v1/dumps`,
        {
          method: 'POST',
          agent,
          timeout: 30_000,
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'text/plain',
            'content-length': data[i].length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) =>
        resolve(e.message === 'timeout' ? 'timeout' : `error ${(e as NodeJS.ErrnoException).code}`),
      );
      req.end(data[i]);
    });
    lat.push(performance.now() - t0);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { rate: (data.length / ms) * 1000, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), statuses };
}

async function benchServer(data: Buffer[]): Promise<[string, number, Run]> {
  const name = `crashkb_bench_${process.pid}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  try {
    const ceiling = await insertCeiling(url.toString(), data, CONCURRENCY);
    const svc = spawnService(
      { DATABASE_URL: url.toString(), CRASHKB_ADMIN_KEY: KEY, LOG_LEVEL: 'warn' },
      await freePort(),
    );
    try {
      await waitHealthy(svc);
      return ['PostgreSQL', ceiling, await submitAll(svc.baseUrl, data, CONCURRENCY)];
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function benchEmbedded(data: Buffer[]): Promise<[string, number, Run]> {
  const dir = mkdtempSync(join(tmpdir(), 'crashkb-bench-'));
  try {
    // The ceiling on its own PGlite (one backend, as the service's), same socket path.
    const db = await startEmbeddedDatabase({
      dataDir: join(dir, 'ceiling'),
      maxConnections: CONCURRENCY + 1,
    });
    let ceiling: number;
    try {
      ceiling = await insertCeiling(db.url, data, 2);
    } finally {
      await db.stop();
    }
    const svc = spawnService(
      { DATABASE_URL: '', CRASHKB_DATA_DIR: join(dir, 'data'), CRASHKB_ADMIN_KEY: KEY, LOG_LEVEL: 'warn' },
      await freePort(),
    );
    try {
      await waitHealthy(svc);
      return ['embedded PGlite', ceiling, await submitAll(svc.baseUrl, data, CONCURRENCY)];
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const data = bodies(REQUESTS);
  const mb = data.reduce((n, b) => n + b.length, 0) / 1e6;
  console.log(
    `${REQUESTS} distinct dumps (${mb.toFixed(1)} MB), concurrency ${CONCURRENCY}, seed knowledge base`,
  );
  const rows: [string, number, Run][] = [];
  if (WHICH === 'server' || WHICH === 'both') rows.push(await benchServer(data));
  if (WHICH === 'embedded' || WHICH === 'both') rows.push(await benchEmbedded(data));
  console.log('| database | raw INSERT/s | stored+matched dumps/s | ratio | p50 ms | p99 ms | answers |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const [db, ceiling, r] of rows) {
    const answers = Object.entries(r.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(
      `| ${db} | ${ceiling.toFixed(0)} | ${r.rate.toFixed(0)} | ${(r.rate / ceiling).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${answers} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
