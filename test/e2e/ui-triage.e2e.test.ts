// The read-only routes the triage page uses: indicator tables and explanations, and a known
// bug's history (dumps per day, hosts, kernels, first and last seen), over the real stack.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/app';
import { REPO_ROOT } from '../support/paths';

const MLX5 = readFileSync(
  join(REPO_ROOT, 'seed/signatures/linux-mlx5-dma-pool-uaf-on-reboot/example.txt'),
  'utf8',
);

describe('triage routes', () => {
  let t: TestApp;
  let sigId: string;
  before(async () => {
    t = await createTestApp();
    const sig = await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({ content: MLX5, title: 'mlx5 dma_pool use-after-free' })
      .expect(201);
    sigId = sig.body.id;
  });
  after(async () => {
    await t?.close();
  });

  test('GET /indicators lists the parser tables with their meanings', async () => {
    const res = await t.http.get('/api/v1/indicators').set(t.admin).expect(200);
    const lp1 = res.body.pointerPoisons.find((p: { name: string }) => p.name === 'LIST_POISON1');
    assert.equal(lp1.value, '0xdead000000000100');
    assert.match(lp1.meaning, /list_del/);
    assert.ok(res.body.kasanShadow.some((s: { code: string }) => s.code === 'fb'));
    await t.http.get('/api/v1/indicators').expect(401);
  });

  test('POST /indicators/explain explains what /match found', async () => {
    const m = await t.http
      .post('/api/v1/match')
      .set(t.admin)
      .set('content-type', 'text/plain')
      .send(MLX5)
      .expect(200);
    const res = await t.http
      .post('/api/v1/indicators/explain')
      .set(t.admin)
      .send({ indicators: m.body.parsed.indicators, format: m.body.parsed.format })
      .expect(200);
    const lp1 = res.body.items.find((i: { label: string }) => i.label.startsWith('LIST_POISON1'));
    assert.equal(lp1.where, 'field dma_pool.pools.next');
    assert.match(lp1.conclusion, /freed or unlinked/);
  });

  test('bad explain bodies are 400s that name the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /indicators: expected an object/],
      [{ indicators: [] }, /indicators: expected an object/],
      [{ indicators: { poisonValues: 'x' } }, /indicators.poisonValues: expected an array/],
      [{ indicators: { poisonValues: [{ name: 'A' }] } }, /indicators.poisonValues\[0\].value/],
      [{ indicators: { shadowCodes: [{ code: 'zz' }] } }, /shadowCodes\[0\].code: expected two hex digits/],
      [{ indicators: { objectSizes: [1.5] } }, /objectSizes\[0\]: expected a whole number/],
      [{ indicators: { faultAddress: { value: '0x0', class: 'weird' } } }, /faultAddress.class/],
      [{ indicators: { slabCaches: new Array(300).fill('x') } }, /at most 256/],
    ];
    for (const [body, re] of cases) {
      const res = await t.http
        .post('/api/v1/indicators/explain')
        .set(t.admin)
        .send(body as object);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(res.body.detail, re);
    }
    const res = await t.http
      .post('/api/v1/indicators/explain')
      .set(t.admin)
      .set('content-type', 'text/plain')
      .send('hello');
    assert.equal(res.status, 400);
  });

  test('a signature history: counts, days, hosts, kernels, recent dumps', async () => {
    let res = await t.http.get(`/api/v1/signatures/${sigId}/history`).set(t.admin).expect(200);
    assert.equal(res.body.dumps, 0);
    assert.equal(res.body.firstSeenAt, null);
    const a = await t.http
      .post('/api/v1/dumps')
      .set(t.admin)
      .send({ content: MLX5, host: 'node-17' })
      .expect(201);
    assert.equal(a.body.signatureId, sigId);
    await t.http.post('/api/v1/dumps').set(t.admin).send({ content: MLX5, host: 'node-17' }).expect(200);
    await t.http
      .post('/api/v1/dumps')
      .set(t.admin)
      .send({ content: MLX5 + '\n', host: 'node-42' })
      .expect(201);
    res = await t.http.get(`/api/v1/signatures/${sigId}/history?days=30`).set(t.admin).expect(200);
    const h = res.body;
    assert.equal(h.dumps, 2);
    assert.equal(h.occurrences, 3);
    assert.equal(h.days, 30);
    assert.equal(h.daily.length, 1);
    assert.equal(h.daily[0].occurrences, 3);
    assert.equal(h.daily[0].day, new Date().toISOString().slice(0, 10));
    assert.deepEqual(
      h.hosts.map((x: { value: string; occurrences: number }) => [x.value, x.occurrences]),
      [
        ['node-17', 2],
        ['node-42', 1],
      ],
    );
    assert.equal(h.kernels[0].value, '3.10.0-1062.18.1.el7.x86_64');
    assert.equal(h.recent.length, 2);
    assert.ok(Date.parse(h.firstSeenAt) <= Date.parse(h.lastSeenAt));
  });

  test('history of a missing signature is 404, bad ids and days 400', async () => {
    await t.http
      .get('/api/v1/signatures/00000000-0000-4000-8000-000000000000/history')
      .set(t.admin)
      .expect(404);
    await t.http.get('/api/v1/signatures/not-a-uuid/history').set(t.admin).expect(400);
    const res = await t.http.get(`/api/v1/signatures/${sigId}/history?days=abc`).set(t.admin).expect(400);
    assert.ok(res.body.detail);
    await t.http.get(`/api/v1/signatures/${sigId}/history?days=0`).set(t.admin).expect(400);
  });

  test('random bodies, queries and cookies on the triage and session routes: never a 500', async () => {
    const check = (res: { status: number; body: { detail?: string } }, what: string) => {
      assert.ok(res.status < 500, `${what} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (res.status >= 400) assert.ok(res.body.detail, `${what}: a message`);
    };
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 30 }), async (junk, s) => {
        let res = await t.http
          .post('/api/v1/indicators/explain')
          .set(t.admin)
          .send({ indicators: junk, format: s } as object);
        check(res, `explain ${JSON.stringify(junk).slice(0, 80)}`);
        res = await t.http
          .post('/api/v1/indicators/explain')
          .set(t.admin)
          .send({ indicators: { poisonValues: [junk], shadowCodes: [junk], faultAddress: junk } } as object);
        check(res, `explain fields ${JSON.stringify(junk).slice(0, 80)}`);
        res = await t.http.get(`/api/v1/signatures/${sigId}/history`).query({ days: s }).set(t.admin);
        check(res, `history days=${s}`);
        res = await t.http.post('/api/v1/session').send({ key: junk } as object);
        check(res, `login ${JSON.stringify(junk).slice(0, 80)}`);
        res = await t.http
          .get('/api/v1/signatures')
          .set('cookie', `crashkb_session=${encodeURIComponent(s)}; x=${s}`);
        check(res, `cookie ${s}`);
      }),
      { numRuns: 60, seed: 13 },
    );
  });
});
