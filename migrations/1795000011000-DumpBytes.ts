import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dumps are kept byte for byte (issue 11). PostgreSQL text holds no NUL and only valid UTF-8,
 * and jsonb holds no \u0000 and only bounded nesting, so `content` and `metadata` keep a
 * cleaned copy (what is parsed, matched and searched) and these columns keep the exact form,
 * only for the rare dumps where it differs: NULL costs nothing for the others.
 */
export class DumpBytes1795000011000 implements MigrationInterface {
  name = 'DumpBytes1795000011000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dumps ADD COLUMN content_bytes bytea`);
    await q.query(`ALTER TABLE dumps ADD COLUMN metadata_json text`);
    await q.query(
      `COMMENT ON COLUMN dumps.content_bytes IS 'the dump exactly as received when content (cleaned: no NUL, valid UTF-8) is not it; content_hash is over these bytes'`,
    );
    await q.query(
      `COMMENT ON COLUMN dumps.metadata_json IS 'the exact JSON of metadata when jsonb could not hold it (NUL, nesting deeper than 32)'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dumps DROP COLUMN metadata_json`);
    await q.query(`ALTER TABLE dumps DROP COLUMN content_bytes`);
  }
}
