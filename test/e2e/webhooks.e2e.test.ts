import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signPayload } from '../../src/webhooks/webhook-signature';
import { WebhookWorker } from '../../src/webhooks/webhook-worker.service';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';
import { asanUseAfterFree, kasanUseAfterFree } from '../support/dumps';

const SECRET = 'fleet-secret-' + randomBytes(8).toString('hex');
const now = () => Math.floor(Date.now() / 1000);
const sign = (body: string, t = now(), secret = SECRET) => `t=${t},v1=${signPayload(secret, t, body)}`;

const dumpA = asanUseAfterFree({
  frames: ['widget_release', 'widget_pool_drain', 'main'],
  freeFrames: ['widget_destroy'],
  allocFrames: ['widget_new'],
  size: 16,
});
const dumpB = kasanUseAfterFree({
  frames: ['tipc_named_reinit', 'tipc_net_finalize', 'process_one_work'],
  freeFrames: ['tipc_exit_net'],
  allocFrames: ['tipc_init_net'],
  cache: 'kmalloc-64',
  size: 64,
});

describe('webhooks from crash collectors', () => {
  let t: TestApp;
  let reader: { authorization: string };
  const post = (body: string, headers: Record<string, string>, source = 'fleet') =>
    t.http.post(`/api/v1/webhooks/${source}`).set('content-type', 'application/json').set(headers).send(body);
  const waitFor = async (id: string, done: (s: string) => boolean) => {
    await t.app.get(WebhookWorker).drain();
    for (let i = 0; i < 40; i++) {
      const r = await t.http.get(`/api/v1/webhooks/deliveries/${id}`).set(reader).expect(200);
      if (done(r.body.status)) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`delivery ${id} never finished`);
  };

  before(async () => {
    t = await createTestApp({ env: { CRASHKB_WEBHOOK_SECRETS: `fleet:${SECRET}` } });
    reader = await keyWithScopes(t, 'read');
  });
  after(() => t.close());

  test('a signed delivery is stored, acknowledged 202, processed into dumps; a repeat is 200 and not processed twice', async () => {
    const body = JSON.stringify({
      dumps: [
        { content: dumpA, host: 'node-1', collectedAt: '2026-11-20T10:00:00Z', metadata: { rack: 7 } },
        { content: dumpB, host: 'node-2' },
      ],
    });
    const accepted = await post(body, {
      'x-crashkb-signature': sign(body),
      'x-crashkb-delivery': 'dlv-1',
    }).expect(202);
    assert.deepEqual(accepted.body, { deliveryId: 'dlv-1', status: 'queued' });
    const done = await waitFor('dlv-1', (s) => s === 'done');
    assert.equal(done.dumpIds.length, 2);
    assert.equal(done.attempts, 1);
    const again = await post(body, {
      'x-crashkb-signature': sign(body),
      'x-crashkb-delivery': 'dlv-1',
    }).expect(200);
    assert.deepEqual(again.body, { deliveryId: 'dlv-1', status: 'done' });
    await t.app.get(WebhookWorker).drain();
    const first = await t.http.get(`/api/v1/dumps/${done.dumpIds[0]}`).set(reader).expect(200);
    assert.equal(first.body.occurrences, 1, 'the repeated delivery was not processed again');
    assert.equal(first.body.host, 'node-1');
    assert.equal(first.body.source, 'webhook:fleet');
    assert.equal(new Date(first.body.collectedAt).toISOString(), '2026-11-20T10:00:00.000Z');
    assert.equal(first.body.metadata.rack, 7);
    assert.equal(first.body.parsed.title, 'AddressSanitizer: heap-use-after-free in widget_release');
  });

  test('a single {"content"} body and a text/plain body are accepted too', async () => {
    const body = JSON.stringify({ content: dumpB.replace(/tipc_net_finalize/g, 'tipc_net_finalize_work') });
    await post(body, { 'x-crashkb-signature': sign(body), 'x-crashkb-delivery': 'dlv-single' }).expect(202);
    const done = await waitFor('dlv-single', (s) => s === 'done');
    assert.equal(done.dumpIds.length, 1);
    const text =
      'BUG: KASAN: slab-use-after-free in foo_bar+0x1/0x2\nRead of size 8 at addr ffff888000000000 by task x/1\n';
    const res = await t.http
      .post('/api/v1/webhooks/fleet')
      .set('content-type', 'text/plain')
      .set({ 'x-crashkb-signature': sign(text), 'x-crashkb-delivery': 'dlv-text' })
      .send(text)
      .expect(202);
    assert.equal(res.body.status, 'queued');
    assert.equal((await waitFor('dlv-text', (s) => s === 'done')).dumpIds.length, 1);
  });

  test('forged, stale, unsigned, unknown-source and id-less deliveries are refused in the documented order', async () => {
    const body = JSON.stringify({ content: dumpA });
    let r = await post(body, {
      'x-crashkb-signature': sign(body, now(), 'not-the-secret'),
      'x-crashkb-delivery': 'x1',
    });
    assert.equal(r.status, 401);
    assert.match(r.body.detail, /does not match/);
    r = await post(body, { 'x-crashkb-delivery': 'x2' });
    assert.equal(r.status, 401);
    assert.match(r.body.detail, /missing X-Crashkb-Signature/);
    r = await post(body, { 'x-crashkb-signature': sign(body, now() - 301), 'x-crashkb-delivery': 'x3' });
    assert.equal(r.status, 401);
    assert.match(r.body.detail, /300 s/);
    r = await post(body + ' ', { 'x-crashkb-signature': sign(body), 'x-crashkb-delivery': 'x4' });
    assert.equal(r.status, 401, 'a body changed after signing');
    r = await post(body, { 'x-crashkb-signature': sign(body), 'x-crashkb-delivery': 'x5' }, 'nobody');
    assert.equal(r.status, 404);
    r = await post(body, { 'x-crashkb-signature': sign(body) });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /X-Crashkb-Delivery/);
    // A bad signature is refused before the body is even read: not-JSON with a wrong signature is 401, not 400.
    r = await post('{not json', { 'x-crashkb-signature': sign('{other', now()), 'x-crashkb-delivery': 'x6' });
    assert.equal(r.status, 401);
    for (const id of ['x1', 'x2', 'x3', 'x4', 'x6']) {
      await t.http.get(`/api/v1/webhooks/deliveries/${id}`).set(reader).expect(404);
    }
  });

  test('an unreadable payload is a 400 at once, kept as a failed delivery with the reason', async () => {
    const junk = '{"dumps": [{"content": 42}]}';
    const r = await post(junk, { 'x-crashkb-signature': sign(junk), 'x-crashkb-delivery': 'dlv-junk' });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /dumps\[0\]\.content/);
    const kept = await t.http.get('/api/v1/webhooks/deliveries/dlv-junk').set(reader).expect(200);
    assert.equal(kept.body.status, 'failed');
    assert.match(kept.body.error, /content: must be a string/);
  });

  test('a body over the limit is 413; deliveries need read scope; sources need admin', async () => {
    const big = JSON.stringify({ content: 'x'.repeat(6 * 1024 * 1024) });
    const r = await post(big, { 'x-crashkb-signature': sign(big), 'x-crashkb-delivery': 'dlv-big' });
    assert.equal(r.status, 413);
    await t.http.get('/api/v1/webhooks/deliveries/dlv-1').expect(401);
    await t.http
      .post('/api/v1/webhook-sources')
      .set(reader)
      .send({ name: 'x', secret: 'y'.repeat(16) })
      .expect(403);
  });

  test('an admin registers a source at run time; its deliveries verify with its secret', async () => {
    const secret = randomBytes(16).toString('hex');
    await t.http.post('/api/v1/webhook-sources').set(t.admin).send({ name: 'kdump-lab', secret }).expect(201);
    await t.http
      .post('/api/v1/webhook-sources')
      .set(t.admin)
      .send({ name: 'kdump-lab', secret: 'short' })
      .expect(400);
    const list = await t.http.get('/api/v1/webhook-sources').set(t.admin).expect(200);
    assert.ok(list.body.items.some((s: { name: string }) => s.name === 'kdump-lab'));
    assert.ok(!JSON.stringify(list.body).includes(secret), 'secrets are never listed');
    const body = JSON.stringify({ content: dumpA });
    await post(
      body,
      { 'x-crashkb-signature': sign(body, now(), secret), 'x-crashkb-delivery': 'lab-1' },
      'kdump-lab',
    ).expect(202);
    const done = await waitFor('lab-1', (s) => s === 'done');
    assert.equal(done.dumpIds.length, 1);
    await t.http.delete('/api/v1/webhook-sources/kdump-lab').set(t.admin).expect(204);
    await post(
      body,
      { 'x-crashkb-signature': sign(body, now(), secret), 'x-crashkb-delivery': 'lab-2' },
      'kdump-lab',
    ).expect(404);
  });
});
