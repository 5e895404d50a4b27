import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadAppConfig } from '../../src/config/app-config';
import { EmbeddedMaintenance } from '../../src/db/embedded-maintenance.service';
import { ADMIN_KEY, createTestApp, keyWithScopes, preparedDataDir, type TestApp } from '../support/app';
import { freePort, spawnService, waitHealthy } from '../support/process';

const usingServer = !!process.env.DATABASE_URL;

describe('foundation: start-up, health, docs, errors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('migrations ran at start-up and /health says ok', async () => {
    const res = await t.http.get('/health').expect(200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.details.database.status, 'up');
    const ds = t.app.get((await import('typeorm')).DataSource);
    const applied: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id');
    assert.ok(
      applied.some((m) => m.name === 'Foundation1795000000000'),
      JSON.stringify(applied),
    );
    assert.equal(await ds.showMigrations(), false, 'no migration pending');
  });

  test('/docs serves Swagger UI and the OpenAPI document lists the routes', async () => {
    const ui = await t.http.get('/docs').redirects(1).expect(200);
    assert.match(ui.text, /swagger/i);
    const doc = await t.http.get('/docs/json').expect(200);
    assert.ok(doc.body.paths['/api/v1/api-keys'], Object.keys(doc.body.paths).join(','));
    assert.ok(doc.body.components.securitySchemes.bearer);
  });

  test('an unknown route is a 404 problem document with a request id', async () => {
    const res = await t.http.get('/api/v1/nope').set(t.admin).expect(404);
    assert.match(res.headers['content-type'], /application\/problem\+json/);
    assert.equal(res.body.status, 404);
    assert.equal(res.body.instance, '/api/v1/nope');
    assert.equal(res.body.requestId, res.headers['x-request-id']);
  });

  test('a caller-supplied X-Request-Id is echoed and used', async () => {
    const res = await t.http
      .get('/api/v1/nope')
      .set(t.admin)
      .set('X-Request-Id', 'trace-abc.123')
      .expect(404);
    assert.equal(res.headers['x-request-id'], 'trace-abc.123');
    assert.equal(res.body.requestId, 'trace-abc.123');
  });

  test('validation errors are 400 and name each rejected field', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: '', scopes: ['read', 'root'], extra: 1 });
    assert.equal(res.status, 400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['extra', 'name', 'scopes']);
    assert.match(res.body.detail, /scopes: each scope must be one of read, submit, write, admin/);
  });

  test('malformed JSON is a 400, not a 500', async () => {
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .set('content-type', 'application/json')
      .send('{"name":');
    assert.equal(res.status, 400);
    assert.match(res.body.detail, /not valid JSON/);
  });

  test('a body over the configured limit is a 413 problem', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(6 * 1024 * 1024), scopes: ['read'] });
    const res = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .set('content-type', 'application/json')
      .send(big);
    assert.equal(res.status, 413);
    assert.match(res.body.detail, /larger than the limit of 5242880 bytes/);
    assert.ok(res.body.requestId);
  });
});

describe('foundation: API keys and scopes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('no key is 401; an unknown key is 401; a malformed header is 401', async () => {
    let res = await t.http.get('/api/v1/api-keys').expect(401);
    assert.match(res.body.detail, /missing API key/);
    res = await t.http.get('/api/v1/api-keys').set('authorization', 'Bearer not-a-key').expect(401);
    assert.match(res.body.detail, /unknown or revoked/);
    await t.http.get('/api/v1/api-keys').set('authorization', 'Basic abc').expect(401);
  });

  test('a created key is shown once, is stored hashed, and works with its scopes only', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'reader', scopes: ['read'] })
      .expect(201);
    assert.match(created.body.key, /^ckb_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(created.body.scopes, ['read']);
    const list = await t.http.get('/api/v1/api-keys').set(t.admin).expect(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    assert.ok(listed);
    const text = JSON.stringify(list.body);
    assert.ok(!text.includes(created.body.key), 'the key itself is never listed');
    assert.ok(!/hash/i.test(text), 'no hash field is listed');
    const { DataSource } = await import('typeorm');
    const [row] = await t.app
      .get(DataSource)
      .query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
    assert.match(row.key_hash, /^[0-9a-f]{64}$/);
    assert.ok(!row.key_hash.includes(created.body.key));
    // A read key may not use an admin route: 403, not 401.
    const reader = { authorization: `Bearer ${created.body.key}` };
    const forbidden = await t.http.get('/api/v1/api-keys').set(reader).expect(403);
    assert.match(forbidden.body.detail, /lacks the "admin" scope/);
  });

  test('a revoked key is 401 and disappears from the list', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'temp', scopes: ['admin'] })
      .expect(201);
    const auth = { authorization: `Bearer ${created.body.key}` };
    await t.http.get('/api/v1/api-keys').set(auth).expect(200);
    await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(t.admin).expect(204);
    await t.http.get('/api/v1/api-keys').set(auth).expect(401);
    const list = await t.http.get('/api/v1/api-keys').set(t.admin).expect(200);
    assert.ok(!list.body.items.some((k: { id: string }) => k.id === created.body.id));
    await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(t.admin).expect(404);
    await t.http.delete('/api/v1/api-keys/not-a-uuid').set(t.admin).expect(400);
  });

  test('admin implies every scope; the bootstrap admin key works', async () => {
    const admin = await keyWithScopes(t, 'admin');
    await t.http.get('/api/v1/api-keys').set(admin).expect(200);
    await t.http.get('/api/v1/api-keys').set('authorization', `Bearer ${ADMIN_KEY}`).expect(200);
  });
});

