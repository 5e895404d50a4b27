import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { secretContext, SecretsService } from '../secrets/secrets.service';

export type DeliveryStatus = 'queued' | 'processing' | 'done' | 'failed';

export interface DeliveryRow {
  deliveryId: string;
  source: string;
  status: DeliveryStatus;
  attempts: number;
  error: string | null;
  dumpIds: string[];
  receivedAt: Date;
  updatedAt: Date;
}

export interface SourceRow {
  id: string;
  name: string;
  format: string;
  createdAt: Date;
}

/** A source with its secret as stored: encrypted (`secretEnc`) or, left by an older version, plain. */
export interface StoredSourceRow extends SourceRow {
  secretEnc: string | null;
  legacySecret: string | null;
}

export interface ClaimedDelivery {
  deliveryId: string;
  source: string;
  body: string;
  contentType: string | null;
  attempts: number;
  /** Dumps already stored by an earlier, interrupted attempt. */
  dumpIds: string[];
  /** The source's format (generic when the source is gone). */
  format: string;
}

const DELIVERY_COLUMNS = `delivery_id AS "deliveryId", source, status, attempts, error, dump_ids AS "dumpIds",
  received_at AS "receivedAt", updated_at AS "updatedAt"`;

@Injectable()
export class WebhooksRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly secrets: SecretsService,
  ) {}

  async findSource(name: string): Promise<StoredSourceRow | null> {
    const [row] = await this.ds.query(
      `SELECT id, name, secret_enc AS "secretEnc", secret AS "legacySecret", format, created_at AS "createdAt"
       FROM webhook_sources WHERE name = $1`,
      [name],
    );
    return row ?? null;
  }

  /** The source's secret in plain text (throws SecretKeyError when no configured key opens it). */
  sourceSecret(row: StoredSourceRow): string {
    return this.secrets.open(row.secretEnc, row.legacySecret, secretContext('webhook_sources', row.name));
  }

  async listSources(): Promise<SourceRow[]> {
    return this.ds.query(
      `SELECT id, name, format, created_at AS "createdAt" FROM webhook_sources ORDER BY name`,
    );
  }

  /**
   * Creates or replaces a source's secret (stored encrypted) and format (null: keep the one it
   * has, generic for a new source); returns whether it was new.
   */
  async upsertSource(
    name: string,
    secret: string,
    format: string | null,
  ): Promise<{ row: SourceRow; created: boolean }> {
    const sealed = this.secrets.seal(secret, secretContext('webhook_sources', name));
    const [row] = await this.ds.query(
      `INSERT INTO webhook_sources (name, secret, secret_enc, format) VALUES ($1, NULL, $2, coalesce($3, 'generic'))
       ON CONFLICT (name) DO UPDATE SET secret = NULL, secret_enc = EXCLUDED.secret_enc,
         format = coalesce($3, webhook_sources.format), updated_at = now()
       RETURNING id, name, format, created_at AS "createdAt", (xmax = 0) AS created`,
      [name, sealed, format],
    );
    const { created, ...rest } = row;
    return { row: rest, created: created === true };
  }

  async deleteSource(name: string): Promise<boolean> {
    const res = await this.ds.query(`DELETE FROM webhook_sources WHERE name = $1`, [name]);
    return Number(res?.[1] ?? 0) > 0;
  }

  /**
   * Stores a delivery exactly once. Returns null when the id was new (it is now stored),
   * or the earlier delivery with that id.
   */
  async insertDelivery(d: {
    deliveryId: string;
    source: string;
    body: string;
    contentType: string | null;
    status: DeliveryStatus;
    error: string | null;
  }): Promise<DeliveryRow | null> {
    const inserted = await this.ds.query(
      `INSERT INTO webhook_deliveries (delivery_id, source, body, content_type, status, error)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id`,
      [d.deliveryId, d.source, d.body, d.contentType, d.status, d.error],
    );
    if (inserted.length > 0) return null;
    return this.findDelivery(d.deliveryId);
  }

  async findDelivery(id: string): Promise<DeliveryRow | null> {
    const [row] = await this.ds.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE delivery_id = $1`,
      [id],
    );
    return row ?? null;
  }

  /**
   * Claims the next due delivery (queued, or processing for longer than `staleSeconds`: its
   * worker died) by marking it processing in one statement, so two workers never take one.
   */
  async claimNext(staleSeconds: number): Promise<ClaimedDelivery | null> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [[row]] = await this.ds.query(
      `UPDATE webhook_deliveries SET status = 'processing', attempts = attempts + 1, updated_at = now(),
              next_attempt_at = now() + make_interval(secs => $1)
       WHERE delivery_id = (
         SELECT delivery_id FROM webhook_deliveries
         WHERE status IN ('queued', 'processing') AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING delivery_id AS "deliveryId", source, body, content_type AS "contentType", attempts,
                 dump_ids AS "dumpIds",
                 coalesce((SELECT format FROM webhook_sources ws WHERE ws.name = source), 'generic') AS format`,
      [staleSeconds],
    );
    return row ?? null;
  }

  /** Records one more stored dump, so a retry after a crash resumes after it instead of counting it twice. */
  async appendDump(id: string, dumpId: string): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_deliveries SET dump_ids = array_append(dump_ids, $2::uuid), updated_at = now() WHERE delivery_id = $1`,
      [id, dumpId],
    );
  }

  async finish(id: string, status: 'done' | 'failed', error: string | null): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_deliveries SET status = $2, error = $3, updated_at = now() WHERE delivery_id = $1`,
      [id, status, error],
    );
  }

  async retryLater(id: string, delaySeconds: number, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE webhook_deliveries SET status = 'queued', error = $3, updated_at = now(),
              next_attempt_at = now() + make_interval(secs => $2) WHERE delivery_id = $1`,
      [id, delaySeconds, error],
    );
  }
}
