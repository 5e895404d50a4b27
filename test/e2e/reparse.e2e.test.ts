// When the parser's rules change (FINGERPRINT_VERSION), stored dumps are parsed again from their
// text in the background and move to the bucket of their new fingerprint. Dumps parsed under
// old rules are made here by rewriting rows the way an older version stored them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { FINGERPRINT_VERSION } from '../../src/core/fingerprint';
import { ReparseService } from '../../src/crash/reparse.service';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';
import { nullDeref } from '../support/dumps';

const gadgetNull = (variant: number) =>
  nullDeref({
    frames: ['gadget_poll', 'gadget_rx', 'gadget_napi', 'net_rx_action'],
    module: 'gadget',
    variant,
  });

describe('re-parsing dumps stored under older parser rules', () => {
  let t: TestApp;
  let ds: DataSource;
  let bot: { authorization: string };
  let reader: { authorization: string };
  before(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    bot = await keyWithScopes(t, 'submit');
    reader = await keyWithScopes(t, 'read');
  });
  after(() => t.close());

  test('a bucket made under the old rules ends up under the new fingerprint', async () => {
    const ids: string[] = [];
    for (const v of [1, 2]) {
      const res = await t.http
        .post('/api/v1/dumps')
        .set(bot)
        .set('content-type', 'text/plain')
        .send(gadgetNull(v))
        .expect(201);
      ids.push(res.body.id);
    }
    const current = await t.http.get(`/api/v1/dumps/${ids[0]}`).set(reader).expect(200);
    const newFingerprint: string = current.body.fingerprint;
    const [{ parsed_version }] = await ds.query(`SELECT parsed_version FROM dumps WHERE id = $1`, [ids[0]]);
    assert.equal(parsed_version, FINGERPRINT_VERSION, 'a new dump is stored with the current rules');

    // As an older version stored them: another fingerprint and title, one bucket of their own.
    const [old] = await ds.query(
      `INSERT INTO buckets (fingerprint, title, kind, dump_count, occurrences) VALUES ('old-rules-fp', 'BUG in old_title', 'bug', 2, 2) RETURNING id`,
    );
    await ds.query(
      `UPDATE dumps SET parsed_version = 2, fingerprint = 'old-rules-fp', title = 'BUG in old_title', kind = 'bug', bucket_id = $1 WHERE id = ANY($2)`,
      [old.id, ids],
    );
    await ds.query(`DELETE FROM buckets WHERE fingerprint = $1`, [newFingerprint]);
    const before = await t.http.get(`/api/v1/dumps/${ids[1]}`).set(reader).expect(200);
    assert.equal(before.body.bucketId, old.id);

    const reparse = t.app.get(ReparseService);
    // The background tick may already be on it; drain waits for it and finishes the rest.
    await reparse.drain();
    assert.equal(await reparse.runBatch(), 0, 'nothing is left: progress is stored per dump');
    const versions = await ds.query(`SELECT DISTINCT parsed_version FROM dumps WHERE id = ANY($1)`, [ids]);
    assert.deepEqual(versions, [{ parsed_version: FINGERPRINT_VERSION }]);

    for (const id of ids) {
      const d = await t.http.get(`/api/v1/dumps/${id}`).set(reader).expect(200);
      assert.equal(d.body.fingerprint, newFingerprint);
      assert.equal(d.body.title, 'BUG: unable to handle kernel NULL pointer dereference in gadget_poll');
      assert.notEqual(d.body.bucketId, old.id);
    }
    const buckets = await t.http.get('/api/v1/buckets').set(reader).expect(200);
    const moved = buckets.body.items.find((b: { fingerprint: string }) => b.fingerprint === newFingerprint);
    assert.ok(moved, 'the new fingerprint has its bucket again');
    assert.equal(moved.dumpCount, 2);
    assert.ok(
      !buckets.body.items.some((b: { id: string }) => b.id === old.id),
      'the emptied bucket of the old rules is gone',
    );
    const listed = await t.http.get(`/api/v1/dumps?bucket=${moved.id}`).set(reader).expect(200);
    assert.deepEqual(listed.body.items.map((x: { id: string }) => x.id).sort(), [...ids].sort());
  });
});
