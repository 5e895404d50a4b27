import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { compilePattern } from '../../src/core/re2';
import { SignaturesService } from '../../src/kb/signatures.service';
import { createTestApp, keyWithScopes, type TestApp } from '../support/app';

const API = '/api/v1/signatures';

function sig(title: string, frames: string[], extra: Record<string, unknown> = {}) {
  return {
    title,
    kind: 'use-after-free',
    tags: [],
    summary: '',
    matcher: { frames, guiltyFrame: 0 },
    fixes: [{ kind: 'commit', ref: 'abcdef123456', url: 'https://git.kernel.org/linus/abcdef123456' }],
    ...extra,
  };
}

async function maxSeq(t: TestApp): Promise<string> {
  const ds = t.app.get(DataSource);
  const rows: { m: string }[] = await ds.query('SELECT max(change_seq)::text AS m FROM signatures');
  return rows[0].m;
}

describe('knowledge base: signatures CRUD, validation, concurrency', () => {
  let t: TestApp;
  let reader: { authorization: string };
  let writer: { authorization: string };
  before(async () => {
    t = await createTestApp();
    reader = await keyWithScopes(t, 'read');
    writer = await keyWithScopes(t, 'read', 'write');
  });
  after(() => t.close());

  test('create, read with fixes, notes and references; key derived from the title', async () => {
    const res = await t.http
      .post(API)
      .set(writer)
      .send(
        sig(
          'KASAN: slab-use-after-free Read in widget_release',
          ['widget_release', 'widget_put', 'widget_ioctl'],
          {
            tags: ['widget', 'widget', ' driver '],
            summary: 'The widget is freed while an ioctl still holds it.',
            notes: ['## Root cause\nA refcount is dropped twice.'],
            references: [
              { kind: 'bug', url: 'https://bugzilla.kernel.org/show_bug.cgi?id=1', title: 'bz 1' },
            ],
            matcher: {
              frames: ['widget_release', 'widget_put', 'widget_ioctl'],
              guiltyFrame: 0,
              module: 'widget',
              slabCaches: ['widget_cache'],
              poisons: ['POISON_FREE'],
              patterns: [{ pattern: 'widget_[a-z]+', required: false }],
            },
          },
        ),
      );
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.key, /^kasan-slab-use-after-free-read-in-widget-release-[0-9a-f]{8}$/);
    assert.deepEqual(res.body.tags, ['widget', 'driver']);
    assert.equal(res.body.version, 1);
    assert.equal(res.body.status, 'open');
    assert.equal(res.body.createdBy, 'key-read-write');
    const one = await t.http.get(`${API}/${res.body.id}`).set(reader).expect(200);
    assert.equal(one.headers.etag, '"1"');
    assert.equal(one.body.fixes.length, 1);
    assert.equal(one.body.fixes[0].ref, 'abcdef123456');
    assert.equal(one.body.notes[0].author, 'key-read-write');
    assert.match(one.body.notes[0].body, /refcount is dropped twice/);
    assert.equal(one.body.references[0].kind, 'bug');
    assert.equal(one.body.matcher.module, 'widget');
  });

  test('validation names each rejected field', async () => {
    const res = await t.http
      .post(API)
      .set(writer)
      .send({
        title: '',
        kind: 'explosion',
        status: 'maybe',
        matcher: { frames: 'not-an-array', guiltyFrame: -1 },
        fixes: [{ kind: 'rumour', ref: '' }],
        references: [{ kind: 'bug', url: 'not a url' }],
        extra: true,
      });
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type'], /problem\+json/);
    const fields = new Set(res.body.errors.map((e: { field: string }) => e.field));
    for (const f of [
      'title',
      'kind',
      'status',
      'matcher.frames',
      'matcher.guiltyFrame',
      'fixes.0.kind',
      'fixes.0.ref',
      'references.0.url',
      'extra',
    ]) {
      assert.ok(fields.has(f), `${f} missing from ${[...fields].join(', ')}`);
    }
    assert.match(res.body.detail, /kind must be one of use-after-free/);
  });

  test('an invalid RE2 pattern is a 400 naming the field; (a+)+$ is accepted and runs in linear time', async () => {
    const bad = await t.http
      .post(API)
      .set(writer)
      .send(sig('bad pattern', ['f1'], { matcher: { frames: ['f1'], patterns: [{ pattern: '(?<=x)y' }] } }));
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.errors[0].field, 'matcher.patterns.0.pattern');
    assert.match(bad.body.detail, /invalid pattern/);
    const backref = await t.http
      .post(API)
      .set(writer)
      .send(
        sig('backref pattern', ['f1'], { matcher: { frames: ['f1'], patterns: [{ pattern: '(a)\\1' }] } }),
      );
    assert.equal(backref.status, 400);

    const evil = await t.http
      .post(API)
      .set(writer)
      .send(
        sig('catastrophic pattern', ['evil_fn'], {
          matcher: { frames: ['evil_fn'], patterns: [{ pattern: '(a+)+$' }] },
        }),
      );
    assert.equal(evil.status, 201, JSON.stringify(evil.body));
    assert.deepEqual(evil.body.matcher.patterns, [{ pattern: '(a+)+$' }]);
    // The stored pattern runs through RE2: the input that makes a backtracking RegExp take
    // exponential time is answered at once.
    const started = process.hrtime.bigint();
    const hit = compilePattern(evil.body.matcher.patterns[0].pattern).test('a'.repeat(50_000) + '!');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(hit, false);
    assert.ok(ms < 2000, `RE2 took ${ms} ms`);
  });

  test('guiltyFrame out of range is a 400; an empty matcher is a 400', async () => {
    const r1 = await t.http
      .post(API)
      .set(writer)
      .send(sig('x', ['a_fn'], { matcher: { frames: ['a_fn'], guiltyFrame: 3 } }));
    assert.equal(r1.status, 400);
    assert.equal(r1.body.errors[0].field, 'matcher.guiltyFrame');
    const r2 = await t.http
      .post(API)
      .set(writer)
      .send(sig('x', [], { matcher: { frames: [] } }));
    assert.equal(r2.status, 400);
    assert.equal(r2.body.errors[0].field, 'matcher.frames');
  });

  test('a duplicate key is a 409', async () => {
    const body = sig('dup key', ['dupkey_fn'], { key: 'my-stable-key' });
    await t.http.post(API).set(writer).send(body).expect(201);
    const again = await t.http.post(API).set(writer).send(body);
    assert.equal(again.status, 409);
    assert.match(again.body.detail, /my-stable-key/);
  });

  test('PATCH needs the current version; a stale one answers 409; If-Match works too', async () => {
    const created = (
      await t.http
        .post(API)
        .set(writer)
        .send(sig('patch me', ['patch_fn']))
        .expect(201)
    ).body;
    const noVersion = await t.http.patch(`${API}/${created.id}`).set(writer).send({ title: 'x' });
    assert.equal(noVersion.status, 428);
    const a = await t.http.patch(`${API}/${created.id}`).set(writer).send({ version: 1, status: 'fixed' });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.version, 2);
    assert.equal(a.body.status, 'fixed');
    assert.equal(a.body.title, 'patch me', 'untouched fields stay');
    const stale = await t.http
      .patch(`${API}/${created.id}`)
      .set(writer)
      .send({ version: 1, title: 'lost update' });
    assert.equal(stale.status, 409);
    assert.match(stale.body.detail, /version 2, you sent 1/);
    const viaHeader = await t.http
      .patch(`${API}/${created.id}`)
      .set(writer)
      .set('If-Match', '"2"')
      .send({ summary: 'now with a summary' });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.body.version, 3);
    assert.equal(viaHeader.headers.etag, '"3"');
  });

  test('two concurrent updates with the same version: one wins, the other gets 409', async () => {
    const created = (
      await t.http
        .post(API)
        .set(writer)
        .send(sig('race me', ['race_fn']))
        .expect(201)
    ).body;
    const [r1, r2] = await Promise.all([
      t.http.patch(`${API}/${created.id}`).set(writer).send({ version: 1, title: 'first' }),
      t.http.patch(`${API}/${created.id}`).set(writer).send({ version: 1, title: 'second' }),
    ]);
    assert.deepEqual([r1.status, r2.status].sort(), [200, 409]);
    const now = await t.http.get(`${API}/${created.id}`).set(reader).expect(200);
    assert.equal(now.body.version, 2);
    assert.equal(now.body.title, r1.status === 200 ? 'first' : 'second');
  });

  test('soft delete hides the signature; restore brings it back; both move change_seq', async () => {
    const created = (
      await t.http
        .post(API)
        .set(writer)
        .send(sig('delete me', ['gone_fn']))
        .expect(201)
    ).body;
    const seq0 = await maxSeq(t);
    await t.http.delete(`${API}/${created.id}`).set(writer).expect(204);
    assert.ok(BigInt(await maxSeq(t)) > BigInt(seq0));
    await t.http.get(`${API}/${created.id}`).set(reader).expect(404);
    const listed = await t.http.get(`${API}?function=gone_fn`).set(reader).expect(200);
    assert.equal(listed.body.total, 0);
    await t.http.delete(`${API}/${created.id}`).set(writer).expect(404);
    await t.http.patch(`${API}/${created.id}`).set(writer).send({ version: 2, title: 'x' }).expect(404);
    const restored = await t.http.post(`${API}/${created.id}/restore`).set(writer).expect(200);
    assert.equal(restored.body.deletedAt, null);
    assert.equal((await t.http.get(`${API}?function=gone_fn`).set(reader).expect(200)).body.total, 1);
  });

  test('fixes and notes as sub-resources bump version and change_seq', async () => {
    const created = (
      await t.http
        .post(API)
        .set(writer)
        .send(sig('subs', ['subs_fn']))
        .expect(201)
    ).body;
    const seq0 = await maxSeq(t);
    const withFix = await t.http
      .post(`${API}/${created.id}/fixes`)
      .set(writer)
      .send({ kind: 'workaround', ref: 'disable-widget', description: 'modprobe -r widget' });
    assert.equal(withFix.status, 201, JSON.stringify(withFix.body));
    assert.equal(withFix.body.fixes.length, 2);
    assert.equal(withFix.body.version, 2);
    assert.ok(BigInt(await maxSeq(t)) > BigInt(seq0));
    const withNote = await t.http
      .post(`${API}/${created.id}/notes`)
      .set(writer)
      .send({ body: 'seen on arm64 too' });
    assert.equal(withNote.status, 201);
    assert.equal(withNote.body.version, 3);
    const bad = await t.http.post(`${API}/${created.id}/fixes`).set(writer).send({ kind: 'commit' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'ref');
    const fixId = withFix.body.fixes[1].id;
    await t.http.delete(`${API}/${created.id}/fixes/${fixId}`).set(writer).expect(204);
    await t.http.delete(`${API}/${created.id}/fixes/${fixId}`).set(writer).expect(404);
    await t.http.delete(`${API}/${created.id}/notes/${withNote.body.notes[0].id}`).set(writer).expect(204);
    const after = await t.http.get(`${API}/${created.id}`).set(reader).expect(200);
    assert.equal(after.body.fixes.length, 1);
    assert.equal(after.body.notes.length, 0);
    assert.equal(after.body.version, 5);
    // Notes are searchable once added (the tsvector covers them).
    await t.http
      .post(`${API}/${created.id}/notes`)
      .set(writer)
      .send({ body: 'zebrafish telemetry' })
      .expect(201);
    const found = await t.http.get(`${API}?q=zebrafish`).set(reader).expect(200);
    assert.equal(found.body.items[0]?.id, created.id);
  });

  test('scopes: a read key cannot write (403); no key is 401; ids that are not UUIDs are 400', async () => {
    await t.http
      .post(API)
      .set(reader)
      .send(sig('nope', ['nope_fn']))
      .expect(403);
    await t.http.post(`${API}/import`).set(reader).send({ version: 1, signatures: [] }).expect(403);
    await t.http.get(API).expect(401);
    await t.http.get(`${API}/not-a-uuid`).set(reader).expect(400);
    await t.http.get(`${API}/00000000-0000-4000-8000-000000000000`).set(reader).expect(404);
  });

  test('list: newest first, limit/page, limit over 100 is a 400, filters', async () => {
    const page1 = await t.http.get(`${API}?limit=2&page=1`).set(reader).expect(200);
    assert.equal(page1.body.items.length, 2);
    assert.ok(page1.body.total >= 7, String(page1.body.total));
    assert.ok(page1.body.items[0].createdAt >= page1.body.items[1].createdAt);
    const far = await t.http.get(`${API}?limit=2&page=999`).set(reader).expect(200);
    assert.equal(far.body.items.length, 0);
    assert.equal(far.body.total, page1.body.total);
    const tooMany = await t.http.get(`${API}?limit=101`).set(reader);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.errors[0].field, 'limit');
    const mod = await t.http
      .get(`${API}?module=widget&slabCache=widget_cache&poison=POISON_FREE`)
      .set(reader)
      .expect(200);
    assert.equal(mod.body.total, 1);
    assert.equal(mod.body.items[0].matcher.module, 'widget');
    const fixed = await t.http.get(`${API}?status=fixed`).set(reader).expect(200);
    assert.ok(fixed.body.items.every((s: { status: string }) => s.status === 'fixed'));
    const unfixed = await t.http.get(`${API}?fixed=false`).set(reader).expect(200);
    assert.equal(unfixed.body.total, 0, 'every test signature has a commit fix');
    const byTag = await t.http.get(`${API}?tag=driver`).set(reader).expect(200);
    assert.equal(byTag.body.total, 1);
    const badKind = await t.http.get(`${API}?kind=explosion`).set(reader);
    assert.equal(badKind.status, 400);
  });

  test('changesSince feeds the match index: all live rows, then only changes, deleted flagged', async () => {
    const feed = t.app.get(SignaturesService);
    const all = await feed.changesSince(null);
    assert.ok(all.maxSeq !== null);
    assert.ok(all.rows.length > 0 && all.rows.every((r) => !r.deleted));
    const none = await feed.changesSince(all.maxSeq);
    assert.equal(none.rows.length, 0);
    assert.equal(none.maxSeq, all.maxSeq);
    const created = (
      await t.http
        .post(API)
        .set(writer)
        .send(sig('feed me', ['feed_fn']))
        .expect(201)
    ).body;
    await t.http
      .post(`${API}/${created.id}/notes`)
      .set(writer)
      .send({ body: 'a note for the index' })
      .expect(201);
    const one = await feed.changesSince(all.maxSeq);
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0].id, created.id);
    assert.deepEqual(one.rows[0].notes, ['a note for the index']);
    assert.equal(one.rows[0].fixes[0].ref, 'abcdef123456');
    assert.deepEqual(one.rows[0].matcher.frames, ['feed_fn']);
    await t.http.delete(`${API}/${created.id}`).set(writer).expect(204);
    const gone = await feed.changesSince(one.maxSeq);
    assert.equal(gone.rows.length, 1);
    assert.equal(gone.rows[0].deleted, true);
  });
});
