// Secrets at rest: webhook source and subscription secrets are encrypted in the database,
// plain-text rows of older versions are encrypted at start-up, and `crashkb secrets rotate`
// moves every secret to a new key. Runs on the embedded database in a directory (key file
// beside it) or, with DATABASE_URL, with the key from CRASHKB_SECRET_KEY.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/config/app-config';
import { keyId, SecretBox } from '../../src/secrets/secret-box';
import { rotateSecrets } from '../../src/secrets/rotate';
import { secretKeyFile } from '../../src/secrets/secret-keys';
import { signPayload } from '../../src/webhooks/webhook-signature';
import { createFreshDatabase, createTestApp, TEST_SECRET_KEY, type TestApp } from '../support/app';

const usingServer = !!process.env.DATABASE_URL && process.env.DATABASE_URL.trim() !== '';
const SOURCE_SECRET = 'source-secret-never-in-the-table-1';
const LEGACY_SECRET = 'legacy-plain-text-secret-from-v1';
const SUB_SECRET = 'subscription-secret-never-stored-2';

function signed(t: TestApp, source: string, secret: string, id: string) {
  const body = JSON.stringify({ content: 'BUG: KASAN: slab-use-after-free in foo_bar+0x1/0x2\n' });
  const ts = Math.floor(Date.now() / 1000);
  return t.http
    .post(`/api/v1/webhooks/${source}`)
    .set('content-type', 'application/json')
    .set('x-crashkb-signature', `t=${ts},v1=${signPayload(secret, ts, body)}`)
    .set('x-crashkb-delivery', id)
    .send(body);
}

async function tables(t: TestApp): Promise<string> {
  const ds = t.app.get(DataSource);
  return JSON.stringify([
    await ds.query(`SELECT * FROM webhook_sources`),
    await ds.query(`SELECT * FROM subscriptions`),
  ]);
}

