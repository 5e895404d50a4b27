// Collector formats in (README "Collector formats"): each adapter's documented example payload
// (docs/collectors/, the same files the README shows) delivered through a signed webhook of a
// source with that format becomes a dump matched to its known bug; a payload an adapter cannot
// read is kept and its delivery marked failed with the reason.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readPayload } from '../../src/webhooks/formats';
import { signPayload } from '../../src/webhooks/webhook-signature';
import { WebhookWorker } from '../../src/webhooks/webhook-worker.service';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';
import { REPO_ROOT } from '../support/paths';

const example = (name: string) => readFileSync(join(REPO_ROOT, 'docs', 'collectors', name), 'utf8');
const SECRET = 'collector-secret-' + randomBytes(6).toString('hex');

function multipart(
  fields: Record<string, string>,
  file: { name: string; filename: string; content: string },
) {
  const boundary = '----crashkb' + randomBytes(6).toString('hex');
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\n` +
      `Content-Type: text/plain\r\n\r\n${file.content}\r\n`,
  );
  return {
    body: parts.join('') + `--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** journalctl -o export of one entry: MESSAGE (multi-line) in the binary field encoding. */
function journalExport(entry: Record<string, string>): Buffer {
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(entry)) {
    if (v.includes('\n')) {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(Buffer.byteLength(v)));
      chunks.push(Buffer.from(`${k}\n`), len, Buffer.from(v), Buffer.from('\n'));
    } else chunks.push(Buffer.from(`${k}=${v}\n`));
  }
  chunks.push(Buffer.from('\n'));
  return Buffer.concat(chunks);
}

