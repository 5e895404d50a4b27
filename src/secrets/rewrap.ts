// Re-encrypts stored secrets: plain text left by an older version (at start-up), or everything
// not under the current key (`crashkb secrets rotate`). Rows are rewritten one statement each
// inside the caller's transaction, so a rotation is all or nothing.
import { SecretBox, SecretKeyError } from './secret-box';

export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface RewrapReport {
  /** Rows that held a plain-text secret and now hold it encrypted. */
  encrypted: number;
  /** Rows re-encrypted from an older key to the current one. */
  rewrapped: number;
  /** Rows encrypted with a key that is not configured: left as they are. */
  unreadable: string[];
}

/** Every table that stores a secret, and the associated data that binds it to its row. */
const TABLES = [
  { table: 'webhook_sources', id: 'name', context: (id: string) => `webhook_sources:${id}`, plain: 'secret' },
  { table: 'subscriptions', id: 'id', context: (id: string) => `subscriptions:${id}`, plain: null },
] as const;

export function secretContext(table: 'webhook_sources' | 'subscriptions', id: string): string {
  return `${table}:${id}`;
}

export async function rewrapSecrets(
  db: Queryable,
  box: SecretBox,
  mode: 'plaintext-only' | 'all',
): Promise<RewrapReport> {
  const report: RewrapReport = { encrypted: 0, rewrapped: 0, unreadable: [] };
  for (const t of TABLES) {
    const plainCol = t.plain ? `${t.plain}` : 'NULL::text';
    const rows = (await db.query(
      `SELECT ${t.id}::text AS id, ${plainCol} AS plain, secret_enc AS enc FROM ${t.table} ORDER BY ${t.id} FOR UPDATE`,
    )) as { id: string; plain: string | null; enc: string | null }[];
    for (const r of rows) {
      const ctx = t.context(r.id);
      let secret: string;
      if (r.enc === null) {
        if (r.plain === null) continue;
        secret = r.plain;
        report.encrypted++;
      } else {
        if (mode === 'plaintext-only' || !box.needsRewrap(r.enc)) continue;
        try {
          secret = box.decrypt(r.enc, ctx);
        } catch (err) {
          if (!(err instanceof SecretKeyError)) throw err;
          report.unreadable.push(`${t.table} ${r.id}: ${err.message}`);
          continue;
        }
        report.rewrapped++;
      }
      const plainReset = t.plain ? `, ${t.plain} = NULL` : '';
      await db.query(`UPDATE ${t.table} SET secret_enc = $2${plainReset} WHERE ${t.id}::text = $1`, [
        r.id,
        box.encrypt(secret, ctx),
      ]);
    }
  }
  return report;
}

/** Rows whose secret no configured key can open (to warn about at start-up). */
export async function unreadableSecrets(db: Queryable, box: SecretBox): Promise<string[]> {
  const out: string[] = [];
  for (const t of TABLES) {
    const rows = (await db.query(
      `SELECT ${t.id}::text AS id, secret_enc AS enc FROM ${t.table} WHERE secret_enc IS NOT NULL`,
    )) as { id: string; enc: string }[];
    for (const r of rows) {
      const kid = r.enc.split(':')[2];
      if (!box.keyIds.includes(kid ?? '')) out.push(`${t.table} ${r.id} (key ${kid})`);
    }
  }
  return out;
}
