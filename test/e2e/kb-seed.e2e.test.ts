import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { readSeed, SeedLoader } from '../../src/kb/seed.loader';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';
import { SEED_DIR } from '../support/paths';

const API = '/api/v1/signatures';

async function maxSeq(t: TestApp): Promise<string> {
  const rows: { m: string }[] = await t.app
    .get(DataSource)
    .query('SELECT max(change_seq)::text AS m FROM signatures');
  return rows[0].m;
}

async function total(t: TestApp): Promise<number> {
  return (await t.http.get(`${API}?limit=1`).set(t.admin).expect(200)).body.total;
}

describe('knowledge base with the seed: search ranking, idempotent seed, export/import round trip', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { CRASHKB_SEED: '1' } });
  });
  after(() => t.close());

  test('the seed is loaded: one signature per seed folder, each with a sourced fix', async () => {
    const n = await total(t);
    // Read now: seed folders are being added while this runs.
    const { signatures, skipped } = readSeed(join(SEED_DIR, 'signatures'));
    assert.deepEqual(skipped, [], 'every seed folder is well-formed');
    assert.equal(n, signatures.length, 'every seed folder loads');
    const exp = await t.http.get(`${API}/export`).set(t.admin).expect(200);
    assert.equal(exp.body.version, 1);
    assert.equal(exp.body.signatures.length, n);
    for (const s of exp.body.signatures) {
      assert.ok(
        s.fixes.some((f: { ref?: string; url?: string }) => f.ref || f.url),
        `${s.key} has a fix`,
      );
      assert.ok(s.matcher.frames.length > 0, `${s.key} has frames`);
      assert.equal(s.id, undefined, 'bundles carry no ids');
    }
  });

  for (const [q, key] of [
    ['dma_pool_alloc', 'linux-mlx5-dma-pool-uaf-on-reboot'],
    ['mlx5', 'linux-mlx5-dma-pool-uaf-on-reboot'],
    ['dma_pol_alloc', 'linux-mlx5-dma-pool-uaf-on-reboot'],
    ['mellanox reboot use after free', 'linux-mlx5-dma-pool-uaf-on-reboot'],
    ['ext4_i_callback', 'linux-ext4-inode-double-free-arm64'],
    ['ext4_i_calback', 'linux-ext4-inode-double-free-arm64'],
    ['nvmf_rdma_qpair_process_last_wqe_event', 'spdk-nvmf-rdma-qpair-last-wqe-uaf'],
    ['qdisc_graft', 'linux-net-sched-qdisc-graft-rcu-uaf'],
  ] as const) {
    test(`search '${q}' puts ${key} first`, async () => {
      const res = await t.http
        .get(`${API}?q=${encodeURIComponent(q)}`)
        .set(t.admin)
        .expect(200);
      assert.ok(res.body.items.length > 0, 'found something');
      assert.equal(
        res.body.items[0].key,
        key,
        res.body.items
          .slice(0, 3)
          .map((s: { key: string; score: number }) => `${s.key} ${s.score}`)
          .join(', '),
      );
      assert.equal(typeof res.body.items[0].score, 'number');
      assert.ok(res.body.items[0].fixes.length > 0);
    });
  }

  test('search for something absent finds nothing; filters combine with q', async () => {
    const none = await t.http
      .get(`${API}?q=${encodeURIComponent('xylophone_quartz_zzz')}`)
      .set(t.admin)
      .expect(200);
    assert.equal(none.body.total, 0);
    const withKind = await t.http.get(`${API}?q=dma_pool_alloc&kind=double-free`).set(t.admin).expect(200);
    assert.ok(withKind.body.items.every((s: { kind: string }) => s.kind === 'double-free'));
    const fn = await t.http.get(`${API}?function=dma_pool_alloc`).set(t.admin).expect(200);
    assert.ok(fn.body.items.some((s: { key: string }) => s.key === 'linux-mlx5-dma-pool-uaf-on-reboot'));
  });

  test('the mlx5 signature has its fixes and notes', async () => {
    const hit = (await t.http.get(`${API}?q=mlx5`).set(t.admin).expect(200)).body.items[0];
    const one = await t.http.get(`${API}/${hit.id}`).set(t.admin).expect(200);
    assert.ok(one.body.fixes.some((f: { ref: string }) => f.ref === '4cca96a8d9da'));
    assert.ok(one.body.notes.length > 0);
  });

  test('loading the seed again changes nothing (not even change_seq)', async () => {
    const before = await total(t);
    const seq = await maxSeq(t);
    const summary = await t.app.get(SeedLoader).load();
    assert.ok(summary);
    assert.equal(summary.created, 0);
    assert.equal(summary.updated, 0);
    assert.equal(summary.unchanged, before);
    assert.equal(await total(t), before);
    assert.equal(await maxSeq(t), seq);
  });

  test('a second instance starting on the same database with the seed adds nothing', async () => {
    const before = await total(t);
    const seq = await maxSeq(t);
    const second = await createTestApp({ databaseUrl: t.databaseUrl, env: { CRASHKB_SEED: '1' } });
    try {
      assert.equal(await total(second), before);
    } finally {
      await second.close();
    }
    assert.equal(await maxSeq(t), seq);
  });

  test('export → import into an empty instance reproduces the knowledge base; twice changes nothing', async () => {
    const bundle = (await t.http.get(`${API}/export`).set(t.admin).expect(200)).body;
    const empty = await createTestApp();
    try {
      const writer = await keyWithScopes(empty, 'read', 'write');
      const dry = await empty.http.post(`${API}/import?dryRun=true`).set(writer).send(bundle).expect(200);
      assert.deepEqual(
        { created: dry.body.created, updated: dry.body.updated, dryRun: dry.body.dryRun },
        { created: bundle.signatures.length, updated: 0, dryRun: true },
      );
      assert.equal(await total(empty), 0, 'a dry run writes nothing');
      const first = await empty.http.post(`${API}/import`).set(writer).send(bundle).expect(200);
      assert.equal(first.body.created, bundle.signatures.length);
      const seq = await maxSeq(empty);
      const second = await empty.http.post(`${API}/import`).set(writer).send(bundle).expect(200);
      assert.deepEqual(
        { created: second.body.created, updated: second.body.updated, unchanged: second.body.unchanged },
        { created: 0, updated: 0, unchanged: bundle.signatures.length },
      );
      assert.equal(await maxSeq(empty), seq, 'unchanged rows are not touched');
      const again = (await empty.http.get(`${API}/export`).set(writer).expect(200)).body;
      assert.deepEqual(again.signatures, bundle.signatures);

      // One changed signature: a dry run names it and writes nothing; the real import updates it.
      const changed = structuredClone(bundle);
      changed.signatures[0].summary += ' (amended)';
      changed.signatures[0].notes.push({ body: 'another note', author: 'someone' });
      const dry2 = await empty.http.post(`${API}/import?dryRun=true`).set(writer).send(changed).expect(200);
      assert.deepEqual(dry2.body.keys.updated, [changed.signatures[0].key]);
      assert.equal(await maxSeq(empty), seq);
      const real = await empty.http.post(`${API}/import`).set(writer).send(changed).expect(200);
      assert.equal(real.body.updated, 1);
      assert.equal(real.body.unchanged, bundle.signatures.length - 1);
      const after = (await empty.http.get(`${API}/export`).set(writer).expect(200)).body;
      assert.deepEqual(after.signatures[0], changed.signatures[0]);
    } finally {
      await empty.close();
    }
  });
});