describe('secrets at rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crashkb-secrets-'));
  const dataDir = join(dir, 'data');
  const NEW_KEY = 'b2'.repeat(32);
  // Embedded: no CRASHKB_SECRET_KEY, the key file beside the data directory. Server: the env key.
  const env = usingServer
    ? { CRASHKB_SECRET_KEY: TEST_SECRET_KEY, CRASHKB_ALLOW_PRIVATE_URLS: '1' }
    : { CRASHKB_DATA_DIR: dataDir, CRASHKB_SECRET_KEY: undefined, CRASHKB_ALLOW_PRIVATE_URLS: '1' };
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | null = null;
  const open = async (extra: Record<string, string | undefined> = {}) => {
    if (usingServer && !databaseUrl) {
      // One server database across the restarts of this file.
      const fresh = await createFreshDatabase();
      databaseUrl = fresh.url;
      drop = fresh.drop;
    }
    return createTestApp({ env: { ...env, ...extra }, databaseUrl });
  };
  after(async () => {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  test('secrets are encrypted in the tables; a plain-text row from an older version is encrypted at start', async () => {
    let t = await open();
    try {
      if (!usingServer) {
        assert.equal(existsSync(secretKeyFile(dataDir)), false, 'no key is made before a secret is stored');
      }
      await t.http
        .post('/api/v1/webhook-sources')
        .set(t.admin)
        .send({ name: 'fleet', secret: SOURCE_SECRET })
        .expect(201);
      await t.http
        .post('/api/v1/subscriptions')
        .set(t.admin)
        .send({ url: 'http://127.0.0.1:9/hook', secret: SUB_SECRET, events: ['bucket.created'] })
        .expect(201);
      // What an older version left behind: the secret in plain text.
      await t.app
        .get(DataSource)
        .query(`INSERT INTO webhook_sources (name, secret) VALUES ('legacy', $1)`, [LEGACY_SECRET]);
      const stored = await tables(t);
      assert.equal(stored.includes(SOURCE_SECRET), false, 'no plain webhook secret');
      assert.equal(stored.includes(SUB_SECRET), false, 'no plain subscription secret');
      assert.match(stored, /enc:v1:/);
      await signed(t, 'fleet', SOURCE_SECRET, 'sec-1').expect(202);
    } finally {
      await t.close();
    }
    if (!usingServer) {
      const file = secretKeyFile(dataDir);
      assert.ok(existsSync(file), 'the key is kept beside the data directory');
      assert.equal(statSync(file).mode & 0o077, 0, 'readable by the owner only');
    }

    t = await open();
    try {
      const stored = await tables(t);
      for (const s of [SOURCE_SECRET, SUB_SECRET, LEGACY_SECRET]) assert.equal(stored.includes(s), false, s);
      const [legacy] = await t.app
        .get(DataSource)
        .query(`SELECT secret, secret_enc FROM webhook_sources WHERE name = 'legacy'`);
      assert.equal(legacy.secret, null);
      assert.match(legacy.secret_enc, /^enc:v1:/);
      await signed(t, 'legacy', LEGACY_SECRET, 'sec-2').expect(202);
      await signed(t, 'legacy', 'a-wrong-secret-xxxxxxxx', 'sec-3').expect(401);
    } finally {
      await t.close();
    }
  });

  test('crashkb secrets rotate moves every secret to the new key; the old key no longer opens them', async () => {
    const oldKey = usingServer ? TEST_SECRET_KEY : readFileSync(secretKeyFile(dataDir), 'utf8').trim();
    const config = loadAppConfig(
      usingServer
        ? { DATABASE_URL: databaseUrl, CRASHKB_SECRET_KEY: `${TEST_SECRET_KEY}` }
        : { CRASHKB_DATA_DIR: dataDir },
    );
    const r = await rotateSecrets(config, { newKey: NEW_KEY });
    assert.equal(r.unreadable.length, 0);
    assert.equal(r.rewrapped, 3, 'fleet, legacy and the subscription');
    assert.equal(r.keyId, keyId(Buffer.from(NEW_KEY, 'hex')));
    if (usingServer) assert.equal(r.printKey, NEW_KEY);
    else {
      assert.equal(readFileSync(secretKeyFile(dataDir), 'utf8').trim(), NEW_KEY);
      assert.notEqual(oldKey, NEW_KEY);
    }
    const t = await open(usingServer ? { CRASHKB_SECRET_KEY: NEW_KEY } : {});
    try {
      const rows: { name: string; secret_enc: string }[] = await t.app
        .get(DataSource)
        .query(`SELECT name, secret_enc FROM webhook_sources ORDER BY name`);
      const oldBox = new SecretBox([Buffer.from(oldKey, 'hex')]);
      for (const row of rows) {
        assert.equal(row.secret_enc.split(':')[2], r.keyId);
        assert.throws(() => oldBox.decrypt(row.secret_enc, `webhook_sources:${row.name}`));
      }
      await signed(t, 'fleet', SOURCE_SECRET, 'sec-4').expect(202);
      await signed(t, 'legacy', LEGACY_SECRET, 'sec-5').expect(202);
    } finally {
      await t.close();
    }
  });

  test('a ciphertext copied onto another row does not open', () => {
    const box = new SecretBox([Buffer.from(NEW_KEY, 'hex')]);
    const enc = box.encrypt('s3cret', 'webhook_sources:a');
    assert.equal(box.decrypt(enc, 'webhook_sources:a'), 's3cret');
    assert.throws(() => box.decrypt(enc, 'webhook_sources:b'), /does not decrypt/);
    // Flip one ciphertext bit (editing a base64 character could leave it unchanged by chance).
    const parts = enc.split(':');
    const ct = Buffer.from(parts[parts.length - 1]!, 'base64url');
    ct.writeUInt8(ct.readUInt8(0) ^ 1, 0);
    const tampered = [...parts.slice(0, -1), ct.toString('base64url')].join(':');
    assert.notEqual(tampered, enc);
    assert.throws(() => box.decrypt(tampered, 'webhook_sources:a'), /does not decrypt/);
  });

  test('CRASHKB_SECRET_KEY must be 32 bytes; with DATABASE_URL webhook secrets need it', () => {
    assert.throws(() => loadAppConfig({ CRASHKB_SECRET_KEY: 'too-short' }), /CRASHKB_SECRET_KEY/);
    assert.equal(loadAppConfig({ CRASHKB_SECRET_KEY: `${NEW_KEY},${TEST_SECRET_KEY}` }).secretKeys.length, 2);
    assert.throws(
      () =>
        loadAppConfig({ DATABASE_URL: 'postgres://x/y', CRASHKB_WEBHOOK_SECRETS: 'fleet:0123456789abcdef' }),
      /CRASHKB_SECRET_KEY: required with DATABASE_URL/,
    );
  });
});

describe('no key with DATABASE_URL', { skip: !usingServer && 'needs DATABASE_URL' }, () => {
  test('storing a secret is refused with 409 naming CRASHKB_SECRET_KEY', async () => {
    const t = await createTestApp({ env: { CRASHKB_SECRET_KEY: undefined } });
    try {
      const r = await t.http
        .post('/api/v1/webhook-sources')
        .set(t.admin)
        .send({ name: 'fleet', secret: SOURCE_SECRET });
      assert.equal(r.status, 409);
      assert.match(r.body.detail, /CRASHKB_SECRET_KEY/);
    } finally {
      await t.close();
    }
  });
});
