// Bad input gets a clear 4xx with a message, never a 500: random query strings, ids and
// bodies thrown at every route (fast-check, seeded so a failure reproduces).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/app';

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1e309',
    'NaN',
    'null',
    '[]',
    '{}',
    '%00',
    "'; DROP TABLE signatures; --",
    '\\',
    '..',
    'a'.repeat(5000),
  ),
  fc.integer().map(String),
);

describe('no 500s on bad input', () => {
  let t: TestApp;
  let sigId: string;
  before(async () => {
    t = await createTestApp();
    const s = await t.http
      .post('/api/v1/signatures')
      .set(t.admin)
      .send({ title: 'target', kind: 'use-after-free', matcher: { frames: ['foo_bar'] } })
      .expect(201);
    sigId = s.body.id;
  });
  after(() => t.close());

  const problemOf = (
    res: { status: number; headers: Record<string, string>; body: { detail?: string } },
    what: string,
  ) => {
    assert.ok(res.status < 500, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    if (res.status >= 400) {
      assert.match(res.headers['content-type'] ?? '', /problem\+json/, what);
      assert.ok(res.body.detail, `${what}: a message`);
    }
  };

  test('query strings on the list and search routes', async () => {
    const params = [
      'q',
      'limit',
      'page',
      'kind',
      'status',
      'function',
      'module',
      'poison',
      'slabCache',
      'tag',
      'fixed',
      'sort',
      'signature',
      'bucket',
      'since',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/signatures', '/api/v1/dumps', '/api/v1/buckets'),
        fc.constantFrom(...params),
        junk,
        async (path, p, v) => {
          const res = await t.http
            .get(path)
            .query({ [p]: v })
            .set(t.admin);
          problemOf(res, `GET ${path}?${p}=${JSON.stringify(v).slice(0, 60)}`);
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });

  test('ids in paths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/signatures/',
          '/api/v1/dumps/',
          '/api/v1/buckets/',
          '/api/v1/webhooks/deliveries/',
          '/api/v1/api-keys/',
        ),
        junk.filter((s) => s.length > 0),
        async (prefix, id) => {
          const method = prefix.includes('api-keys') ? 'delete' : 'get';
          const res = await t.http[method](prefix + encodeURIComponent(id)).set(t.admin);
          problemOf(res, `${method.toUpperCase()} ${prefix}${JSON.stringify(id).slice(0, 60)}`);
        },
      ),
      { numRuns: 100, seed: 4243 },
    );
  });

  test('JSON bodies on the write routes', async () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const body = fc.oneof(
      value,
      fc.dictionary(
        fc.constantFrom(
          'title',
          'kind',
          'matcher',
          'fixes',
          'notes',
          'content',
          'version',
          'signatures',
          'name',
          'scopes',
          'secret',
          'tags',
          'status',
          'references',
          'summary',
        ),
        value,
      ),
    );
    const routes: [string, string][] = [
      ['post', '/api/v1/signatures'],
      ['patch', `/api/v1/signatures/SIG`],
      ['post', '/api/v1/signatures/from-dump'],
      ['post', '/api/v1/signatures/import'],
      ['post', `/api/v1/signatures/SIG/fixes`],
      ['post', `/api/v1/signatures/SIG/notes`],
      ['post', '/api/v1/dumps'],
      ['post', '/api/v1/match'],
      ['post', '/api/v1/parse'],
      ['post', '/api/v1/api-keys'],
      ['post', '/api/v1/webhook-sources'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, path], b) => {
        const url = path.replace('SIG', sigId);
        const send = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method];
        const res = await send(url)
          .set(t.admin)
          .set('content-type', 'application/json')
          .send(JSON.stringify(b));
        problemOf(res, `${method.toUpperCase()} ${path} ${JSON.stringify(b).slice(0, 120)}`);
      }),
      { numRuns: 300, seed: 4244 },
    );
  });

  // Hostile bytes (issue 11): NUL, bytes that are not UTF-8, lone surrogates, control
  // characters and deep nesting, everywhere a client can put them.
  const hostileChar = fc.oneof(
    fc.constantFrom('\u0000', '\ud800', '\udfff', '\ufeff', '\u2028', '\x1b', '\x7f', '\u0085', '\uffff'),
    fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
    fc.string({ maxLength: 3 }),
  );
  const hostileString = fc.array(hostileChar, { maxLength: 12 }).map((a) => a.join(''));
  const hostileBytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 600 }),
    fc
      .tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(0, 0xc0, 0xed, 0xf8, 0xff, 0xfe))
      .map(([a, b]) =>
        Uint8Array.from([...Buffer.from('BUG: KASAN: use-after-free in f+0x1/0x2\n'), ...a, b]),
      ),
  );
  const percentEncoded = (bytes: Uint8Array) =>
    Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('');

  test('query strings and ids with NUL, invalid UTF-8 and control bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/signatures?q=',
          '/api/v1/signatures?tag=',
          '/api/v1/dumps?kind=',
          '/api/v1/buckets?sort=',
          '/api/v1/signatures/',
          '/api/v1/dumps/',
          '/api/v1/webhooks/deliveries/',
        ),
        fc.uint8Array({ minLength: 1, maxLength: 24 }),
        async (prefix, bytes) => {
          const url = prefix + percentEncoded(bytes);
          const res = await t.http.get(url).set(t.admin);
          problemOf(res, `GET ${url}`);
          if (bytes.includes(0)) assert.equal(res.status, 400, `GET ${url}: NUL is a 400`);
        },
      ),
      { numRuns: 150, seed: 4245 },
    );
  });

  test('dump bodies of any bytes: never a 500, and every stored dump given back exactly', async () => {
    const routes = ['/api/v1/dumps', '/api/v1/parse', '/api/v1/match', '/api/v1/signatures/from-dump'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), hostileBytes, async (path, bytes) => {
        const body = Buffer.from(bytes);
        const res = await t.http.post(path).set(t.admin).set('content-type', 'text/plain').send(body);
        problemOf(res, `POST ${path} ${body.toString('hex').slice(0, 80)}`);
        if (path === '/api/v1/dumps' && res.status < 300) {
          const back = await t.http
            .get(`/api/v1/dumps/${res.body.id}/raw`)
            .set(t.admin)
            .buffer(true)
            .parse((r, cb) => {
              const parts: Buffer[] = [];
              r.on('data', (d: Buffer) => parts.push(d));
              r.on('end', () => cb(null, Buffer.concat(parts)));
            });
          assert.equal(back.status, 200);
          assert.ok(
            Buffer.compare(back.body as Buffer, body) === 0,
            `dump ${res.body.id} kept byte for byte`,
          );
        }
      }),
      { numRuns: 200, seed: 4246 },
    );
  });

  test('JSON with NUL, lone surrogates and deep nesting on every write route', async () => {
    const nest = (v: unknown, depth: number, arrays: boolean): unknown => {
      let out = v;
      for (let i = 0; i < depth; i++) out = arrays && i % 2 ? [out] : { n: out };
      return out;
    };
    const value = fc.oneof(
      hostileString,
      fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
      fc
        .tuple(hostileString, fc.integer({ min: 1, max: 1500 }), fc.boolean())
        .map(([leaf, depth, arrays]) => nest(leaf, depth, arrays)),
    );
    const body = fc.dictionary(
      fc.constantFrom(
        'title',
        'content',
        'host',
        'source',
        'metadata',
        'build',
        'name',
        'secret',
        'notes',
        'tags',
        'summary',
        'matcher',
      ),
      value,
    );
    const routes: [string, string][] = [
      ['post', '/api/v1/dumps'],
      ['post', '/api/v1/parse'],
      ['post', '/api/v1/match'],
      ['post', '/api/v1/signatures'],
      ['patch', `/api/v1/signatures/SIG`],
      ['post', '/api/v1/signatures/from-dump'],
      ['post', `/api/v1/signatures/SIG/notes`],
      ['post', '/api/v1/api-keys'],
      ['post', '/api/v1/webhook-sources'],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async ([method, path], b) => {
        const url = path.replace('SIG', sigId);
        const send = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method];
        const res = await send(url)
          .set(t.admin)
          .set('content-type', 'application/json')
          .send(JSON.stringify(b));
        problemOf(res, `${method.toUpperCase()} ${path} ${JSON.stringify(b).slice(0, 160)}`);
      }),
      { numRuns: 300, seed: 4247 },
    );
  });
});
