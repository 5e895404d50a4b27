// Notifications out (API.md "Notifications out"), end to end: a real receiver on loopback,
// the real service (seed knowledge base), the real queue on the test database.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { NotifyWorker } from '../../src/notify/notify-worker.service';
import { isPrivateAddress } from '../../src/notify/url-guard';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';
import { kasanUseAfterFree } from '../support/dumps';
import { REPO_ROOT } from '../support/paths';

const SECRET = 'receiver-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Got {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { event: string; deliveryId: string; occurredAt: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  answered: number;
  at: number;
}

/** A local receiver: records every request; `answer` decides the status per request. */
class Receiver {
  got: Got[] = [];
  answer: (g: Omit<Got, 'answered' | 'at'>) => number = () => 204;
  private server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const g = { path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) };
      const status = this.answer(g);
      this.got.push({ ...g, answered: status, at: Date.now() });
      res.writeHead(status).end();
    });
  });
  url = '';
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }
  stop() {
    return new Promise((r) => this.server.close(r));
  }
  of(event: string, path?: string) {
    return this.got.filter((g) => g.json.event === event && (!path || g.path === path));
  }
}

function verified(g: Got, secret = SECRET): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(g.headers['x-crashkb-signature'] ?? ''));
  if (!m) return false;
  const ageOk = Math.abs(Date.now() / 1000 - Number(m[1])) < 60;
  return ageOk && createHmac('sha256', secret).update(`${m[1]}.${g.body}`).digest('hex') === m[2];
}

const mlx5Example = () => {
  const dir = readdirSync(join(REPO_ROOT, 'seed', 'signatures')).find((d) => /mlx5/.test(d))!;
  return readFileSync(join(REPO_ROOT, 'seed', 'signatures', dir, 'example.txt'), 'utf8');
};

const widgetBug = (variant: number) =>
  kasanUseAfterFree({
    frames: ['zz_widget_release', 'zz_widget_poll', 'zz_widget_work'],
    freeFrames: ['zz_widget_destroy'],
    allocFrames: ['zz_widget_new'],
    cache: 'kmalloc-192',
    size: 192,
    variant,
  });
const gadgetBug = (variant: number) =>
  kasanUseAfterFree({
    frames: ['qq_gadget_unlink', 'qq_gadget_timer', 'call_timer_fn'],
    freeFrames: ['qq_gadget_free'],
    allocFrames: ['qq_gadget_alloc'],
    cache: 'kmalloc-96',
    size: 96,
    variant,
  });

