import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications out (API.md "Notifications out").
 *
 * - `subscriptions`: who wants which events; the secret is stored encrypted (secret_enc, see
 *   src/secrets), never in plain text.
 * - `notification_events`: a transactional outbox. Triggers on dumps, buckets and signatures
 *   write one row in the same transaction as the change, so every path that stores a dump
 *   (API, webhooks, CLI, re-matching) is covered without the crash module knowing about
 *   notifications, and an event exists exactly when its change committed. The triggers write
 *   only when an active subscription wants the event, so without subscribers the hot submit
 *   path pays one indexed lookup and nothing else. The notifier polls this table (PGlite has
 *   no LISTEN/NOTIFY), fans each event out into deliveries and deletes it.
 * - `notification_deliveries`: the work queue and the delivery log, one row per
 *   (subscription, notification); `order_key` (sig:<id> or bucket:<id>) keeps events of one
 *   signature or bucket in order; `window_ends_at` and `coalesced_count` implement the
 *   per-signature coalescing of dump.matched bursts.
 */
export class Notifications1795000012000 implements MigrationInterface {
  name = 'Notifications1795000012000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url text NOT NULL,
        secret_enc text NOT NULL,
        events text[] NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
        -- Set at the first failure after a success; a subscription failing for a day is paused.
        failing_since timestamptz,
        paused_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX subscriptions_events ON subscriptions USING gin (events) WITH (fastupdate = off)`,
    );

    await q.query(`
      CREATE TABLE notification_events (
        id bigserial PRIMARY KEY,
        event text NOT NULL,
        signature_id uuid,
        bucket_id uuid,
        dump_id uuid,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE notification_deliveries (
        seq bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        event text NOT NULL,
        order_key text NOT NULL,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status integer,
        error text,
        -- dump.matched only: how many dumps this notification stands for, and until when
        -- further dumps of its signature are folded into the next one instead of sent at once.
        coalesced_count integer NOT NULL DEFAULT 1,
        coalescing boolean NOT NULL DEFAULT false,
        window_ends_at timestamptz,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at, seq) WHERE status = 'pending'`,
    );
    await q.query(
      `CREATE INDEX notification_deliveries_order ON notification_deliveries (subscription_id, order_key, seq)`,
    );
    await q.query(
      `CREATE INDEX notification_deliveries_log ON notification_deliveries (subscription_id, seq DESC)`,
    );

    await q.query(`
      CREATE FUNCTION notify_wanted(evt text) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (SELECT 1 FROM subscriptions WHERE status = 'active' AND events @> ARRAY[evt])
      $$`);

    // dump.matched: a dump of a known bug stored, or the same content of a known bug seen again.
    // Re-matching and promotion re-label old dumps: that is not the bug coming back, so no event.
    await q.query(`
      CREATE FUNCTION notify_dump_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.signature_id IS NOT NULL
           AND (TG_OP = 'INSERT' OR NEW.occurrences > OLD.occurrences)
           AND notify_wanted('dump.matched') THEN
          INSERT INTO notification_events (event, signature_id, dump_id, data)
          VALUES ('dump.matched', NEW.signature_id, NEW.id, jsonb_build_object('occurrences', NEW.occurrences));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER notify_dump_event AFTER INSERT OR UPDATE OF occurrences ON dumps
      FOR EACH ROW EXECUTE FUNCTION notify_dump_event()`);

    // bucket.created: a new unknown bug (a bucket born without a signature).
    // bucket.growing: a bucket's dumps (every submission, repeats included) crossing 10, 100, 1000.
    await q.query(`
      CREATE FUNCTION notify_bucket_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE threshold integer;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.signature_id IS NULL AND notify_wanted('bucket.created') THEN
            INSERT INTO notification_events (event, bucket_id, dump_id, data)
            VALUES ('bucket.created', NEW.id, NEW.representative_dump_id, '{}'::jsonb);
          END IF;
          RETURN NULL;
        END IF;
        FOREACH threshold IN ARRAY ARRAY[10, 100, 1000] LOOP
          IF OLD.occurrences < threshold AND NEW.occurrences >= threshold AND notify_wanted('bucket.growing') THEN
            INSERT INTO notification_events (event, bucket_id, signature_id, data)
            VALUES ('bucket.growing', NEW.id, NEW.signature_id, jsonb_build_object('threshold', threshold));
          END IF;
        END LOOP;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER notify_bucket_event AFTER INSERT OR UPDATE OF occurrences ON buckets
      FOR EACH ROW EXECUTE FUNCTION notify_bucket_event()`);

    // signature.changed: created, edited (every edit bumps version, fixes and notes included), deleted.
    await q.query(`
      CREATE FUNCTION notify_signature_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE change text;
      BEGIN
        IF TG_OP = 'INSERT' THEN change := 'created';
        ELSIF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN change := 'deleted';
        ELSIF NEW.deleted_at IS NULL AND OLD.deleted_at IS NOT NULL THEN change := 'restored';
        ELSIF NEW.version <> OLD.version THEN change := 'updated';
        ELSE RETURN NULL;
        END IF;
        IF notify_wanted('signature.changed') THEN
          INSERT INTO notification_events (event, signature_id, data)
          VALUES ('signature.changed', NEW.id, jsonb_build_object('change', change, 'version', NEW.version));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER notify_signature_event AFTER INSERT OR UPDATE OF version, deleted_at ON signatures
      FOR EACH ROW EXECUTE FUNCTION notify_signature_event()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER notify_signature_event ON signatures`);
    await q.query(`DROP TRIGGER notify_bucket_event ON buckets`);
    await q.query(`DROP TRIGGER notify_dump_event ON dumps`);
    await q.query(`DROP FUNCTION notify_signature_event()`);
    await q.query(`DROP FUNCTION notify_bucket_event()`);
    await q.query(`DROP FUNCTION notify_dump_event()`);
    await q.query(`DROP FUNCTION notify_wanted(text)`);
    await q.query(`DROP TABLE notification_deliveries`);
    await q.query(`DROP TABLE notification_events`);
    await q.query(`DROP TABLE subscriptions`);
  }
}
