// Group commit (src/crash/dump-writer.ts): concurrent submissions share transactions, and
// everything one transaction per dump guaranteed still holds: each answer only after its
// commit, repeats counted, buckets and their counts, the notification outbox, a refused dump
// failing alone, 503 while the database is away.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { parseDump } from '../../src/core/parse';
import { contentHash } from '../../src/crash/crash.service';
import { DumpWriter } from '../../src/crash/dump-writer';
import type { NewDump } from '../../src/crash/dumps.repository';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app';
import { kasanUseAfterFree } from '../support/dumps';

interface Answer {
  status: number;
  text: string;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const bug = (name: string, variant: number) =>
  kasanUseAfterFree({
    frames: [`${name}_release`, `${name}_poll`, `${name}_work`],
    freeFrames: [`${name}_destroy`],
    allocFrames: [`${name}_new`],
    cache: 'kmalloc-192',
    size: 192,
    variant,
  });

/** What CrashService hands the writer, for a dump written straight through it. */
function newDump(text: string): NewDump {
  return {
    contentHash: contentHash(Buffer.from(text)),
    content: text,
    contentBytes: null,
    parsed: parseDump(text),
    matches: [],
    signatureId: null,
    source: null,
    host: null,
    metadata: null,
    metadataJson: null,
    collectedAt: null,
    matchedAtSeq: '0',
  };
}

describe('group commit', () => {
  let t: TestApp;
  let base: string;
  let writer: DumpWriter;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sql = (q: string, p: unknown[] = []) => t.app.get(DataSource).query(q, p);
  // A subscriber, so that the outbox triggers write their events (they write only when wanted).
  const receiver: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });

