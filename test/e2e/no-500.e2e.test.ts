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
});