describe('foundation: authenticated keys are remembered briefly', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { CRASHKB_API_KEY_CACHE_MS: '400' } });
  });
  after(async () => t?.close());

  test('a key revoked by another instance (in the database) stops working within the cache window', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'bot', scopes: ['read'] })
      .expect(201);
    const auth = { authorization: `Bearer ${created.body.key}` };
    await t.http.get('/api/v1/signatures?limit=1').set(auth).expect(200);
    const { DataSource } = await import('typeorm');
    await t.app
      .get(DataSource)
      .query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [created.body.id]);
    // Remembered: this request does not ask the database.
    await t.http.get('/api/v1/signatures?limit=1').set(auth).expect(200);
    await new Promise((r) => setTimeout(r, 500));
    const res = await t.http.get('/api/v1/signatures?limit=1').set(auth).expect(401);
    assert.match(res.body.detail, /unknown or revoked API key/);
  });

  test('revoking through this instance forgets the key at once', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'bot2', scopes: ['read'] })
      .expect(201);
    const auth = { authorization: `Bearer ${created.body.key}` };
    await t.http.get('/api/v1/signatures?limit=1').set(auth).expect(200);
    await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(t.admin).expect(204);
    await t.http.get('/api/v1/signatures?limit=1').set(auth).expect(401);
  });
});

describe('foundation: rate limiting per key', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { CRASHKB_RATE_LIMIT: '5' } });
  });
  after(() => t.close());

  test('the sixth request in a minute is 429; another key has its own budget', async () => {
    const a = await keyWithScopes(t, 'admin'); // the admin key's own budget pays for this
    for (let i = 0; i < 5; i++) await t.http.get('/api/v1/api-keys').set(a).expect(200);
    const limited = await t.http.get('/api/v1/api-keys').set(a);
    assert.equal(limited.status, 429);
    assert.match(limited.headers['content-type'], /problem\+json/);
    const b = await keyWithScopes(t, 'admin');
    await t.http.get('/api/v1/api-keys').set(b).expect(200);
    // The operator's bootstrap key is not limited.
    for (let i = 0; i < 8; i++) await t.http.get('/api/v1/api-keys').set(t.admin).expect(200);
  });
});