  before(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t = await createTestApp({ env: { CRASHKB_ALLOW_PRIVATE_URLS: '1' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    writer = t.app.get(DumpWriter);
    await t.http
      .post('/api/v1/subscriptions')
      .set(t.admin)
      .send({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        secret: 'group-commit-secret-0123',
        events: ['dump.matched', 'bucket.created', 'bucket.growing'],
      })
      .expect(201);
    // Every event the outbox receives, kept here whatever the notifier does with it after.
    await sql(`CREATE TABLE gc_events (event text, bucket_id uuid, dump_id uuid, signature_id uuid)`);
    await sql(`CREATE FUNCTION gc_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO gc_events VALUES (NEW.event, NEW.bucket_id, NEW.dump_id, NEW.signature_id);
        RETURN NULL;
      END $$`);
    await sql(
      `CREATE TRIGGER gc_keep AFTER INSERT ON notification_events FOR EACH ROW EXECUTE FUNCTION gc_keep()`,
    );
  });
  after(async () => {
    agent.destroy();
    // The last test took the database away.
    await t.close().catch(() => undefined);
    await new Promise((r) => receiver.close(r));
  });

  const submit = (text: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest(
        `${base}/api/v1/dumps`,
        {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (body += d));
          res.on('end', () => {
            let json = {};
            try {
              json = JSON.parse(body);
            } catch {
              // a non-JSON answer fails the status assertions below
            }
            resolve({ status: res.statusCode ?? 0, text: body, json });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });

  test('48 concurrent submissions: fewer transactions than dumps, every answer stored as answered', async () => {
    const before = { ...writer.stats };
    const texts = Array.from({ length: 48 }, (_, i) => bug(['gca', 'gcb', 'gcc'][i % 3], i));
    const answers = await Promise.all(texts.map(submit));
    assert.deepEqual(
      answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.text.slice(0, 200)}`),
      [],
    );
    const transactions = writer.stats.batches - before.batches;
    assert.equal(writer.stats.dumps - before.dumps, 48);
    assert.ok(transactions < 48, `48 dumps in ${transactions} transactions`);
    assert.ok(writer.stats.largestBatch > 1);

    for (const a of answers) {
      // The answer is what express would have made of the object: same keys, same order.
      assert.deepEqual(Object.keys(a.json), [
        'id',
        'created',
        'occurrences',
        'signatureId',
        'parsed',
        'matches',
        'bucket',
      ]);
      const stored = await t.http.get(`/api/v1/dumps/${a.json.id}`).set(t.admin).expect(200);
      assert.equal(stored.body.bucketId, a.json.bucket.id);
      assert.deepEqual(stored.body.parsed, a.json.parsed);
      assert.equal(stored.body.occurrences, 1);
    }
    // One bucket per bug, counting exactly its 16 dumps.
    const buckets = new Map(answers.map((a) => [a.json.bucket.id, a.json.bucket.fingerprint]));
    assert.equal(buckets.size, 3);
    for (const id of buckets.keys()) {
      const b = await t.http.get(`/api/v1/buckets/${id}`).set(t.admin).expect(200);
      assert.equal(b.body.dumpCount, 16);
      assert.equal(b.body.occurrences, 16);
      const first = answers.find((a) => a.json.bucket.id === id)!;
      const rep = await t.http.get(`/api/v1/dumps/${b.body.representativeDumpId}`).set(t.admin);
      assert.equal(rep.status, 200, 'a new bucket is represented by one of its dumps');
      assert.equal(rep.body.fingerprint, first.json.parsed.fingerprint);
    }
  });

  test('the same content 12 times at once: one row, one 201, eleven repeats with the same id, each counted', async () => {
    const text = bug('gcrepeat', 1);
    const answers = await Promise.all(Array.from({ length: 12 }, () => submit(text)));
    assert.deepEqual(
      answers.map((a) => a.status).sort(),
      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201],
    );
    assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
    assert.deepEqual(
      answers.map((a) => a.json.occurrences).sort((x, y) => x - y),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const stored = await t.http.get(`/api/v1/dumps/${answers[0].json.id}`).set(t.admin).expect(200);
    assert.equal(stored.body.occurrences, 12);
    const b = await t.http.get(`/api/v1/buckets/${stored.body.bucketId}`).set(t.admin).expect(200);
    assert.equal(b.body.dumpCount, 1);
    assert.equal(b.body.occurrences, 12);
  });

  test('a dump the database refuses fails alone: the rest of its batch is stored', async () => {
    await sql(`CREATE FUNCTION gc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content LIKE '%gcpill%' THEN RAISE EXCEPTION 'gc_refuse: this dump is refused'; END IF;
        RETURN NEW;
      END $$`);
    await sql(`CREATE TRIGGER gc_refuse BEFORE INSERT ON dumps FOR EACH ROW EXECUTE FUNCTION gc_refuse()`);
    try {
      const before = { ...writer.stats };
      // Written in one turn of the event loop: one batch.
      const dumps = Array.from({ length: 8 }, (_, i) => newDump(bug(i === 3 ? 'gcpill' : 'gcfine', i)));
      const results = await Promise.allSettled(dumps.map((d) => writer.write(d)));
      assert.equal(
        writer.stats.retriedSingly - before.retriedSingly,
        1,
        'the batch failed once, then each alone',
      );
      results.forEach((r, i) => {
        if (i === 3) {
          assert.equal(r.status, 'rejected');
          assert.match(String((r as PromiseRejectedResult).reason?.message), /gc_refuse/);
        } else {
          assert.equal(r.status, 'fulfilled', `dump ${i}: ${String((r as PromiseRejectedResult).reason)}`);
        }
      });
      const ids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.dump.id] : []));
      const rows = await sql(`SELECT id, bucket_id FROM dumps WHERE id = ANY($1::uuid[])`, [ids]);
      assert.equal(rows.length, 7);
      assert.ok(rows.every((r: { bucket_id: string | null }) => r.bucket_id !== null));
      const [{ n }] = await sql(`SELECT count(*)::int AS n FROM dumps WHERE content LIKE '%gcpill%'`);
      assert.equal(n, 0);
    } finally {
      await sql(`DROP TRIGGER gc_refuse ON dumps`);
      await sql(`DROP FUNCTION gc_refuse()`);
    }
  });

  test('the outbox gets exactly the events one transaction per dump would give', async () => {
    const sig = await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({ content: bug('gcknown', 0), title: 'gc known use-after-free' })
      .expect(201);
    await sql(`DELETE FROM gc_events`);
    const before = { ...writer.stats };
    // 6 occurrences of the known bug, 5 of a new one, and one repeat of a known occurrence.
    const texts = [
      ...Array.from({ length: 6 }, (_, i) => bug('gcknown', i + 1)),
      ...Array.from({ length: 5 }, (_, i) => bug('gcnew', i)),
      bug('gcknown', 1),
    ];
    const answers = await Promise.all(texts.map(submit));
    assert.ok(answers.every((a) => a.status === 201 || a.status === 200));
    assert.ok(writer.stats.batches - before.batches < texts.length, 'written in shared transactions');
    const known = answers.slice(0, 6);
    assert.ok(known.every((a) => a.json.signatureId === sig.body.id));
    const events: { event: string; bucket_id: string; dump_id: string; signature_id: string }[] =
      await sql(`SELECT * FROM gc_events`);
    const matched = events.filter((e) => e.event === 'dump.matched');
    assert.equal(matched.length, 7, 'six stored and one repeat of the known bug');
    assert.deepEqual([...new Set(matched.map((e) => e.dump_id))].sort(), known.map((a) => a.json.id).sort());
    assert.ok(matched.every((e) => e.signature_id === sig.body.id));
    const created = events.filter((e) => e.event === 'bucket.created');
    const newBucket = answers[6].json.bucket.id;
    assert.deepEqual(
      created.map((e) => e.bucket_id),
      [newBucket],
      'one bucket.created, for the new bug only (the known bug was born labelled)',
    );
    assert.ok(
      answers.slice(6, 11).some((a) => a.json.id === created[0].dump_id),
      'its dump is one of them',
    );
  });

  test('the database going away: every submission of the batch is a 503, none a 500', async () => {
    if (t.embedded) {
      await t.embedded.stop();
    } else {
      const { Client } = await import('pg');
      const url = new URL(t.databaseUrl);
      const name = url.pathname.slice(1);
      url.pathname = '/postgres';
      const c = new Client({ connectionString: url.toString() });
      await c.connect();
      await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await c.end();
    }
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(bug('gcgone', i))));
    assert.deepEqual(
      answers.map((a) => a.status),
      [503, 503, 503, 503, 503, 503],
      answers.map((a) => a.text.slice(0, 200)).join('\n'),
    );
    assert.ok(answers.every((a) => /database is unreachable/.test(a.json.detail)));
  });
});
