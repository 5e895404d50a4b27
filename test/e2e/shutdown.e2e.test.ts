// Graceful shutdown of the real process: requests in flight when SIGTERM arrives — one still
// uploading, one being parsed on the worker pool, small ones inline — are all answered 201
// and are all there, byte for byte, after a restart on the same database.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ADMIN_KEY, createFreshDatabase, preparedDataDir } from '../support/app';
import { freePort, spawnService, waitHealthy, type ServiceProcess } from '../support/process';

const usingServer = !!process.env.DATABASE_URL;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

interface Answer {
  status: number;
  body: string;
}

/** A POST whose body is written in the given chunks, each after awaiting its `before`. */
function post(
  baseUrl: string,
  path: string,
  contentType: string,
  chunks: { data: Buffer; before?: () => Promise<void> }[],
  onBodySent?: () => void,
): Promise<Answer> {
  const url = new URL(path, baseUrl);
  const length = chunks.reduce((n, c) => n + c.data.length, 0);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...auth, 'content-type': contentType, 'content-length': String(length) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // Headers go out at once: the server sees the request before its body.
    req.flushHeaders();
    req.on('finish', () => onBodySent?.());
    void (async () => {
      for (const c of chunks) {
        await c.before?.();
        await new Promise<void>((r) => (req.write(c.data) ? r() : req.once('drain', () => r())));
      }
      req.end();
    })().catch(reject);
  });
}

/** A dump with many frame lines, so that parsing it on the worker pool takes a while. */
function bigDump(tag: string, bytes: number): string {
  const head = `BUG: KASAN: slab-use-after-free in ${tag}_free+0x1/0x2\nCall Trace:\n`;
  const lines: string[] = [head];
  let n = head.length;
  for (let i = 0; n < bytes; i++) {
    const line = ` ${tag}_frame_${i % 997}+0x${(i % 4096).toString(16)}/0x1000\n`;
    lines.push(line);
    n += line.length;
  }
  return lines.join('').slice(0, bytes);
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves once the service refuses new connections: shutdown has begun. */
async function refusing(baseUrl: string, timeoutMs = 120_000): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(Number(port), hostname);
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    if (refused) return;
    await sleep(50);
  }
  throw new Error(`still accepting connections ${timeoutMs} ms after SIGTERM`);
}

async function getJson(svc: ServiceProcess, path: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${svc.baseUrl}${path}`, { headers: auth });
  return { status: r.status, body: await r.json() };
}

describe('shutdown: SIGTERM drains the requests in flight', () => {
  test('an upload in progress, a parse on the worker pool and inline submissions are all answered 201 and kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crashkb-drain-'));
    const fresh = usingServer ? await createFreshDatabase() : null;
    const env = {
      CRASHKB_DATA_DIR: join(dir, 'data'),
      CRASHKB_ADMIN_KEY: ADMIN_KEY,
      CRASHKB_SEED: '0',
      DATABASE_URL: fresh?.url ?? '',
      // Each answered request is logged: a failure shows what the service did with it.
      LOG_LEVEL: 'info',
    };
    try {
      if (!usingServer) await preparedDataDir(env.CRASHKB_DATA_DIR);
      let svc = spawnService(env, await freePort());
      await waitHealthy(svc);

      // Parsed on the worker pool (over 256 KiB), fully sent before SIGTERM.
      const parsedOnPool = bigDump('pool', 3 * 1024 * 1024);
      // Still uploading when SIGTERM arrives: half now, the rest after the signal.
      const uploading = JSON.stringify({ content: bigDump('upload', 2 * 1024 * 1024), host: 'node-1' });
      const small = Array.from({ length: 6 }, (_, i) => bigDump(`inline${i}`, 4000));

      let stoppedAccepting!: () => void;
      const refusingNow = new Promise<void>((r) => (stoppedAccepting = r));
      let bodySent!: () => void;
      const poolBodySent = new Promise<void>((r) => (bodySent = r));

      const upBuf = Buffer.from(uploading);
      const half = Math.floor(upBuf.length / 2);
      const answers = [
        post(svc.baseUrl, '/api/v1/dumps', 'text/plain', [{ data: Buffer.from(parsedOnPool) }], bodySent),
        post(svc.baseUrl, '/api/v1/dumps', 'application/json', [
          { data: upBuf.subarray(0, half) },
          { data: upBuf.subarray(half), before: () => refusingNow },
        ]),
        ...small.map((s) =>
          post(svc.baseUrl, '/api/v1/dumps', 'text/plain', [
            { data: Buffer.from(s), before: () => poolBodySent },
          ]),
        ),
      ];
      // Errors are kept, not thrown, until every request has been looked at (with the log).
      const settled = answers.map((a) => a.catch((err: Error) => err));
      await poolBodySent;
      await sleep(30);
      svc.child.kill('SIGTERM');
      // The service stops accepting while the upload is still half sent ...
      await refusing(svc.baseUrl);
      // ... so a request on a new connection is not served. (One on a connection kept alive
      // from before is served, with Connection: close: its client sent it to this process.)
      const late = await post(svc.baseUrl, '/api/v1/dumps', 'text/plain', [
        { data: Buffer.from('BUG: late\n') },
      ]).then(
        (r) => r.status,
        (err: NodeJS.ErrnoException) => err.code,
      );
      assert.equal(late, 'ECONNREFUSED', `a request on a new connection after SIGTERM: ${late}`);
      // ... and the rest of the upload is still read and answered.
      stoppedAccepting();

      const results = await Promise.all(
        settled.map(async (a, i) => {
          const r = await a;
          if (r instanceof Error) throw new Error(`request ${i}: ${r.message}\n${svc.output()}`);
          return r;
        }),
      );
      for (const [i, r] of results.entries()) {
        assert.equal(r.status, 201, `request ${i}: ${r.status} ${r.body.slice(0, 300)}\n${svc.output()}`);
      }
      assert.equal(await svc.exited, 0, svc.output());
      assert.doesNotMatch(svc.output(), /Terminating worker thread|cut off/);

      svc = spawnService(env, await freePort());
      await waitHealthy(svc);
      const expected = [parsedOnPool, JSON.parse(uploading).content as string, ...small];
      for (const [i, r] of results.entries()) {
        const { id } = JSON.parse(r.body) as { id: string };
        const stored = await getJson(svc, `/api/v1/dumps/${id}`);
        assert.equal(stored.status, 200);
        assert.equal(
          sha((stored.body as { content: string }).content),
          sha(expected[i]),
          `dump ${i} kept whole`,
        );
      }
      svc.child.kill('SIGTERM');
      assert.equal(await svc.exited, 0, svc.output());
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fresh?.drop();
    }
  });
});
