// All configuration is read here, once, from the environment, and checked at boot:
// a bad value stops the process with a message that names the variable.
// Nothing else in the service reads process.env.
import { parseSecretKey } from '../secrets/secret-box';

export interface WebhookSecret {
  name: string;
  secret: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** null: the embedded PGlite database. */
  databaseUrl: string | null;
  /** PGlite data directory, or `memory://`. */
  dataDir: string;
  adminKey: string | null;
  seed: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxDumpBytes: number;
  /** Requests per minute per API key (or per client address without a key); 0 disables. */
  rateLimitPerMinute: number;
  dbPoolSize: number;
  webhookSecrets: WebhookSecret[];
  /** How many earlier dumps one background re-matching step examines. */
  rematchBatchSize: number;
  /** How long a web page login (session cookie) lasts. */
  sessionTtlSeconds: number;
  /** Keys that encrypt stored secrets (CRASHKB_SECRET_KEY=new,old): the first encrypts, all decrypt. */
  secretKeys: Buffer[];
  /** Subscriptions may point at loopback, private and link-local addresses (tests, one host). */
  allowPrivateUrls: boolean;
  /** dump.matched of one signature within this many seconds of the last are coalesced; 0: never. */
  notifyCoalesceSeconds: number;
  /**
   * How long an authenticated API key is trusted without asking the database again; 0: every
   * request asks. Revoking through this instance takes effect at once; through another, within this.
   */
  apiKeyCacheMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected 0/1/true/false, got "${raw}"`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Byte sizes accept a plain number of bytes or a k/m suffix (`5m`, `512k`). */
function byteSize(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const m = /^(\d+)\s*([kKmM]i?[bB]?)?$/.exec(raw.trim());
  if (!m) throw new ConfigError(name, `expected a size such as 5242880, 512k or 5m, got "${raw}"`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const value = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (value < 1024 || value > 256 * 1024 * 1024) throw new ConfigError(name, 'expected between 1k and 256m');
  return value;
}

function webhookSecrets(env: Env): WebhookSecret[] {
  const raw = env.CRASHKB_WEBHOOK_SECRETS;
  if (!raw || raw.trim() === '') return [];
  return raw.split(',').map((pair) => {
    const at = pair.indexOf(':');
    const name = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(name) || secret.length < 8) {
      throw new ConfigError(
        'CRASHKB_WEBHOOK_SECRETS',
        'expected name1:secret1,name2:secret2 with names of letters, digits, - or _ and secrets of 8+ characters',
      );
    }
    return { name, secret };
  });
}

function secretKeys(env: Env): Buffer[] {
  const raw = env.CRASHKB_SECRET_KEY;
  if (!raw || raw.trim() === '') return [];
  return raw.split(',').map((part) => {
    const key = parseSecretKey(part);
    if (!key) {
      throw new ConfigError(
        'CRASHKB_SECRET_KEY',
        'expected 32 bytes as 64 hex characters or base64 (`openssl rand -hex 32`), several separated by commas',
      );
    }
    return key;
  });
}

export function loadAppConfig(env: Env = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.trim() !== '' ? env.DATABASE_URL.trim() : null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      'DATABASE_URL',
      'expected a postgres:// or postgresql:// URL (or leave it unset for the embedded database)',
    );
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const adminKey = env.CRASHKB_ADMIN_KEY && env.CRASHKB_ADMIN_KEY !== '' ? env.CRASHKB_ADMIN_KEY : null;
  if (adminKey !== null && adminKey.length < 8) {
    throw new ConfigError('CRASHKB_ADMIN_KEY', 'must be at least 8 characters');
  }
  const host = (env.HOST ?? '127.0.0.1').trim() || '127.0.0.1';
  const keys = secretKeys(env);
  const sources = webhookSecrets(env);
  // With a server there is no safe place to generate a key (see src/secrets/secret-keys.ts).
  if (databaseUrl !== null && sources.length > 0 && keys.length === 0) {
    throw new ConfigError(
      'CRASHKB_SECRET_KEY',
      'required with DATABASE_URL when CRASHKB_WEBHOOK_SECRETS is set: secrets are stored encrypted (`openssl rand -hex 32`)',
    );
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    databaseUrl,
    dataDir: (env.CRASHKB_DATA_DIR ?? '').trim() || './data',
    adminKey,
    seed: bool(env, 'CRASHKB_SEED', true),
    logLevel: logLevel as AppConfig['logLevel'],
    maxDumpBytes: byteSize(env, 'CRASHKB_MAX_DUMP_BYTES', 5 * 1024 * 1024),
    rateLimitPerMinute: integer(env, 'CRASHKB_RATE_LIMIT', 6000, 0, 10_000_000),
    dbPoolSize: integer(env, 'CRASHKB_DB_POOL_SIZE', databaseUrl ? 10 : 2, 1, 100),
    webhookSecrets: sources,
    rematchBatchSize: integer(env, 'CRASHKB_REMATCH_BATCH', 500, 1, 100000),
    sessionTtlSeconds: integer(env, 'CRASHKB_SESSION_HOURS', 12, 1, 720) * 3600,
    secretKeys: keys,
    allowPrivateUrls: bool(env, 'CRASHKB_ALLOW_PRIVATE_URLS', false),
    notifyCoalesceSeconds: integer(env, 'CRASHKB_NOTIFY_COALESCE_SECONDS', 60, 0, 86400),
    apiKeyCacheMs: integer(env, 'CRASHKB_API_KEY_CACHE_MS', 5000, 0, 600_000),
  };
}

/** The injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
