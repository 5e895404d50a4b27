// Ingest throughput: stored-and-matched dumps per second through the real service process
// (HTTP, auth, parse, match, the upsert transaction), beside the raw single-row INSERT
// ceiling of the same bodies on the same database, measured in the same run.
// Build: `npx tsc -p tsconfig.json`; run:
//   node dist/bench/ingest.js [--db embedded|server|both] [--concurrency 16] [--requests 2000]
//                             [--warmup 32] [--log-level warn] [--profile DIR] [--perf DIR]
// `--profile DIR` runs the service under `node --cpu-prof` and writes its .cpuprofile to DIR
// (summarise it with `node dist/bench/cpuprofile.js DIR/*.cpuprofile`).
// Beside the rates it prints the CPU time each party spent per dump (from /proc): the service
// process, every `postgres` process on the machine (so other users of the server count too),
// and this client; that is where a 2-core machine's budget goes.
// `server` uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) and makes a
// scratch database that is dropped afterwards; `embedded` a temporary PGlite directory.
// Bodies: distinct 4–40 KB dumps made from the fixture files (a unique line and varied
// addresses each, so none is a repeat). Prints one table row per database and every status
// code seen (a 503 or a timeout is counted, never hidden).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedDatabase } from '../src/db/embedded';
import { freePort, spawnService, waitHealthy } from '../test/support/process';
import { bodies, pool, postgresCpuMs, statTimes, type Cpu } from './ingest-support';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const CONCURRENCY = Number(arg('--concurrency', '16'));
const REQUESTS = Number(arg('--requests', '2000'));
const WHICH = arg('--db', 'both');
/** Submissions before the measured run (distinct bodies, not counted): JIT, connections. */
const WARMUP = Number(arg('--warmup', '32'));
/** The service's LOG_LEVEL: `info` (its default) writes a JSON line per request. */
const LOG_LEVEL = arg('--log-level', 'warn');
const PROFILE_DIR = arg('--profile', '');
/** `--perf DIR`: `perf record` of the service's CPU (not wall) time during the measured run. */
const PERF_DIR = arg('--perf', '');
const SERVER_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const KEY = 'bench-admin-key-' + randomBytes(8).toString('hex');

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
}

function cpuNow(servicePid: number | undefined): Cpu {
  const u = process.cpuUsage();
  return {
    service: servicePid ? (statTimes(String(servicePid))?.self ?? 0) : 0,
    postgres: existsSync('/proc') ? postgresCpuMs() : 0,
    client: (u.user + u.system) / 1000,
  };
}

function cpuSince(before: Cpu, servicePid: number | undefined): Cpu {
  const now = cpuNow(servicePid);
  return {
    service: now.service - before.service,
    postgres: now.postgres - before.postgres,
    client: now.client - before.client,
  };
}

interface Ceiling {
  rate: number;
  cpu: Cpu;
  concurrency: number;
}

/** The ceiling: single-row INSERTs of the same bodies into a bare table, `c` connections. */
async function insertCeiling(url: string, data: Buffer[], c: number, embeddedPid?: number): Promise<Ceiling> {
  const db = new Pool({ connectionString: url, max: c });
  await db.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body text NOT NULL)');
  const before = cpuNow(embeddedPid);
  const ms = await pool(data.length, c, async (i) => {
    await db.query('INSERT INTO bench_raw (body) VALUES ($1)', [data[i].toString('utf8')]);
  });
  const cpu = cpuSince(before, embeddedPid);
  await db.query('DROP TABLE bench_raw');
  await db.end();
  return { rate: (data.length / ms) * 1000, cpu, concurrency: c };
}

interface Run {
  rate: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  cpu: Cpu;
  /** PostgreSQL only: transactions committed in the service's database per dump (polls too). */
  commitsPerDump?: number;
}

async function submitAll(baseUrl: string, data: Buffer[], c: number, servicePid?: number): Promise<Run> {
  const agent = new Agent({ keepAlive: true, maxSockets: c });
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  const before = cpuNow(servicePid);
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
  const cpu = cpuSince(before, servicePid);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return {
    rate: (data.length / ms) * 1000,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    statuses,
    cpu,
  };
}

function nodeArgs(): string[] {
  const args: string[] = [];
  if (PERF_DIR) args.push('--perf-basic-prof-only-functions');
  if (!PROFILE_DIR) return args;
  mkdirSync(PROFILE_DIR, { recursive: true });
  return [...args, '--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`];
}

/**
 * V8's profiler samples wall time: a thread that waits to run again after waking a
 * PostgreSQL backend (2 cores) shows that wait as self time of `writev`. perf samples CPU.
 */
function startPerf(pid: number | undefined, label: string): (() => Promise<void>) | null {
  if (!PERF_DIR || !pid) return null;
  mkdirSync(PERF_DIR, { recursive: true });
  const out = join(PERF_DIR, `perf-${label}-${pid}.data`);
  const perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '499', '-g', '-p', String(pid), '-o', out], {
    stdio: 'ignore',
  });
  console.log(`perf of pid ${pid}: perf report -i ${out} --no-children --sort dso,sym`);
  return () =>
    new Promise((resolve) => {
      perf.on('exit', () => resolve());
      perf.kill('SIGINT');
    });
}

/** A few submissions first: the first requests pay for JIT, the index, connections. */
async function warmUp(baseUrl: string): Promise<void> {
  if (WARMUP > 0) await submitAll(baseUrl, bodies(WARMUP, 'warm-up'), 8);
}

type Row = [string, Ceiling, Run];

