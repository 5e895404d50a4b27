// What bench/ingest.ts and bench/ingest-sql.ts share: the bodies, a concurrency pool, and
// CPU accounting from /proc.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../test/support/paths';

export function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}

/** Distinct dumps of 4–40 KB: a fixture, repeated to size, with a unique tag line. */
export function bodies(n: number, tag = 'bench'): Buffer[] {
  const sources = walk(FIXTURES_DIR).map((f) => readFileSync(f, 'utf8'));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const src = sources[i % sources.length];
    const size = 4096 + ((i * 7919) % (36 * 1024));
    let text = `[    0.000000] ${tag} dump ${i} ${randomBytes(6).toString('hex')}\n` + src;
    while (text.length < size) text += `\n[ ${i}.${text.length}] noise line ${text.length}\n` + src;
    out.push(Buffer.from(text.slice(0, size)));
  }
  return out;
}

/** Runs `work(i)` for i in 0..n-1 with `c` at a time; returns the wall time in ms. */
export async function pool(n: number, c: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return performance.now() - t0;
}

// CPU accounting from /proc (Linux): user + system time in ms.
const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

export function statTimes(pid: string): { self: number; children: number; comm: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14-17 of stat(5), counted from `state` (field 3) here
    return { self: (+f[11] + +f[12]) * TICK_MS, children: (+f[13] + +f[14]) * TICK_MS, comm };
  } catch {
    return null;
  }
}

/** CPU ms of every `postgres` process, with the exited backends their postmaster reaped. */
export function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const t = statTimes(pid);
    if (t?.comm === 'postgres') ms += t.self + t.children;
  }
  return ms;
}

export interface Cpu {
  service: number;
  postgres: number;
  client: number;
}

/** CPU ms spent by the service process (all its threads), PostgreSQL and this client. */
