// kill -9 under load on the embedded database: no shutdown hook runs, no CHECKPOINT; after a
// restart on the same directory every dump that was answered 201 is there, byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ADMIN_KEY, preparedDataDir } from '../support/app';
import { freePort, spawnService, waitHealthy } from '../support/process';

const usingServer = !!process.env.DATABASE_URL;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function dump(i: number): Buffer {
  const lines = [
    `BUG: KASAN: slab-use-after-free in kill9_release_${i % 5}+0x2a/0x80`,
    `Read of size 8 at addr ffff8881${(0x200000 + i).toString(16)}28 by task kworker/0:1/${2000 + i}`,
    'Call Trace:',
    ` kill9_release_${i % 5}+0x2a/0x80`,
    ` kill9_put+0x51/0x90`,
    ` kill9_worker_${i}+0x12/0x40`,
    `payload ${i} ${'y'.repeat(4000 + ((i * 997) % 20000))}`,
  ];
  // Every fifth dump carries bytes only content_bytes can hold.
  const tail = i % 5 === 0 ? Buffer.from([0, 0xff, 0xfe, 0]) : Buffer.alloc(0);
  return Buffer.concat([Buffer.from(lines.join('\n')), tail]);
}

describe(
  'kill -9 under load (embedded database)',
  { skip: usingServer ? 'embedded data directory only' : false },
  () => {
    test('every dump answered 201 before the kill is there after the restart', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'crashkb-kill9-'));
      const env = {
        CRASHKB_DATA_DIR: join(dir, 'data'),
        CRASHKB_ADMIN_KEY: ADMIN_KEY,
        CRASHKB_SEED: '0',
        DATABASE_URL: '',
      };
      try {
        await preparedDataDir(env.CRASHKB_DATA_DIR);
        let svc = spawnService(env, await freePort());
        await waitHealthy(svc);
        const agent = new Agent({ keepAlive: true, maxSockets: 8 });
        const acked = new Map<string, string>(); // id -> sha of the bytes sent
        let killed = false;
        let next = 0;
        const submit = (body: Buffer) =>
          new Promise<{ status: number; id?: string }>((resolve) => {
            const req = httpRequest(
              `${svc.baseUrl}/api/v1/dumps`,
              { method: 'POST', agent, headers: { ...auth, 'content-type': 'text/plain' } },
              (res) => {
                let text = '';
                res.on('data', (d) => (text += d));
                res.on('end', () => {
                  try {
                    resolve({ status: res.statusCode ?? 0, id: JSON.parse(text).id });
                  } catch {
                    resolve({ status: res.statusCode ?? 0 });
                  }
                });
                res.on('error', () => resolve({ status: 0 }));
              },
            );
            req.on('error', () => resolve({ status: 0 }));
            req.end(body);
          });
        const workers = Array.from({ length: 8 }, async () => {
          while (!killed) {
            const body = dump(next++);
            const r = await submit(body);
            if (r.status === 201 && r.id) acked.set(r.id, sha(body));
          }
        });
        // Kill in the middle of the stream, once a fair number have been acknowledged.
        while (acked.size < 60) await new Promise((r) => setTimeout(r, 50));
        svc.child.kill('SIGKILL');
        killed = true;
        await svc.exited;
        await Promise.all(workers);
        agent.destroy();
        assert.ok(acked.size >= 60);

        svc = spawnService(env, await freePort());
        await waitHealthy(svc);
        const missing: string[] = [];
        for (const [id, hash] of acked) {
          const r = await fetch(`${svc.baseUrl}/api/v1/dumps/${id}/raw`, { headers: auth });
          if (r.status !== 200) missing.push(`${id}: ${r.status}`);
          else if (sha(Buffer.from(await r.arrayBuffer())) !== hash) missing.push(`${id}: bytes differ`);
        }
        svc.child.kill('SIGTERM');
        await svc.exited;
        assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged dumps lost`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
