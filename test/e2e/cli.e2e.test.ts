import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../support/app';
import { kasanUseAfterFree } from '../support/dumps';
import { FIXTURES_DIR, REPO_ROOT } from '../support/paths';

const BIN = join(REPO_ROOT, 'bin', 'crashkb.js');

function crashkb(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

const dump = (variant: number) =>
  kasanUseAfterFree({
    frames: ['sctp_outq_tail', 'sctp_sendmsg_to_asoc', 'sctp_sendmsg'],
    freeFrames: ['sctp_association_free', 'sctp_cmd_interpreter'],
    allocFrames: ['sctp_association_new'],
    cache: 'kmalloc-512',
    size: 512,
    variant,
  });

describe('crashkb command line', () => {
  let t: TestApp;
  let url: string;
  let dir: string;
  before(async () => {
    t = await createTestApp();
    const server = await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'crashkb-cli-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('parse prints one ParsedDump JSON line per file, in order, and reads stdin for -', async () => {
    const mlx5 = join(FIXTURES_DIR, 'seeds', 'mlx5-dma-pool-uaf-crash-session.txt');
    const spdk = join(FIXTURES_DIR, 'seeds', 'spdk-nvmf-rdma-heap-use-after-free.txt');
    const r = await crashkb(['parse', mlx5, '-', spdk], {
      input: readFileSync(join(FIXTURES_DIR, 'seeds', 'ext4-inode-double-free-arm64-dmesg.txt'), 'utf8'),
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].title, 'BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc');
    assert.deepEqual(lines[0].indicators.slabCaches, ['kmalloc-128']);
    assert.ok(lines[0].indicators.poisonValues.some((p: { name: string }) => p.name === 'LIST_POISON1'));
    assert.equal(lines[1].environment.arch, 'arm64');
    assert.equal(lines[1].reports.length >= 2, true);
    assert.equal(
      lines[2].title,
      'AddressSanitizer: heap-use-after-free in nvmf_rdma_qpair_process_last_wqe_event',
    );
    const missing = await crashkb(['parse', join(dir, 'nope.txt')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ENOENT|no such file/i);
  });

  test('match and submit exit 0 for a known bug, 1 for an unknown one, 2 on error', async () => {
    const known = join(dir, 'known.txt');
    writeFileSync(known, dump(3));
    const env = { CRASHKB_URL: url, CRASHKB_KEY: 'test-admin-key-0123456789' };
    let r = await crashkb(['match', known], { env });
    assert.equal(r.code, 1, 'nothing is known yet');
    assert.deepEqual(JSON.parse(r.stdout).matches, []);
    await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({ content: dump(0) })
      .expect(201);
    r = await crashkb(['match', known], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).matches[0].verdict, 'match');
    r = await crashkb(['submit', known, '--url', url, '--key', 'test-admin-key-0123456789']);
    assert.equal(r.code, 0);
    assert.ok(JSON.parse(r.stdout).id);
    r = await crashkb(['match', known], { env: { ...env, CRASHKB_KEY: 'wrong' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /401/);
    r = await crashkb(['match', known, '--url', 'http://127.0.0.1:1']);
    assert.equal(r.code, 2);
  });

  test('kb export and kb import share a knowledge base; a second import changes nothing', async () => {
    const env = { CRASHKB_URL: url, CRASHKB_KEY: 'test-admin-key-0123456789' };
    const exported = await crashkb(['kb', 'export'], { env });
    assert.equal(exported.code, 0, exported.stderr);
    const bundle = JSON.parse(exported.stdout);
    assert.equal(bundle.version, 1);
    assert.equal(bundle.signatures.length, 1);
    const file = join(dir, 'kb.json');
    writeFileSync(file, exported.stdout);
    const other = await createTestApp();
    try {
      const server = await other.app.listen(0, '127.0.0.1');
      const otherEnv = {
        CRASHKB_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        CRASHKB_KEY: 'test-admin-key-0123456789',
      };
      const dry = await crashkb(['kb', 'import', file, '--dry-run'], { env: otherEnv });
      assert.equal(JSON.parse(dry.stdout).created, 1);
      assert.equal(
        (await other.http.get('/api/v1/signatures').set(other.admin)).body.total,
        0,
        'a dry run writes nothing',
      );
      const first = await crashkb(['kb', 'import', file], { env: otherEnv });
      assert.equal(JSON.parse(first.stdout).created, 1);
      const second = await crashkb(['kb', 'import', file], { env: otherEnv });
      const summary = JSON.parse(second.stdout);
      assert.equal(summary.created, 0);
      assert.equal(summary.updated, 0);
      assert.equal(summary.unchanged, 1);
    } finally {
      await other.close();
    }
  });
});