/** The measured run; with --profile, says which part of the service's profile it is. */
async function measured(baseUrl: string, data: Buffer[], pid: number | undefined, spawnedAt: number) {
  const from = performance.now() - spawnedAt;
  const stopPerf = startPerf(pid, baseUrl.replace(/\W+/g, '-'));
  const run = await submitAll(baseUrl, data, CONCURRENCY, pid);
  await stopPerf?.();
  const to = performance.now() - spawnedAt;
  if (PROFILE_DIR)
    console.log(
      `profile of pid ${pid}: the measured run is ${from.toFixed(0)}-${to.toFixed(0)} ms after the spawn: node dist/bench/cpuprofile.js ${PROFILE_DIR}/CPU.*.${pid}.*.cpuprofile --from-ms ${from.toFixed(0)} --to-ms ${to.toFixed(0)}`,
    );
  return run;
}

/** Committed transactions of one database; backends report them at most once a second. */
async function committed(admin: Client, db: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 1500));
  const { rows } = await admin.query(
    'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = $1',
    [db],
  );
  return Number(rows[0].n);
}

async function benchServer(data: Buffer[]): Promise<Row> {
  const name = `crashkb_bench_${process.pid}`;
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  try {
    const ceiling = await insertCeiling(url.toString(), data, CONCURRENCY);
    const spawnedAt = performance.now();
    const svc = spawnService(
      { DATABASE_URL: url.toString(), CRASHKB_ADMIN_KEY: KEY, LOG_LEVEL },
      await freePort(),
      nodeArgs(),
    );
    try {
      await waitHealthy(svc);
      await warmUp(svc.baseUrl);
      const commits = () => committed(admin, name);
      const before = await commits();
      const run = await measured(svc.baseUrl, data, svc.child.pid, spawnedAt);
      run.commitsPerDump = ((await commits()) - before) / data.length;
      return ['PostgreSQL', ceiling, run];
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function benchEmbedded(data: Buffer[]): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'crashkb-bench-'));
  try {
    // The ceiling on its own PGlite (one backend, as the service's), same socket path, at the
    // bench's concurrency and at 2 connections (the service's pool): the higher one counts.
    const ceilings: Ceiling[] = [];
    for (const c of [...new Set([CONCURRENCY, 2])]) {
      const db = await startEmbeddedDatabase({
        dataDir: join(dir, `ceiling-${c}`),
        maxConnections: CONCURRENCY + 1,
      });
      try {
        ceilings.push(await insertCeiling(db.url, data, c));
      } finally {
        await db.stop();
      }
    }
    const ceiling = ceilings.reduce((a, b) => (b.rate > a.rate ? b : a));
    for (const c of ceilings)
      console.log(`embedded raw INSERT at concurrency ${c.concurrency}: ${c.rate.toFixed(0)}/s`);
    const spawnedAt = performance.now();
    const svc = spawnService(
      {
        DATABASE_URL: '',
        CRASHKB_DATA_DIR: join(dir, 'data'),
        CRASHKB_ADMIN_KEY: KEY,
        LOG_LEVEL,
      },
      await freePort(),
      nodeArgs(),
    );
    try {
      await waitHealthy(svc);
      await warmUp(svc.baseUrl);
      return ['embedded PGlite', ceiling, await measured(svc.baseUrl, data, svc.child.pid, spawnedAt)];
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const perDump = (ms: number, n: number) => (ms / n).toFixed(2);

async function main(): Promise<void> {
  const data = bodies(REQUESTS);
  const mb = data.reduce((n, b) => n + b.length, 0) / 1e6;
  console.log(
    `${REQUESTS} distinct dumps (${mb.toFixed(1)} MB), concurrency ${CONCURRENCY}, seed knowledge base; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows: Row[] = [];
  if (WHICH === 'server' || WHICH === 'both') rows.push(await benchServer(data));
  if (WHICH === 'embedded' || WHICH === 'both') rows.push(await benchEmbedded(data));
  console.log('| database | raw INSERT/s | stored+matched dumps/s | ratio | p50 ms | p99 ms | answers |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const [db, ceiling, r] of rows) {
    const answers = Object.entries(r.statuses)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    console.log(
      `| ${db} | ${ceiling.rate.toFixed(0)} | ${r.rate.toFixed(0)} | ${(r.rate / ceiling.rate).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${answers} |`,
    );
  }
  console.log('');
  console.log('CPU ms per dump (embedded: PGlite runs inside the process that holds it):');
  console.log('| database | phase | service / PGlite process | postgres processes | bench client |');
  console.log('|---|---|---:|---:|---:|');
  for (const [db, ceiling, r] of rows) {
    const emb = db.startsWith('embedded');
    const c = ceiling.cpu;
    console.log(
      emb
        ? `| ${db} | raw INSERT | ${perDump(c.client, REQUESTS)} (PGlite and the client: one process) | - | - |`
        : `| ${db} | raw INSERT | - | ${perDump(c.postgres, REQUESTS)} | ${perDump(c.client, REQUESTS)} |`,
    );
    console.log(
      `| ${db} | service | ${perDump(r.cpu.service, REQUESTS)} | ${emb ? '-' : perDump(r.cpu.postgres, REQUESTS)} | ${perDump(r.cpu.client, REQUESTS)} |`,
    );
  }
  for (const [db, , r] of rows)
    if (r.commitsPerDump !== undefined)
      console.log(
        `${db}: ${r.commitsPerDump.toFixed(3)} committed transactions per stored dump (background polls included)`,
      );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
