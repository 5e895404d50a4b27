// Browser sessions: an API key typed once on the web page is exchanged for a random token in
// an http-only, SameSite=Strict cookie. The table keeps only the token's hash and the key it
// stands for; each request re-reads the key, so a revoked key ends its sessions at once.
import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Scope } from './api-key.entity';
import { BOOTSTRAP_ADMIN_ID, type Principal } from './principal';

export const SESSION_COOKIE = 'crashkb_session';
export const CSRF_HEADER = 'x-csrf-token';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The CSRF token of a session, derived from its secret token: the page reads it from
 * GET /api/v1/session (same origin only) and echoes it in X-CSRF-Token on every change.
 * Another site can make the browser send the cookie but can neither read nor derive this.
 */
export function csrfTokenFor(token: string): string {
  return sha256(`crashkb-csrf:${token}`).toString('base64url');
}

/** The session token in the Cookie header, if any (no cookie parser needed for one cookie). */
export function sessionCookie(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request that changes something on the strength of a cookie must come from this origin:
 * an Origin header, when the browser sends one, must be ours (SameSite=Strict is the first
 * wall, this the second, the CSRF token the third).
 */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  // req.host: the Host header, or X-Forwarded-Host from a trusted (loopback) proxy.
  if (host === null || host !== (req.host ?? req.headers.host)) {
    throw new ForbiddenException('cross-origin request refused: the Origin is not this service');
  }
}

export interface SessionView {
  name: string;
  scopes: Scope[];
  csrfToken: string;
  expiresAt: string;
}

export interface ResolvedSession {
  principal: Principal;
  token: string;
  expiresAt: Date;
}

@Injectable()
export class SessionsService {
  /** `bootstrap-admin:<hash prefix>`: a session of CRASHKB_ADMIN_KEY ends when that key changes. */
  private readonly bootstrapId: string | null;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.bootstrapId = config.adminKey
      ? `${BOOTSTRAP_ADMIN_ID}:${sha256(config.adminKey).toString('hex').slice(0, 16)}`
      : null;
  }

  get ttlSeconds(): number {
    return this.config.sessionTtlSeconds;
  }

  /** Opens a session for an authenticated key; the token is returned once, only its hash is kept. */
  async open(principal: Principal): Promise<{ token: string; view: SessionView }> {
    const token = randomBytes(32).toString('base64url');
    const keyId = principal.keyId === BOOTSTRAP_ADMIN_ID ? this.bootstrapId : principal.keyId;
    if (keyId === null) throw new UnauthorizedException('unknown or revoked API key');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlSeconds * 1000);
    // Expired rows are swept here, on the rare path, with the index on expires_at.
    await this.ds.query(`DELETE FROM ui_sessions WHERE expires_at < now()`);
    await this.ds.query(`INSERT INTO ui_sessions (token_hash, key_id, expires_at) VALUES ($1, $2, $3)`, [
      sha256(token).toString('hex'),
      keyId,
      expiresAt,
    ]);
    return { token, view: this.view(principal, token, expiresAt) };
  }

  view(principal: Principal, token: string, expiresAt: Date): SessionView {
    return {
      name: principal.name,
      scopes: principal.scopes,
      csrfToken: csrfTokenFor(token),
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** The live session a token stands for, or null (unknown, expired, logged out, key revoked). */
  async resolve(token: string): Promise<ResolvedSession | null> {
    const [row]: { keyId: string; expiresAt: Date }[] = await this.ds.query(
      `SELECT key_id AS "keyId", expires_at AS "expiresAt" FROM ui_sessions
       WHERE token_hash = $1 AND expires_at > now()`,
      [sha256(token).toString('hex')],
    );
    if (!row) return null;
    if (row.keyId.startsWith(`${BOOTSTRAP_ADMIN_ID}:`)) {
      if (row.keyId !== this.bootstrapId) return null;
      return {
        principal: { keyId: BOOTSTRAP_ADMIN_ID, name: 'CRASHKB_ADMIN_KEY', scopes: ['admin'] },
        token,
        expiresAt: new Date(row.expiresAt),
      };
    }
    const [key]: { id: string; name: string; scopes: Scope[] }[] = await this.ds.query(
      `SELECT id, name, scopes FROM api_keys WHERE id::text = $1 AND revoked_at IS NULL`,
      [row.keyId],
    );
    if (!key) return null;
    return {
      principal: { keyId: key.id, name: key.name, scopes: key.scopes },
      token,
      expiresAt: new Date(row.expiresAt),
    };
  }

  /**
   * The principal of a request that carries a session cookie and no Authorization header.
   * Unsafe methods also need the same origin and the session's CSRF token.
   */
  async authenticate(req: Request, token: string): Promise<Principal> {
    const session = await this.resolve(token);
    if (!session) throw new UnauthorizedException('session expired or logged out: log in again');
    if (!SAFE_METHODS.has(req.method)) this.assertCsrf(req, token);
    return session.principal;
  }

  assertCsrf(req: Request, token: string): void {
    assertSameOrigin(req);
    const sent = req.headers[CSRF_HEADER];
    const expected = Buffer.from(csrfTokenFor(token));
    const got = Buffer.from(typeof sent === 'string' ? sent : '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw new ForbiddenException(
        'missing or wrong X-CSRF-Token header: a change made with a session cookie needs the token GET /api/v1/session gives',
      );
    }
  }

  async close(token: string): Promise<void> {
    await this.ds.query(`DELETE FROM ui_sessions WHERE token_hash = $1`, [sha256(token).toString('hex')]);
  }
}
