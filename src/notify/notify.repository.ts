// SQL for subscriptions, the event outbox and the delivery queue (see the Notifications migration).
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export const EVENTS = ['dump.matched', 'bucket.created', 'bucket.growing', 'signature.changed'] as const;
export type NotifyEvent = (typeof EVENTS)[number];

export interface SubscriptionRow {
  id: string;
  url: string;
  events: NotifyEvent[];
  status: 'active' | 'paused';
  pausedReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
}

export interface DeliveryLogRow {
  deliveryId: string;
  event: NotifyEvent;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  error: string | null;
  count: number;
  createdAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

export interface OutboxEvent {
  id: string;
  event: NotifyEvent;
  signatureId: string | null;
  bucketId: string | null;
  dumpId: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** The last dump.matched delivery of one (subscription, signature): the coalescing state. */
export interface CoalesceHead {
  seq: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  coalescing: boolean;
  windowEndsAt: Date | null;
  count: number;
  data: Record<string, unknown>;
}

export interface NewDelivery {
  subscriptionId: string;
  event: NotifyEvent;
  orderKey: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  coalescing?: boolean;
  windowEndsAt?: Date | null;
  /** null: due now. */
  nextAttemptAt?: Date | null;
}

export interface ClaimedNotification {
  seq: string;
  deliveryId: string;
  subscriptionId: string;
  event: NotifyEvent;
  data: Record<string, unknown>;
  occurredAt: Date;
  attempts: number;
  url: string;
  secretEnc: string;
}

const SUB_COLUMNS = `id, url, events, status, paused_reason AS "pausedReason", failing_since AS "failingSince",
  created_at AS "createdAt"`;

@Injectable()
export class NotifyRepository {
  constructor(private readonly ds: DataSource) {}

  async createSubscription(s: {
    id: string;
    url: string;
    secretEnc: string;
    events: NotifyEvent[];
  }): Promise<SubscriptionRow> {
    const [row] = await this.ds.query(
      `INSERT INTO subscriptions (id, url, secret_enc, events) VALUES ($1, $2, $3, $4::text[]) RETURNING ${SUB_COLUMNS}`,
      [s.id, s.url, s.secretEnc, s.events],
    );
    return row;
  }

  listSubscriptions(): Promise<SubscriptionRow[]> {
    return this.ds.query(`SELECT ${SUB_COLUMNS} FROM subscriptions ORDER BY created_at, id`);
  }

  async findSubscription(id: string): Promise<SubscriptionRow | null> {
    const [row] = await this.ds.query(`SELECT ${SUB_COLUMNS} FROM subscriptions WHERE id = $1`, [id]);
    return row ?? null;
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const rows = await this.ds.query(`DELETE FROM subscriptions WHERE id = $1 RETURNING id`, [id]);
    return (Array.isArray(rows[0]) ? rows[0] : rows).length > 0;
  }

  async resumeSubscription(id: string): Promise<SubscriptionRow | null> {
    const [[row]] = await this.ds.query(
      `UPDATE subscriptions SET status = 'active', paused_reason = NULL, failing_since = NULL, updated_at = now()
       WHERE id = $1 RETURNING ${SUB_COLUMNS}`,
      [id],
    );
    return row ?? null;
  }

  deliveries(subscriptionId: string, limit: number): Promise<DeliveryLogRow[]> {
    return this.ds.query(
      `SELECT delivery_id AS "deliveryId", event, status, attempts, last_status AS "lastStatus", error,
              coalesced_count AS count, created_at AS "createdAt",
              CASE WHEN status = 'pending' THEN next_attempt_at END AS "nextAttemptAt", delivered_at AS "deliveredAt"
       FROM notification_deliveries WHERE subscription_id = $1 ORDER BY seq DESC LIMIT ${limit}`,
      [subscriptionId],
    );
  }

  // ---- fan-out (inside one transaction: use only `em`) -------------------------------------

  async hasEvents(): Promise<boolean> {
    return (await this.ds.query(`SELECT 1 FROM notification_events LIMIT 1`)).length > 0;
  }