describe('notifications out', () => {
  let t: TestApp;
  let rx: Receiver;
  let submitter: { authorization: string };
  const drain = () => t.app.get(NotifyWorker).drain();
  const sql = (q: string, p: unknown[] = []) => t.app.get(DataSource).query(q, p);
  const submit = (content: string) =>
    t.http.post('/api/v1/dumps').set(submitter).set('content-type', 'text/plain').send(content);
  const subscribe = (path: string, events: string[], secret = SECRET) =>
    t.http
      .post('/api/v1/subscriptions')
      .set(t.admin)
      .send({ url: `${rx.url}${path}`, secret, events });

  before(async () => {
    rx = new Receiver();
    await rx.start();
    t = await createTestApp({
      env: { CRASHKB_SEED: '1', CRASHKB_ALLOW_PRIVATE_URLS: '1', CRASHKB_NOTIFY_COALESCE_SECONDS: '30' },
    });
    submitter = await keyWithScopes(t, 'submit', 'read');
  });
  after(async () => {
    await t.close();
    await rx.stop();
  });

  test('subscriptions: admin only, validated, listed without their secret', async () => {
    await t.http
      .post('/api/v1/subscriptions')
      .set(submitter)
      .send({ url: `${rx.url}/x`, secret: SECRET, events: ['dump.matched'] })
      .expect(403);
    let r = await t.http
      .post('/api/v1/subscriptions')
      .set(t.admin)
      .send({ url: `${rx.url}/x`, secret: SECRET, events: ['dump.seen'] });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /events/);
    r = await t.http
      .post('/api/v1/subscriptions')
      .set(t.admin)
      .send({ url: 'ftp://example.org/', secret: SECRET, events: ['dump.matched'] });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /http/);
    r = await t.http
      .post('/api/v1/subscriptions')
      .set(t.admin)
      .send({ url: `${rx.url}/x`, secret: 'short', events: ['dump.matched'] });
    assert.equal(r.status, 400);
    const created = await subscribe('/tmp', ['bucket.growing']).expect(201);
    assert.equal(created.body.status, 'active');
    assert.deepEqual(created.body.events, ['bucket.growing']);
    assert.equal(created.body.url, `${rx.url}/tmp`);
    assert.equal(JSON.stringify(created.body).includes(SECRET), false, 'the secret is never shown');
    const list = await t.http.get('/api/v1/subscriptions').set(t.admin).expect(200);
    assert.ok(list.body.items.some((s: { id: string }) => s.id === created.body.id));
    assert.equal(JSON.stringify(list.body).includes(SECRET), false);
    await t.http.get(`/api/v1/subscriptions/${created.body.id}`).set(t.admin).expect(200);
    await t.http.get('/api/v1/subscriptions/not-a-uuid').set(t.admin).expect(400);
    await t.http.delete(`/api/v1/subscriptions/${created.body.id}`).set(t.admin).expect(204);
    await t.http.get(`/api/v1/subscriptions/${created.body.id}`).set(t.admin).expect(404);
    await t.http.get(`/api/v1/subscriptions/${created.body.id}/deliveries`).set(t.admin).expect(404);
  });

  test('the mlx5 seed example brings a signed dump.matched naming the known bug and its fixes', async () => {
    const sub = await subscribe('/matched', ['dump.matched']).expect(201);
    const r = await submit(mlx5Example());
    assert.ok(r.status === 201 || r.status === 200, `status ${r.status}`);
    await drain();
    const [g, ...more] = rx.of('dump.matched', '/matched');
    assert.ok(g, 'a dump.matched arrived');
    assert.equal(more.length, 0, 'one dump, one notification');
    assert.ok(verified(g), 'X-Crashkb-Signature verifies with the subscription secret');
    assert.equal(verified(g, 'another-secret-0123456'), false);
    assert.equal(g.headers['x-crashkb-event'], 'dump.matched');
    assert.equal(g.headers['content-type'], 'application/json');
    assert.equal(g.headers['x-crashkb-delivery'], g.json.deliveryId);
    assert.ok(!Number.isNaN(Date.parse(g.json.occurredAt)));
    const d = g.json.data;
    assert.equal(d.dumpId, r.body.id);
    assert.equal(d.signature.key, 'linux-mlx5-dma-pool-uaf-on-reboot');
    assert.equal(
      d.signature.title,
      'BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc',
    );
    assert.equal(d.signature.status, 'open');
    assert.equal(d.signature.id, r.body.matches[0].signatureId);
    assert.ok(
      d.fixes.some((f: { kind: string; ref: string }) => f.kind === 'commit' && f.ref === '4cca96a8d9da'),
    );
    assert.equal(typeof d.score, 'number');
    assert.equal(d.score, r.body.matches[0].score);
    assert.equal(d.count, 1);
    const log = await t.http.get(`/api/v1/subscriptions/${sub.body.id}/deliveries`).set(t.admin).expect(200);
    assert.deepEqual(
      log.body.items.map((i: Record<string, unknown>) => [
        i.deliveryId,
        i.event,
        i.status,
        i.attempts,
        i.lastStatus,
      ]),
      [[g.json.deliveryId, 'dump.matched', 'delivered', 1, 204]],
    );
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });

  test('bucket.created for an unknown bug is retried with the same delivery id after a 500, and the bucket keeps its order', async () => {
    const sub = await subscribe('/buckets', ['bucket.created', 'bucket.growing']).expect(201);
    let failures = 0;
    rx.answer = (g) => (g.json.event === 'bucket.created' && failures++ === 0 ? 500 : 204);
    const first = await submit(gadgetBug(0)).expect(201);
    assert.equal(first.body.matches.filter((m: { verdict: string }) => m.verdict === 'match').length, 0);
    const t0 = Date.now();
    await drain();
    assert.equal(rx.of('bucket.created', '/buckets').length, 1);
    let log = await t.http.get(`/api/v1/subscriptions/${sub.body.id}/deliveries`).set(t.admin).expect(200);
    const created = log.body.items.find((i: { event: string }) => i.event === 'bucket.created');
    assert.equal(created.status, 'pending');
    assert.equal(created.attempts, 1);
    assert.equal(created.lastStatus, 500);
    assert.match(created.error, /500/);
    // Nine more of the same unknown bug: the bucket reaches 10 while bucket.created may still wait for its retry.
    for (let v = 1; v < 10; v++) await submit(gadgetBug(v)).expect(201);
    while (
      (rx.of('bucket.created', '/buckets').length < 2 || rx.of('bucket.growing', '/buckets').length < 1) &&
      Date.now() - t0 < 15000
    ) {
      await sleep(250);
      await drain();
    }
    const [a, b] = rx.of('bucket.created', '/buckets');
    assert.ok(b, 'retried');
    assert.ok(b.at - a.at < 5000, `the first retry within 5 s (${b.at - a.at} ms)`);
    assert.equal(a.answered, 500);
    assert.equal(b.answered, 204);
    assert.equal(
      b.headers['x-crashkb-delivery'],
      a.headers['x-crashkb-delivery'],
      'same delivery id on the retry',
    );
    assert.equal(b.body, a.body, 'the same notification');
    assert.ok(verified(a) && verified(b));
    assert.equal(a.json.data.bucketId, first.body.bucket.id);
    assert.equal(a.json.data.dumpId, first.body.id);
    assert.equal(a.json.data.fingerprint, first.body.parsed.fingerprint);
    assert.equal(a.json.data.title, first.body.parsed.title);
    const growing = rx.of('bucket.growing', '/buckets');
    assert.equal(growing.length, 1);
    assert.equal(growing[0].json.data.threshold, 10);
    assert.equal(growing[0].json.data.bucketId, first.body.bucket.id);
    assert.ok(rx.got.indexOf(growing[0]) > rx.got.indexOf(b), 'growing only after created was delivered');
    log = await t.http.get(`/api/v1/subscriptions/${sub.body.id}/deliveries`).set(t.admin).expect(200);
    assert.deepEqual(
      log.body.items.map((i: Record<string, unknown>) => [i.event, i.status, i.attempts]),
      [
        ['bucket.growing', 'delivered', 1],
        ['bucket.created', 'delivered', 2],
      ],
    );
    rx.answer = () => 204;
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });

  test('a burst of one known bug: the first at once, the rest of the window in one notification with its count', async () => {
    const sig = await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({
        content: widgetBug(0),
        title: 'zz widget use-after-free',
        fixes: [{ kind: 'commit', ref: 'feedc0ffee12' }],
      })
      .expect(201);
    const sub = await subscribe('/burst', ['dump.matched']).expect(201);
    const ids: string[] = [];
    for (let v = 1; v <= 25; v++) {
      const r = await submit(widgetBug(v)).expect(201);
      assert.equal(r.body.matches[0]?.signatureId, sig.body.id, `variant ${v} matches`);
      ids.push(r.body.id);
    }
    await drain();
    // The window (30 s here) is still open: only the first went out.
    let got = rx.of('dump.matched', '/burst');
    assert.equal(got.length, 1, 'only the first went out at once');
    assert.equal(got[0].json.data.dumpId, ids[0]);
    assert.equal(got[0].json.data.count, 1);
    const fastForward = (column: 'next_attempt_at' | 'window_ends_at') =>
      sql(
        `UPDATE notification_deliveries SET ${column} = now() - interval '1 second' WHERE subscription_id = $1`,
        [sub.body.id],
      );
    // The window closes (fast-forwarded rather than waited for): the rest go out as one.
    await fastForward('next_attempt_at');
    await drain();
    got = rx.of('dump.matched', '/burst');
    assert.equal(got.length, 2, 'the rest in one notification when the window closed');
    const rest = got[1].json.data;
    assert.equal(rest.count, 24, 'it says how many dumps it stands for');
    assert.equal(rest.coalesced, true);
    assert.equal(rest.dumpId, ids[24], 'the latest dump');
    assert.equal(rest.signature.id, sig.body.id);
    assert.equal(rest.fixes[0].ref, 'feedc0ffee12');
    assert.equal(rest.dumpIds.length, 20);
    assert.deepEqual(rest.dumpIds, ids.slice(1, 21));
    assert.ok(verified(got[1]));
    // Within the next window another dump waits for it; after a quiet window the next goes at once.
    await submit(widgetBug(26)).expect(201);
    await drain();
    assert.equal(rx.of('dump.matched', '/burst').length, 2, 'folded into the next window');
    await fastForward('window_ends_at');
    await fastForward('next_attempt_at');
    await drain();
    got = rx.of('dump.matched', '/burst');
    assert.equal(got.length, 3);
    assert.equal(got[2].json.data.count, 1);
    // A repeat of the same content is the bug seen again too, and a quiet window has passed.
    await fastForward('window_ends_at');
    await submit(widgetBug(3)).expect(200);
    await drain();
    got = rx.of('dump.matched', '/burst');
    assert.equal(got.length, 4, 'after a quiet window the next goes out at once');
    assert.equal(got[3].json.data.dumpId, ids[2]);
    assert.equal(got[3].json.data.coalesced, false);
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });

  test('signature.changed tells about a new fix', async () => {
    const sub = await subscribe('/sigs', ['signature.changed']).expect(201);
    const [{ id }] = await sql(`SELECT id FROM signatures WHERE key = 'linux-mlx5-dma-pool-uaf-on-reboot'`);
    await t.http
      .post(`/api/v1/signatures/${id}/fixes`)
      .set(t.admin)
      .send({ kind: 'patch', ref: 'mlx5e-refuse-after-detach', url: 'https://example.org/p' })
      .expect(201);
    await drain();
    const [g] = rx.of('signature.changed', '/sigs');
    assert.ok(g && verified(g));
    assert.equal(g.json.data.signature.key, 'linux-mlx5-dma-pool-uaf-on-reboot');
    assert.equal(g.json.data.change, 'updated');
    assert.ok(g.json.data.fixes.some((f: { ref: string }) => f.ref === 'mlx5e-refuse-after-detach'));
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });

  test('a subscription failing for a day is paused, its delivery given up; resume makes it active', async () => {
    const sub = await subscribe('/down', ['bucket.created']).expect(201);
    rx.answer = (g) => (g.path === '/down' ? 503 : 204);
    await sql(`UPDATE subscriptions SET failing_since = now() - interval '25 hours' WHERE id = $1`, [
      sub.body.id,
    ]);
    await submit(widgetBug(0).replace(/zz_widget/g, 'yy_sprocket')).expect(201);
    await drain();
    const s = await t.http.get(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(200);
    assert.equal(s.body.status, 'paused');
    assert.match(s.body.pausedReason, /503/);
    const log = await t.http.get(`/api/v1/subscriptions/${sub.body.id}/deliveries`).set(t.admin).expect(200);
    assert.equal(log.body.items[0].status, 'failed');
    assert.equal(log.body.items[0].lastStatus, 503);
    // Paused: nothing more is sent to it.
    const before = rx.of('bucket.created', '/down').length;
    await submit(widgetBug(0).replace(/zz_widget/g, 'xx_cog')).expect(201);
    await drain();
    assert.equal(rx.of('bucket.created', '/down').length, before);
    const resumed = await t.http.post(`/api/v1/subscriptions/${sub.body.id}/resume`).set(t.admin).expect(200);
    assert.equal(resumed.body.status, 'active');
    rx.answer = () => 204;
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });

  test('the subscription secret is stored encrypted: the table holds no plain text', async () => {
    const secret = 'plain-text-must-not-appear-' + Date.now();
    const sub = await subscribe('/enc', ['bucket.created'], secret).expect(201);
    const rows = await sql(`SELECT * FROM subscriptions WHERE id = $1`, [sub.body.id]);
    assert.equal(rows.length, 1);
    assert.equal(JSON.stringify(rows).includes(secret), false);
    assert.match(rows[0].secret_enc, /^enc:v1:/);
    await t.http.delete(`/api/v1/subscriptions/${sub.body.id}`).set(t.admin).expect(204);
  });
});

describe('private URLs without CRASHKB_ALLOW_PRIVATE_URLS', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('loopback, private and link-local URLs are refused with 400', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost:9/hook',
      'http://[::1]:9/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/hook',
    ]) {
      const r = await t.http
        .post('/api/v1/subscriptions')
        .set(t.admin)
        .send({ url, secret: SECRET, events: ['dump.matched'] });
      assert.equal(r.status, 400, url);
      assert.match(r.body.detail, /CRASHKB_ALLOW_PRIVATE_URLS/, url);
    }
    const list = await t.http.get('/api/v1/subscriptions').set(t.admin).expect(200);
    assert.equal(list.body.items.length, 0);
  });

  test('the address classifier', () => {
    for (const a of [
      '127.0.0.1',
      '::1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      'fe80::1',
      'fd00::1',
      '0.0.0.0',
      '::ffff:10.0.0.1',
      '100.64.0.1',
    ]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111']) {
      assert.equal(isPrivateAddress(a), false, a);
    }
  });
});
