import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sessions of the web page: an API key typed once is exchanged for a random session
 * token held in an http-only cookie. Only the token's SHA-256 is stored (like API keys), with
 * the key it stands for, so revoking the key ends its sessions and logging out deletes the row.
 * `key_id` is the api_keys id as text, or `bootstrap-admin` for CRASHKB_ADMIN_KEY (no row).
 */
export class UiSessions1795000013000 implements MigrationInterface {
  name = 'UiSessions1795000013000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ui_sessions (
        token_hash text PRIMARY KEY,
        key_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ui_sessions_expires_idx ON ui_sessions (expires_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ui_sessions`);
  }
}
