import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crash collectors' webhooks: the registered sources (with the shared secret the HMAC is
 * checked against, so it is kept as given) and every accepted delivery, stored whole before
 * it is acknowledged — this table is also the work queue that processes them.
 */
export class Webhooks1795000003000 implements MigrationInterface {
  name = 'Webhooks1795000003000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_sources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        secret text NOT NULL,
        format text NOT NULL DEFAULT 'generic',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        delivery_id text PRIMARY KEY,
        source text NOT NULL,
        body text NOT NULL,
        content_type text,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        error text,
        dump_ids uuid[] NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('queued', 'processing')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_sources`);
  }
}