  /** Takes the oldest events off the outbox (they are gone when the transaction commits). */
  async takeEvents(em: EntityManager, limit: number): Promise<OutboxEvent[]> {
    // TypeORM answers a DELETE with [rows, affected].
    const [rows]: [OutboxEvent[], number] = await em.query(
      `DELETE FROM notification_events WHERE id IN (
         SELECT id FROM notification_events ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, event, signature_id AS "signatureId", bucket_id AS "bucketId",
                 dump_id AS "dumpId", data, occurred_at AS "occurredAt"`,
    );
    return rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  activeSubscribers(em: EntityManager): Promise<{ id: string; events: NotifyEvent[] }[]> {
    return em.query(`SELECT id, events FROM subscriptions WHERE status = 'active' ORDER BY id`);
  }

  /** Signatures as notifications show them: {id, key, title, status} and their fixes (API Fix shape). */
  async signatures(
    em: EntityManager,
    ids: string[],
  ): Promise<Map<string, { id: string; key: string; title: string; status: string; fixes: unknown[] }>> {
    const out = new Map();
    if (ids.length === 0) return out;
    const rows = await em.query(
      `SELECT s.id, s.key, s.title, s.status, s.deleted_at IS NOT NULL AS deleted,
              coalesce((SELECT json_agg(json_strip_nulls(json_build_object('kind', f.kind, 'ref', f.ref, 'url', f.url,
                          'description', f.description, 'fixedIn', f.fixed_in)) ORDER BY f.position)
                        FROM signature_fixes f WHERE f.signature_id = s.id), '[]'::json) AS fixes
       FROM signatures s WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows) out.set(r.id, r);
    return out;
  }

  async dumps(
    em: EntityManager,
    ids: string[],
  ): Promise<
    Map<
      string,
      { id: string; title: string | null; host: string | null; source: string | null; matches: unknown }
    >
  > {
    const out = new Map();
    if (ids.length === 0) return out;
    const rows = await em.query(
      `SELECT id, title, host, source, matches FROM dumps WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows) out.set(r.id, r);
    return out;
  }

  async buckets(
    em: EntityManager,
    ids: string[],
  ): Promise<
    Map<
      string,
      {
        id: string;
        fingerprint: string;
        title: string | null;
        kind: string;
        signatureId: string | null;
        occurrences: number;
        dumpCount: number;
      }
    >
  > {
    const out = new Map();
    if (ids.length === 0) return out;
    const rows = await em.query(
      `SELECT id, fingerprint, title, kind, signature_id AS "signatureId", occurrences::int AS occurrences,
              dump_count AS "dumpCount" FROM buckets WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows) out.set(r.id, r);
    return out;
  }

  /** The newest dump.matched delivery of one (subscription, signature), locked for this fan-out. */
  async coalesceHead(
    em: EntityManager,
    subscriptionId: string,
    orderKey: string,
  ): Promise<CoalesceHead | null> {
    const [row] = await em.query(
      `SELECT seq::text AS seq, status, attempts, coalescing, window_ends_at AS "windowEndsAt",
              coalesced_count AS count, data
       FROM notification_deliveries
       WHERE subscription_id = $1 AND order_key = $2 AND event = 'dump.matched'
       ORDER BY seq DESC LIMIT 1 FOR UPDATE`,
      [subscriptionId, orderKey],
    );
    return row ?? null;
  }

  async insertDelivery(em: EntityManager, d: NewDelivery): Promise<string> {
    const [row] = await em.query(
      `INSERT INTO notification_deliveries (subscription_id, event, order_key, data, occurred_at, coalescing,
                                            window_ends_at, coalesced_count, next_attempt_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, coalesce($9::timestamptz, now()))
       RETURNING seq::text AS seq`,
      [
        d.subscriptionId,
        d.event,
        d.orderKey,
        JSON.stringify(d.data),
        d.occurredAt,
        d.coalescing ?? false,
        d.windowEndsAt ?? null,
        typeof d.data.count === 'number' ? d.data.count : 1,
        d.nextAttemptAt ?? null,
      ],
    );
    return row.seq;
  }

  /** Folds more dumps into a coalescing delivery that has not been attempted yet. */
  async updateCoalesced(
    em: EntityManager,
    seq: string,
    data: Record<string, unknown>,
    occurredAt: Date,
  ): Promise<boolean> {
    const res = await em.query(
      `UPDATE notification_deliveries SET data = $2::jsonb, coalesced_count = $3, occurred_at = $4
       WHERE seq = $1 AND attempts = 0 AND status = 'pending' RETURNING seq`,
      [seq, JSON.stringify(data), data.count, occurredAt],
    );
    return (Array.isArray(res[0]) ? res[0] : res).length > 0;
  }

  // ---- sending ---------------------------------------------------------------------------

  /**
   * Claims the next due delivery of an active subscription whose earlier deliveries for the
   * same signature or bucket are all settled (order kept), leasing it for `leaseSeconds`.
   */
  async claimNext(leaseSeconds: number): Promise<ClaimedNotification | null> {
    const [[row]] = await this.ds.query(
      `UPDATE notification_deliveries d
          SET attempts = d.attempts + 1, locked_until = now() + make_interval(secs => $1)
         FROM subscriptions s
        WHERE s.id = d.subscription_id AND d.seq = (
          SELECT c.seq FROM notification_deliveries c JOIN subscriptions cs ON cs.id = c.subscription_id
          WHERE c.status = 'pending' AND cs.status = 'active' AND c.next_attempt_at <= now()
            AND (c.locked_until IS NULL OR c.locked_until < now())
            AND NOT EXISTS (SELECT 1 FROM notification_deliveries e
                            WHERE e.subscription_id = c.subscription_id AND e.order_key = c.order_key
                              AND e.status = 'pending' AND e.seq < c.seq)
          ORDER BY c.next_attempt_at, c.seq LIMIT 1 FOR UPDATE OF c SKIP LOCKED)
       RETURNING d.seq::text AS seq, d.delivery_id AS "deliveryId", d.subscription_id AS "subscriptionId",
                 d.event, d.data, d.occurred_at AS "occurredAt", d.attempts, s.url, s.secret_enc AS "secretEnc"`,
      [leaseSeconds],
    );
    return row ?? null;
  }

  async markDelivered(seq: string, subscriptionId: string, status: number): Promise<void> {
    await this.ds.query(
      `UPDATE notification_deliveries SET status = 'delivered', last_status = $2, error = NULL,
              delivered_at = now(), locked_until = NULL WHERE seq = $1`,
      [seq, status],
    );
    await this.ds.query(
      `UPDATE subscriptions SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
      [subscriptionId],
    );
  }

  /**
   * Records a failed attempt. Returns 'paused' when the subscription has now been failing for
   * `pauseAfterSeconds`: it is paused and this delivery given up; otherwise it is retried.
   */
  async markFailed(
    seq: string,
    subscriptionId: string,
    status: number | null,
    error: string,
    retryInSeconds: number,
    pauseAfterSeconds: number,
  ): Promise<'retry' | 'paused'> {
    const [[sub]] = await this.ds.query(
      `UPDATE subscriptions SET failing_since = coalesce(failing_since, now()) WHERE id = $1
       RETURNING failing_since <= now() - make_interval(secs => $2) AS expired`,
      [subscriptionId, pauseAfterSeconds],
    );
    if (sub?.expired) {
      const reason = `failing since more than ${Math.round(pauseAfterSeconds / 3600)} h; last: ${error}`;
      await this.ds.query(
        `UPDATE subscriptions SET status = 'paused', paused_reason = $2, updated_at = now() WHERE id = $1`,
        [subscriptionId, reason.slice(0, 500)],
      );
      await this.ds.query(
        `UPDATE notification_deliveries SET status = 'failed', last_status = $2, error = $3, locked_until = NULL
         WHERE seq = $1`,
        [seq, status, `given up, subscription paused: ${error}`.slice(0, 500)],
      );
      return 'paused';
    }
    await this.ds.query(
      `UPDATE notification_deliveries SET last_status = $2, error = $3, locked_until = NULL,
              next_attempt_at = now() + make_interval(secs => $4) WHERE seq = $1`,
      [seq, status, error.slice(0, 500), retryInSeconds],
    );
    return 'retry';
  }
}
