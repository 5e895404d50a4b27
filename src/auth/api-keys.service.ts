import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiKey, type Scope } from './api-key.entity';
import { BOOTSTRAP_ADMIN_ID, type Principal } from './principal';

// Keys are 32 random bytes, so a plain SHA-256 is enough to store them safely
// (no dictionary to resist), and it lets us look a key up by its hash in one query.
function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const LAST_USED_RESOLUTION_MS = 60_000;
/** Keys remembered at most; the oldest is forgotten first (a flood of distinct keys costs queries, not memory). */
const MAX_CACHED_KEYS = 10_000;

export interface CreatedApiKey {
  id: string;
  name: string;
  key: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

@Injectable()
export class ApiKeysService {
  private readonly adminKeyHash: Buffer | null;
  private readonly lastUsedWritten = new Map<string, number>();
  /**
   * Live keys by hash, trusted until `until`: on the embedded database the lookup doubled the
   * cost of a small /match (bench in README). Unknown keys are never remembered.
   */
  private readonly live = new Map<string, { principal: Principal; until: number }>();
  private readonly cacheMs: number;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminKeyHash = config.adminKey ? Buffer.from(hashKey(config.adminKey), 'hex') : null;
    this.cacheMs = config.apiKeyCacheMs;
  }

  async create(name: string, scopes: Scope[]): Promise<CreatedApiKey> {
    const key = `ckb_${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.save(
      this.keys.create({
        name,
        scopes: [...new Set(scopes)],
        prefix: key.slice(0, 12),
        keyHash: hashKey(key),
      }),
    );
    return {
      id: row.id,
      name: row.name,
      key,
      prefix: row.prefix,
      scopes: row.scopes,
      createdAt: row.createdAt,
    };
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.keys.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return rows.map(({ id, name, prefix, scopes, createdAt, lastUsedAt }) => ({
      id,
      name,
      prefix,
      scopes,
      createdAt,
      lastUsedAt,
    }));
  }

  /** Revokes a live key; false when there is no such live key. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    for (const [hash, entry] of this.live) if (entry.principal.keyId === id) this.live.delete(hash);
    return (result.affected ?? 0) > 0;
  }

  /** The principal a presented key stands for, or null for an unknown or revoked key. */
  async authenticate(presented: string): Promise<Principal | null> {
    const hash = hashKey(presented);
    if (this.adminKeyHash && timingSafeEqual(this.adminKeyHash, Buffer.from(hash, 'hex'))) {
      return { keyId: BOOTSTRAP_ADMIN_ID, name: 'CRASHKB_ADMIN_KEY', scopes: ['admin'] };
    }
    const now = Date.now();
    const cached = this.live.get(hash);
    if (cached && cached.until > now) {
      this.touch(cached.principal.keyId);
      return cached.principal;
    }
    if (cached) this.live.delete(hash);
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (!row) return null;
    this.touch(row.id);
    const principal: Principal = { keyId: row.id, name: row.name, scopes: row.scopes };
    if (this.cacheMs > 0) {
      if (this.live.size >= MAX_CACHED_KEYS) this.live.delete(this.live.keys().next().value as string);
      this.live.set(hash, { principal, until: now + this.cacheMs });
    }
    return principal;
  }

  // last_used_at is informative: written at most once a minute per key, off the request path.
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    this.keys.update({ id }, { lastUsedAt: new Date(now) }).catch(() => undefined);
  }
}