describe('collector formats', () => {
  let t: TestApp;
  let reader: { authorization: string };
  let n = 0;

  const deliver = (source: string, body: string | Buffer, contentType: string) => {
    const ts = Math.floor(Date.now() / 1000);
    const id = `col-${source}-${++n}`;
    return t.http
      .post(`/api/v1/webhooks/${source}`)
      .set('content-type', contentType)
      .set('x-crashkb-signature', `t=${ts},v1=${signPayload(SECRET, ts, body)}`)
      .set('x-crashkb-delivery', id)
      .send(body)
      .then((r) => ({ r, id }));
  };
  /** Delivers, waits for the queue, returns the stored dumps with their matches. */
  const deliverAndRead = async (source: string, body: string | Buffer, contentType: string) => {
    const { r, id } = await deliver(source, body, contentType);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    // The accepting request kicked the worker already: wait for that run to finish.
    let d = { body: { status: 'queued', dumpIds: [] as string[] } };
    for (let i = 0; i < 100 && (d.body.status === 'queued' || d.body.status === 'processing'); i++) {
      await t.app.get(WebhookWorker).drain();
      d = await t.http.get(`/api/v1/webhooks/deliveries/${id}`).set(reader).expect(200);
      if (d.body.status === 'processing') await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(d.body.status, 'done', JSON.stringify(d.body));
    return Promise.all(
      d.body.dumpIds.map((dumpId: string) =>
        t.http
          .get(`/api/v1/dumps/${dumpId}`)
          .set(reader)
          .expect(200)
          .then((x) => x.body),
      ),
    );
  };
  const known = (dump: { matches: { verdict: string; signatureId: string }[] }) =>
    dump.matches.find((m) => m.verdict === 'match')?.signatureId ?? null;
  const seedId = async (key: string) => {
    const r = await t.http.get(`/api/v1/signatures?q=${key}`).set(reader).expect(200);
    return r.body.items.find((s: { key: string }) => s.key === key)?.id;
  };

  before(async () => {
    t = await createTestApp({ env: { CRASHKB_SEED: '1' } });
    reader = await keyWithScopes(t, 'read');
    for (const format of ['ureport', 'kdump', 'systemd-coredump', 'sentry']) {
      const r = await t.http
        .post('/api/v1/webhook-sources')
        .set(t.admin)
        .send({ name: format, secret: SECRET, format })
        .expect(201);
      assert.equal(r.body.format, format);
    }
    // The user-space examples are one bug (mediasrv's rtp_packet_copy) seen by three collectors:
    // known from the uReport's backtrace.
    const core = readPayload('ureport', example('ureport-core.json'), 'application/json');
    assert.ok(core.ok);
    await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({ content: core.dumps[0].content, title: 'mediasrv: rtp_packet_copy overruns the jitter buffer' })
      .expect(201);
  });
  after(() => t.close());

  test('an unknown format is refused when the source is registered', async () => {
    const r = await t.http
      .post('/api/v1/webhook-sources')
      .set(t.admin)
      .send({ name: 'odd', secret: SECRET, format: 'crashpad' });
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /format must be one of generic, ureport, kdump, systemd-coredump, sentry/);
  });

  test('ABRT uReport, kernel oops: the nvmet-rdma seed bug', async () => {
    const [dump] = await deliverAndRead('ureport', example('ureport-kerneloops.json'), 'application/json');
    assert.equal(
      dump.parsed.title,
      'BUG: unable to handle kernel NULL pointer dereference in nvmet_rdma_error_comp',
    );
    assert.equal(known(dump), await seedId('linux-nvmet-rdma-error-comp-shared-cq-null-deref'));
    assert.equal(dump.metadata.kernelRelease, '4.18.0-304.el8.x86_64');
    assert.equal(dump.metadata.problemType, 'kerneloops');
    assert.equal(dump.source, 'webhook:ureport');
  });

  test('ABRT uReport, user-space core, also as the multipart "file" upload reporter-ureport sends', async () => {
    const [dump] = await deliverAndRead('ureport', example('ureport-core.json'), 'application/json');
    assert.equal(dump.parsed.title, 'SIGSEGV in rtp_packet_copy');
    assert.ok(known(dump), 'matched');
    assert.equal(dump.metadata.executable, '/usr/sbin/mediasrv');
    assert.equal(dump.metadata.package, 'mediasrv-2.4.1-3.fc39-x86_64');
    const form = multipart(
      {},
      { name: 'file', filename: 'ureport.json', content: example('ureport-core.json') },
    );
    const [again] = await deliverAndRead('ureport', form.body, form.contentType);
    assert.equal(again.id, dump.id, 'the same report again is a counted repeat');
    assert.equal(again.occurrences, 2);
  });

  test('kdump vmcore-dmesg.txt as a file upload and as a raw body: host and kernel release from the log', async () => {
    const tcp = await seedId('linux-tcp-rto-delta-us-null-skb');
    const form = multipart(
      { collectedAt: '2026-11-30T03:14:15Z' },
      { name: 'file', filename: 'vmcore-dmesg.txt', content: example('vmcore-dmesg.txt') },
    );
    const [up] = await deliverAndRead('kdump', form.body, form.contentType);
    assert.equal(up.host, 'ceph-osd-17');
    assert.equal(up.metadata.kernelRelease, '5.4.0-174-generic');
    assert.equal(up.metadata.filename, 'vmcore-dmesg.txt');
    assert.equal(new Date(up.collectedAt).toISOString(), '2026-11-30T03:14:15.000Z');
    assert.equal(known(up), tcp);
    const raw = example('vmcore-dmesg.txt').replace('ceph-osd-17', 'ceph-osd-18');
    const [body] = await deliverAndRead('kdump', raw, 'text/plain');
    assert.equal(body.host, 'ceph-osd-18');
    assert.equal(body.metadata.kernelRelease, '5.4.0-174-generic');
    assert.equal(known(body), tcp);
  });

  test('systemd-coredump from journalctl -o json and -o export', async () => {
    const [dump] = await deliverAndRead(
      'systemd-coredump',
      example('systemd-coredump.json'),
      'application/json',
    );
    assert.equal(dump.parsed.title, 'SIGSEGV in rtp_packet_copy');
    assert.ok(known(dump), 'matched');
    assert.equal(dump.host, 'media-03');
    assert.equal(dump.metadata.COREDUMP_EXE, '/usr/sbin/mediasrv');
    assert.equal(dump.metadata.COREDUMP_SIGNAL_NAME, 'SIGSEGV');
    assert.equal(new Date(dump.collectedAt).toISOString(), new Date(1764670000000).toISOString());
    const entry = JSON.parse(example('systemd-coredump.json'));
    entry.COREDUMP_HOSTNAME = 'media-05';
    // Another process of the same build: other addresses, so a new dump rather than a repeat.
    entry.MESSAGE = entry.MESSAGE.replace(/0x0000(55d4|7f3c)/g, '0x0000$1e');
    const [exported] = await deliverAndRead(
      'systemd-coredump',
      journalExport(entry),
      'application/octet-stream',
    );
    assert.equal(exported.host, 'media-05');
    assert.equal(exported.parsed.title, 'SIGSEGV in rtp_packet_copy');
    assert.equal(known(exported), known(dump));
  });

  test('Sentry event webhook: exception values with stack frames', async () => {
    const [dump] = await deliverAndRead('sentry', example('sentry-event.json'), 'application/json');
    assert.equal(dump.parsed.title, 'SIGSEGV in rtp_packet_copy');
    assert.equal(dump.parsed.frames[0].function, '__memmove_avx_unaligned_erms', 'innermost frame first');
    assert.ok(known(dump), 'matched');
    assert.equal(dump.host, 'media-04');
    assert.equal(dump.metadata.eventId, '5b7a4f0c2d3e4f5a8b9c0d1e2f3a4b5c');
    assert.equal(dump.metadata.exception, 'SIGSEGV: Segfault');
    assert.equal(new Date(dump.collectedAt).toISOString(), '2025-12-02T10:15:00.250Z');
  });

  test('payloads an adapter cannot read are kept, 400, delivery failed with the reason', async () => {
    const cases: [string, string, string, RegExp][] = [
      [
        'ureport',
        JSON.stringify({ ureport_version: 2, problem: { type: 'python', component: 'x' } }),
        'application/json',
        /only "kerneloops" and "core"/,
      ],
      ['ureport', '{"problem": ', 'application/json', /not valid JSON/],
      ['kdump', 'hello, this is not a kernel log', 'text/plain', /does not look like a kernel log/],
      [
        'systemd-coredump',
        JSON.stringify({ MESSAGE: 'hello', _HOSTNAME: 'x' }),
        'application/json',
        /COREDUMP_/,
      ],
      [
        'systemd-coredump',
        JSON.stringify({ COREDUMP_PID: '1', MESSAGE: 'no stack' }),
        'application/json',
        /Stack trace of thread/,
      ],
      [
        'sentry',
        JSON.stringify({ data: { event: { message: 'no exception' } } }),
        'application/json',
        /exception/,
      ],
    ];
    for (const [source, body, ct, reason] of cases) {
      const { r, id } = await deliver(source, body, ct);
      assert.equal(r.status, 400, `${source}: ${body}`);
      assert.match(r.body.detail, reason);
      const kept = await t.http.get(`/api/v1/webhooks/deliveries/${id}`).set(reader).expect(200);
      assert.equal(kept.body.status, 'failed');
      assert.match(kept.body.error, reason);
    }
  });
});
