import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Submitted dumps (kept whole, deduplicated by content hash, repeats counted) and buckets
 * that group dumps by fingerprint; a bucket without a signature is an unknown bug.
 */
export class Dumps1795000002000 implements MigrationInterface {
  name = 'Dumps1795000002000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE buckets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        fingerprint text NOT NULL UNIQUE,
        title text,
        kind text NOT NULL,
        representative_dump_id uuid,
        -- The signature its dumps match (by matching, re-matching or promotion); null: unknown bug.
        signature_id uuid,
        dump_count integer NOT NULL DEFAULT 0,
        occurrences bigint NOT NULL DEFAULT 0,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        promoted_signature_id uuid,
        promoted_at timestamptz
      )`);
    await q.query(`CREATE INDEX buckets_by_count ON buckets (occurrences DESC, last_seen_at DESC)`);
    await q.query(`CREATE INDEX buckets_by_recency ON buckets (last_seen_at DESC)`);
    await q.query(`CREATE INDEX buckets_by_signature ON buckets (signature_id)`);
    await q.query(`
      CREATE TABLE dumps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_hash text NOT NULL UNIQUE,
        content text NOT NULL,
        parsed jsonb NOT NULL,
        matches jsonb NOT NULL DEFAULT '[]'::jsonb,
        title text,
        kind text NOT NULL,
        fingerprint text,
        signature_id uuid,
        bucket_id uuid REFERENCES buckets(id),
        source text,
        host text,
        metadata jsonb,
        collected_at timestamptz,
        received_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        occurrences integer NOT NULL DEFAULT 1,
        matched_at_seq bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX dumps_by_received ON dumps (received_at DESC, id)`);
    await q.query(`CREATE INDEX dumps_by_signature ON dumps (signature_id, last_seen_at DESC)`);
    await q.query(`CREATE INDEX dumps_by_bucket ON dumps (bucket_id, received_at DESC)`);
    await q.query(`CREATE INDEX dumps_by_kind ON dumps (kind, received_at DESC)`);
    // Re-matching walks the unmatched dumps that an older knowledge base version judged.
    await q.query(`CREATE INDEX dumps_unmatched ON dumps (matched_at_seq, id) WHERE signature_id IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dumps`);
    await q.query(`DROP TABLE buckets`);
  }
}