describe('foundation: configuration is checked at boot', () => {
  test('a bad value names the variable', () => {
    assert.throws(
      () => loadAppConfig({ PORT: 'eighty' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'PORT',
    );
    assert.throws(() => loadAppConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
    assert.throws(() => loadAppConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
    assert.throws(() => loadAppConfig({ CRASHKB_SEED: 'maybe' }), /CRASHKB_SEED/);
    assert.throws(() => loadAppConfig({ CRASHKB_MAX_DUMP_BYTES: '5 elephants' }), /CRASHKB_MAX_DUMP_BYTES/);
    assert.throws(() => loadAppConfig({ CRASHKB_WEBHOOK_SECRETS: 'fleet' }), /CRASHKB_WEBHOOK_SECRETS/);
    const ok = loadAppConfig({
      CRASHKB_MAX_DUMP_BYTES: '1m',
      CRASHKB_WEBHOOK_SECRETS: 'a:12345678,b-2:abcdefgh',
    });
    assert.equal(ok.maxDumpBytes, 1024 * 1024);
    assert.deepEqual(
      ok.webhookSecrets.map((w) => w.name),
      ['a', 'b-2'],
    );
    assert.equal(ok.port, 3000);
    assert.equal(ok.host, '127.0.0.1');
    assert.equal(ok.dataDir, './data');
    assert.equal(ok.databaseUrl, null);
  });

  test('the service process refuses to start on a bad value and says which', async () => {
    const svc = spawnService({ PORT: 'eighty', CRASHKB_DATA_DIR: 'memory://' }, 0);
    const code = await svc.exited;
    assert.equal(code, 1);
    assert.match(svc.output(), /invalid configuration: PORT: expected a whole number/);
  });
});

describe('foundation: the database going away', () => {
  test('health answers 503 and API calls 503 while the database is unreachable', async () => {
    const t = await createTestApp();
    try {
      const reader = await keyWithScopes(t, 'admin');
      if (t.embedded) {
        await t.embedded.stop();
      } else {
        // On a real server: take this test's database away under the running app.
        const { Client } = await import('pg');
        const url = new URL(t.databaseUrl);
        const name = url.pathname.slice(1);
        url.pathname = '/postgres';
        const c = new Client({ connectionString: url.toString() });
        await c.connect();
        await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
        await c.end();
      }
      const health = await t.http.get('/health');
      assert.equal(health.status, 503);
      assert.equal(health.body.status, 'error');
      const api = await t.http.get('/api/v1/api-keys').set(reader);
      assert.equal(api.status, 503, JSON.stringify(api.body));
      assert.match(api.body.detail, /database is unreachable/);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});

describe(
  'foundation: the real process',
  { skip: usingServer ? 'embedded data directory only' : false },
  () => {
    test('SIGTERM stops cleanly, finishes the request in flight, and a restart on the same data directory keeps the data', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'crashkb-restart-'));
      try {
        const env = {
          CRASHKB_DATA_DIR: join(dir, 'data'),
          CRASHKB_ADMIN_KEY: ADMIN_KEY,
          CRASHKB_SEED: '0',
          DATABASE_URL: '',
        };
        await preparedDataDir(env.CRASHKB_DATA_DIR);
        let svc = spawnService(env, await freePort());
        await waitHealthy(svc);
        const created = await fetch(`${svc.baseUrl}/api/v1/api-keys`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'survivor', scopes: ['read'] }),
        });
        assert.equal(created.status, 201);
        svc.child.kill('SIGTERM');
        assert.equal(await svc.exited, 0, svc.output());
        svc = spawnService(env, await freePort());
        await waitHealthy(svc);
        const list = await fetch(`${svc.baseUrl}/api/v1/api-keys`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        const body = (await list.json()) as { items: { name: string }[] };
        assert.deepEqual(
          body.items.map((k) => k.name),
          ['survivor'],
        );
        // A request in flight when SIGTERM arrives is finished, not cut off, and what it stored stays.
        const big = 'BUG: KASAN: slab-use-after-free in widget_free+0x1/0x2\n' + 'x'.repeat(3 * 1024 * 1024);
        const inFlight = fetch(`${svc.baseUrl}/api/v1/dumps`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
          body: big,
        });
        await new Promise((r) => setTimeout(r, 150));
        svc.child.kill('SIGTERM');
        const answered = await inFlight;
        assert.equal(answered.status, 201);
        const { id } = (await answered.json()) as { id: string };
        assert.equal(await svc.exited, 0, svc.output());
        svc = spawnService(env, await freePort());
        await waitHealthy(svc);
        const stored = await fetch(`${svc.baseUrl}/api/v1/dumps/${id}`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        assert.equal(stored.status, 200);
        assert.equal(((await stored.json()) as { content: string }).content.length, big.length);
        svc.child.kill('SIGINT');
        assert.equal(await svc.exited, 0, svc.output());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

describe('foundation: embedded maintenance', () => {
  test('VACUUM ANALYZE runs on the database (PGlite has no autovacuum)', async () => {
    const t = await createTestApp();
    try {
      const ms = await t.app.get(EmbeddedMaintenance).vacuum();
      assert.ok(ms >= 0, 'vacuum succeeded');
      const { DataSource } = await import('typeorm');
      const [row] = await t.app
        .get(DataSource)
        .query(
          `SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL AS ok FROM pg_stat_user_tables WHERE relname = 'api_keys'`,
        );
      assert.equal(row.ok, true, 'api_keys was vacuumed and analysed');
    } finally {
      await t.close();
    }
  });
});
