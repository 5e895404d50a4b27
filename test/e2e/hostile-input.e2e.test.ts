// Every byte sequence a collector can send is stored and given back byte for byte (NUL,
// bytes that are not UTF-8, control characters, lone surrogates, random bytes, deeply nested
// extra fields); what cannot be stored or searched at all is a clear 400, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from '../support/app';

const KASAN = [
  'BUG: KASAN: slab-use-after-free in widget_release+0x2a/0x80',
  'Read of size 8 at addr ffff888100a1b228 by task kworker/0:1/1017',
  'Call Trace:',
  ' <TASK>',
  ' dump_stack_lvl+0x4c/0x70',
  ' kasan_report+0xc6/0x100',
  ' widget_release+0x2a/0x80',
  ' widget_put+0x51/0x90',
  ' hostile_input_worker+0x12/0x40',
  ' </TASK>',
  '',
].join('\n');

/** A small deterministic PRNG (mulberry32), so that a failure reproduces. */
function randomBytes(n: number, seed: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** supertest answer body as raw bytes. */
function binary(res: Response, cb: (err: Error | null, body: Buffer) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  res.on('end', () => cb(null, Buffer.concat(parts)));
}

describe('hostile input: stored exactly, or a clear 400', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const submitText = (bytes: Buffer) =>
    t.http.post('/api/v1/dumps').set(t.admin).set('content-type', 'text/plain').send(bytes);
  const submitJson = (body: unknown) =>
    t.http
      .post('/api/v1/dumps')
      .set(t.admin)
      .set('content-type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const raw = async (id: string): Promise<Buffer> => {
    const res = await t.http
      .get(`/api/v1/dumps/${id}/raw`)
      .set(t.admin)
      .buffer(true)
      .parse(binary as never)
      .expect(200);
    assert.match(res.headers['content-type'], /application\/octet-stream/);
    return res.body as Buffer;
  };
  const get = async (id: string) => (await t.http.get(`/api/v1/dumps/${id}`).set(t.admin).expect(200)).body;
  const created = (res: Response, what: string) => {
    assert.equal(res.status, 201, `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.id as string;
  };

  test('NUL bytes in a text/plain dump: stored, parsed without them, given back exactly', async () => {
    const text = '\0\0\0\0' + KASAN.replace('Call Trace:', 'Call\0 Trace:') + '\0';
    const bytes = Buffer.from(text, 'utf8');
    const res = await submitText(bytes);
    const id = created(res, 'NUL text');
    assert.equal(res.body.parsed.title, 'KASAN: slab-use-after-free Read in widget_release');
    const dump = await get(id);
    assert.equal(dump.content, text);
    assert.equal(dump.contentExact, true);
    assert.equal(dump.size, bytes.length);
    assert.deepEqual(await raw(id), bytes);
    // The same bytes again are a repeat of that dump, not a new one.
    const again = await submitText(bytes).expect(200);
    assert.equal(again.body.id, id);
    assert.equal(again.body.occurrences, 2);
  });

  test('NUL inside JSON content, and lone surrogates: the string comes back as sent', async () => {
    for (const [what, content] of [
      ['NUL', KASAN.replace('widget_put', 'widget\u0000put') + '\u0000\u0000'],
      ['lone surrogates', `${KASAN}tail \ud800 and \udfff and a pair \ud83d\ude00\n`],
    ]) {
      const id = created(await submitJson({ content, host: 'node-7' }), what);
      const dump = await get(id);
      assert.equal(dump.content, content, what);
      assert.equal(dump.contentExact, true, what);
      assert.equal(dump.host, 'node-7');
    }
  });

  test('bytes that are not UTF-8: kept exactly, shown with U+FFFD, two such dumps are two dumps', async () => {
    const a = Buffer.concat([
      Buffer.from(KASAN),
      Buffer.from([0xff, 0xfe, 0xc3, 0x0a, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
    ]);
    const b = Buffer.concat([
      Buffer.from(KASAN),
      Buffer.from([0xfe, 0xff, 0xc3, 0x0a, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
    ]);
    const idA = created(await submitText(a), 'invalid UTF-8 a');
    const idB = created(await submitText(b), 'invalid UTF-8 b');
    assert.notEqual(idA, idB, 'different bytes that decode to the same text are different dumps');
    assert.deepEqual(await raw(idA), a);
    assert.deepEqual(await raw(idB), b);
    const dump = await get(idA);
    assert.equal(dump.contentExact, false);
    assert.equal(dump.size, a.length);
    assert.ok(dump.content.startsWith(KASAN) && dump.content.includes('\uFFFD'), dump.content.slice(-40));
    assert.equal(dump.title, 'KASAN: slab-use-after-free Read in widget_release');
  });

  test('every control character, a byte-order mark and ANSI colours come back exactly', async () => {
    let controls = '';
    for (let c = 1; c < 0x20; c++) controls += String.fromCharCode(c);
    controls += '\x7f\u0080\u0085\u009b\u009f\u2028\u2029\ufffe\uffff';
    const text = `\ufeff\x1b[31m${KASAN}\x1b[0m${controls}\r\n`;
    const bytes = Buffer.from(text, 'utf8');
    const id = created(await submitText(bytes), 'controls');
    assert.deepEqual(await raw(id), bytes, 'the BOM the text decoder drops is kept in the bytes');
    const viaJson = created(await submitJson({ content: controls + KASAN }), 'controls in JSON');
    assert.equal((await get(viaJson)).content, controls + KASAN);
  });

  test('64 KB of random bytes, 20 times over, each stored and given back exactly', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const bytes = randomBytes(64 * 1024, seed);
      const id = created(await submitText(bytes), `random seed ${seed}`);
      assert.deepEqual(await raw(id), bytes, `random seed ${seed}`);
    }
  });

  test('deeply nested extra fields and NUL in metadata are kept exactly beside a jsonb copy', async () => {
    let deep: unknown = { leaf: 'bottom\u0000' };
    for (let i = 0; i < 900; i++) deep = i % 2 ? { d: deep } : [deep];
    const body = {
      content: KASAN + 'nested\n',
      build: deep,
      metadata: { 'k\u0000ey': 'v\u0000al', rack: 3 },
    };
    const id = created(await submitJson(body), 'deep nesting');
    const dump = await get(id);
    assert.equal(typeof dump.metadataJson, 'string');
    assert.deepEqual(JSON.parse(dump.metadataJson), { build: deep, 'k\u0000ey': 'v\u0000al', rack: 3 });
    assert.equal(dump.metadata.rack, 3);
    assert.equal(dump.metadata.key, 'val', 'the searchable copy has no NUL');
    // Plain metadata stays plain: no second copy.
    const plain = await get(
      created(await submitJson({ content: KASAN + 'plain\n', build: 'ci-1' }), 'plain'),
    );
    assert.deepEqual(plain.metadata, { build: 'ci-1' });
    assert.equal(plain.metadataJson, undefined);
  });

  test('JSON nested deeper than 1000 levels is a 400 before it is parsed (any route)', async () => {
    const depth = 200_000;
    const body = `{"content":"BUG: x","build":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    for (const path of ['/api/v1/dumps', '/api/v1/signatures']) {
      const t0 = Date.now();
      const res = await t.http.post(path).set(t.admin).set('content-type', 'application/json').send(body);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.detail, /nested deeper than 1000 levels/);
      assert.ok(Date.now() - t0 < 5000, 'refused without parsing');
    }
  });

  test('NUL where it would be stored as a name or searched for is a 400 that names the field', async () => {
    const host = await submitJson({ content: KASAN, host: 'no\u0000de' });
    assert.equal(host.status, 400);
    assert.match(host.body.detail, /host must not contain NUL/);
    const sig = await t.http
      .post('/api/v1/signatures')
      .set(t.admin)
      .send({ title: 'a\u0000b', kind: 'use-after-free', matcher: { frames: ['widget_release'] } });
    assert.equal(sig.status, 400, JSON.stringify(sig.body));
    assert.match(sig.body.detail, /title: contains a NUL/);
    for (const url of [
      '/api/v1/signatures?q=dma%00pool',
      '/api/v1/dumps?kind=%00',
      '/api/v1/buckets?sort=count%00',
      '/api/v1/webhooks/deliveries/%00',
    ]) {
      const res = await t.http.get(url).set(t.admin);
      assert.equal(res.status, 400, `${url}: ${res.status}`);
      assert.match(res.body.detail, /NUL byte/, url);
    }
  });

  test('parse, match and from-dump take the same hostile dumps without a 500', async () => {
    const text = Buffer.concat([
      Buffer.from('\0' + KASAN.replace('widget_put', 'widget_put\0')),
      randomBytes(512, 99),
    ]);
    for (const path of ['/api/v1/parse', '/api/v1/match']) {
      const res = await t.http.post(path).set(t.admin).set('content-type', 'text/plain').send(text);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    const derived = await t.http
      .post('/api/v1/signatures/from-dump')
      .set(t.admin)
      .send({
        content: '\u0000' + KASAN.replace('widget_put', 'widget_put\u0000'),
        title: 'widget release UAF',
      });
    assert.equal(derived.status, 201, JSON.stringify(derived.body).slice(0, 300));
  });
});
