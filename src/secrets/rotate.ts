// `crashkb secrets rotate`: re-encrypts every stored secret with a new key, in one transaction.
// The service must not be running on an embedded data directory (PGlite is one process);
// against a server it may run, see README "Secrets at rest" for the order of steps.
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MIGRATIONS_GLOB } from '../db/database.module';
import { startEmbeddedDatabase } from '../db/embedded';
import { rewrapSecrets, type RewrapReport } from './rewrap';
import { keyId, newSecretKey, parseSecretKey, SecretBox, SecretKeyError } from './secret-box';
import { readKeyFile, secretKeyFile, writeKeyFile } from './secret-keys';

export interface RotateOptions {
  /** The key to rotate to (64 hex); generated when absent. */
  newKey?: string;
}

export interface RotateResult extends RewrapReport {
  keyId: string;
  /** Where the new key went: the key file, or printed for the operator to configure. */
  keyFile: string | null;
  /** The new key, when the operator must put it into CRASHKB_SECRET_KEY (not for a key file). */
  printKey: string | null;
}

async function withDatabase<T>(config: AppConfig, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedDatabase({ dataDir: config.dataDir, maxConnections: 2 });
  const ds = new DataSource({
    type: 'postgres',
    url: config.databaseUrl ?? embedded!.url,
    migrations: [MIGRATIONS_GLOB],
    migrationsTransactionMode: 'each',
    poolSize: 1,
  });
  try {
    await ds.initialize();
    await ds.runMigrations();
    return await fn(ds);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await embedded?.stop();
  }
}

export async function rotateSecrets(config: AppConfig, opts: RotateOptions = {}): Promise<RotateResult> {
  if (config.databaseUrl === null && config.dataDir.startsWith('memory://')) {
    throw new SecretKeyError('memory:// keeps nothing: there is nothing to rotate');
  }
  const fresh = opts.newKey ?? newSecretKey();
  const next = parseSecretKey(fresh);
  if (!next) throw new SecretKeyError('--new-key: expected 64 hex characters (`crashkb secrets new-key`)');
  const useFile = config.secretKeys.length === 0 && config.databaseUrl === null;
  const file = useFile ? secretKeyFile(config.dataDir) : null;
  const old = file ? (existsSync(file) ? readKeyFile(file) : []) : config.secretKeys;
  if (old.some((k) => k.equals(next))) throw new SecretKeyError('the new key is already the configured key');
  const hex = (keys: Buffer[]) => keys.map((k) => k.toString('hex'));
  // The file names both keys while rows move, so an interrupted rotation loses nothing.
  if (file) writeKeyFile(file, hex([next, ...old]));
  const box = new SecretBox([next, ...old]);
  const report = await withDatabase(config, (ds) => ds.transaction((em) => rewrapSecrets(em, box, 'all')));
  if (file && report.unreadable.length === 0) writeKeyFile(file, hex([next]));
  return { ...report, keyId: keyId(next), keyFile: file, printKey: file ? null : next.toString('hex') };
}
