// Boots the real service for e2e tests: the same createApp() as production, on a fresh
// database each time — the embedded PGlite (from a pre-migrated template, so each file
// does not pay initdb) by default, or a fresh database on the server DATABASE_URL names.
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createApp, type CrashkbApp } from '../../src/app.factory';
import { REPO_ROOT } from './paths';

export const ADMIN_KEY = 'test-admin-key-0123456789';
/** Encrypts stored secrets in tests; fixed so that two instances on one database share it. */
export const TEST_SECRET_KEY = 'a1'.repeat(32);

export interface TestApp extends CrashkbApp {
  http: ReturnType<typeof request>;
  /** The URL of the database this app uses (for a second instance on the same database). */
  databaseUrl: string;
  /** Authorization header for the bootstrap admin key. */
  admin: { authorization: string };
}

const serverUrl =
  process.env.DATABASE_URL && process.env.DATABASE_URL.trim() !== '' ? process.env.DATABASE_URL : null;

function migrationsHash(): string {
  const dir = join(REPO_ROOT, 'dist', 'migrations');
  const h = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.js'))
    .sort()) {
    h.update(f).update(readFileSync(join(dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** A pre-migrated PGlite data directory, made once per migration set and cached on disk. */
async function pgliteTemplate(): Promise<Blob> {
  const dir = join(REPO_ROOT, '.cache');
  const file = join(dir, `pglite-template-${migrationsHash()}.tar.gz`);
  if (!existsSync(file)) {
    const svc = await createApp({ CRASHKB_DATA_DIR: 'memory://', CRASHKB_SEED: '0', LOG_LEVEL: 'silent' });
    const blob = await svc.embedded!.db.dumpDataDir('gzip');
    await svc.close();
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file);
  }
  return new Blob([readFileSync(file)]);
}

/**
 * Fills `target` with a migrated embedded data directory (made once per migration set and
 * cached in `.cache/`), so that a test of the real process does not pay initdb: 4 s on an
 * idle machine, 90 s and more on this 2-core one under load. The directory is closed cleanly
 * (CHECKPOINT) before it is cached.
 */
export async function preparedDataDir(target: string): Promise<void> {
  const cached = join(REPO_ROOT, '.cache', `pglite-dir-${migrationsHash()}`);
  if (!existsSync(cached)) {
    const tmp = `${cached}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const svc = await createApp({
      CRASHKB_DATA_DIR: tmp,
      CRASHKB_SEED: '0',
      LOG_LEVEL: 'silent',
      DATABASE_URL: '',
    });
    await svc.close();
    renameSync(tmp, cached);
  }
  cpSync(cached, target, { recursive: true });
}

async function withServer<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl! });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createFreshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `crashkb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withServer((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withServer((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Reuse this database (second instance) instead of a fresh one. */
  databaseUrl?: string;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env: Record<string, string | undefined> = {
    CRASHKB_ADMIN_KEY: ADMIN_KEY,
    CRASHKB_SEED: '0',
    CRASHKB_SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  };
  let drop: (() => Promise<void>) | null = null;
  let svc: CrashkbApp;
  let databaseUrl: string;
  if (options.databaseUrl) {
    databaseUrl = options.databaseUrl;
    svc = await createApp({ ...env, DATABASE_URL: databaseUrl });
  } else if (serverUrl) {
    const fresh = await createFreshDatabase();
    drop = fresh.drop;
    databaseUrl = fresh.url;
    svc = await createApp({ ...env, DATABASE_URL: fresh.url });
  } else if (env.CRASHKB_DATA_DIR && env.CRASHKB_DATA_DIR !== 'memory://') {
    svc = await createApp({ ...env, DATABASE_URL: undefined });
    databaseUrl = svc.embedded!.url;
  } else {
    svc = await createApp(
      { ...env, DATABASE_URL: undefined, CRASHKB_DATA_DIR: 'memory://' },
      { loadDataDir: await pgliteTemplate() },
    );
    databaseUrl = svc.embedded!.url;
  }
  const close = svc.close;
  return {
    ...svc,
    databaseUrl,
    http: request(svc.app.getHttpServer()),
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await close();
      if (drop) await drop();
    },
  };
}

/** Creates an API key through the admin route and returns its Authorization header. */
export async function keyWithScopes(t: TestApp, ...scopes: string[]): Promise<{ authorization: string }> {
  const res = await t.http
    .post('/api/v1/api-keys')
    .set(t.admin)
    .send({ name: `key-${scopes.join('-')}`, scopes });
  if (res.status !== 201) throw new Error(`creating a key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { authorization: `Bearer ${res.body.key}` };
}
