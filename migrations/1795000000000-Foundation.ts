import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (stored as SHA-256 hashes) and the extensions later migrations rely on. */
export class Foundation1795000000000 implements MigrationInterface {
  name = 'Foundation1795000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_keys_scopes_known CHECK (scopes <@ ARRAY['read','submit','write','admin']::text[])
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