describe('knowledge base: import validation and from-dump', () => {
  let t: TestApp;
  let writer: { authorization: string };
  before(async () => {
    t = await createTestApp();
    writer = await keyWithScopes(t, 'read', 'write');
  });
  after(() => t.close());

  test('a bundle of another version or shape is a 400 with the reason', async () => {
    const v2 = await t.http.post(`${API}/import`).set(writer).send({ version: 2, signatures: [] });
    assert.equal(v2.status, 400);
    assert.match(v2.body.detail, /version must be 1/);
    const bad = await t.http
      .post(`${API}/import`)
      .set(writer)
      .send({
        version: 1,
        signatures: [{ key: 'Not A Slug', title: 't', kind: 'nope', matcher: { frames: ['a'] } }],
      });
    assert.equal(bad.status, 400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes('signatures.0.key') && fields.includes('signatures.0.kind'), fields.join(','));
    const sig = { key: 'same-key', title: 't', kind: 'bug', matcher: { frames: ['a_fn'] } };
    const twice = await t.http
      .post(`${API}/import`)
      .set(writer)
      .send({ version: 1, signatures: [sig, sig] });
    assert.equal(twice.status, 400);
    assert.match(twice.body.detail, /more than once/);
    const noArray = await t.http.post(`${API}/import`).set(writer).send({ version: 1 });
    assert.equal(noArray.status, 400);
  });

  test('from-dump derives and stores a signature (JSON and text/plain); 400 when nothing is recognised', async () => {
    const dump = readFileSync(
      join(SEED_DIR, 'signatures', 'linux-mlx5-dma-pool-uaf-on-reboot', 'example.txt'),
      'utf8',
    );
    const res = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .send({
        content: dump,
        title: 'mlx5 dma_pool use-after-free on reboot',
        fixes: [{ kind: 'commit', ref: '4cca96a8d9da' }],
        notes: ['seen in the lab'],
        tags: ['mlx5'],
      });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.title, 'mlx5 dma_pool use-after-free on reboot');
    assert.ok(res.body.id && res.body.key);
    assert.notEqual(res.body.kind, 'unknown');
    assert.ok(res.body.matcher.frames.includes('dma_pool_alloc'), JSON.stringify(res.body.matcher));
    assert.equal(res.body.fixes[0].ref, '4cca96a8d9da');
    assert.equal(res.body.notes[0].body, 'seen in the lab');
    // The same dump again under the same title is the same key: 409, not a second copy.
    const again = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .send({ content: dump, title: 'mlx5 dma_pool use-after-free on reboot' });
    assert.equal(again.status, 409);

    const plain = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .set('content-type', 'text/plain')
      .send(dump);
    assert.equal(plain.status, 201, JSON.stringify(plain.body));
    assert.match(plain.body.title, /dma_pool_alloc/);

    const junk = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .set('content-type', 'text/plain')
      .send('hello world\nnothing to see here\n');
    assert.equal(junk.status, 400);
    assert.match(junk.body.detail, /no recognisable crash/);
    const badFields = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .send({ content: dump, fixes: [{ kind: 'x' }] });
    assert.equal(badFields.status, 400);
    assert.ok(badFields.body.errors.some((e: { field: string }) => e.field === 'fixes.0.kind'));
    const empty = await t.http.post(`${API}/from-dump`).set(writer).send({ content: '  ' });
    assert.equal(empty.status, 400);
  });

  test('from-dump: a titled report without frames gives a title- and kind-only signature that is shown, never claimed', async () => {
    const dump =
      '[  100.123456] unregister_netdevice: waiting for lo to become free. Usage count = 2\n' +
      '[  110.234567] unregister_netdevice: waiting for lo to become free. Usage count = 2\n';
    const res = await t.http
      .post(`${API}/from-dump`)
      .set(writer)
      .set('content-type', 'text/plain')
      .send(dump);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.title, /unregister_netdevice: waiting for/);
    assert.deepEqual(res.body.matcher.frames, []);
    assert.ok(res.body.matcher.headline, JSON.stringify(res.body.matcher));
    // The same message from another machine: found, weighed little, and said so.
    const other = dump.replace(/\blo\b/g, 'eth0').replace('100.123456', '7.000001');
    const m = await t.http.post('/api/v1/match').set(writer).set('content-type', 'text/plain').send(other);
    assert.equal(m.status, 200, JSON.stringify(m.body));
    const hit = m.body.matches.find((x: { signatureId: string }) => x.signatureId === res.body.id);
    assert.ok(hit, JSON.stringify(m.body.matches));
    assert.equal(hit.verdict, 'similar');
    assert.ok(
      hit.evidence.some((e: { feature: string; detail: string }) =>
        /title-only|headline only/.test(e.feature + e.detail),
      ),
      JSON.stringify(hit.evidence),
    );
  });
});
