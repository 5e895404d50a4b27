import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper writes of a stored dump (issue 11, measured in bench/README-ingest.md).
 *
 * - `parsed` becomes `json`: it is a document written once and read back whole (GET
 *   /dumps/{id}, re-matching); nothing indexes into it, and the one query that reads a field
 *   of it (a bug's kernels, src/ui/history.repository.ts) works the same on json. Converting a
 *   37 KB ParsedDump into jsonb cost PostgreSQL about 0.5 ms of CPU per dump, more than the
 *   whole single-row INSERT of the dump's text. json keeps the text as sent (key order too).
 *   On an existing installation this rewrites the table once.
 * - `content`, `parsed` and `content_bytes` are compressed with lz4 instead of pglz where the
 *   server has it (PostgreSQL 14+ built with lz4, as Debian's and the official images are):
 *   pglz took most of the rest of the write. PGlite has no lz4 and keeps pglz.
 */
export class IngestStorage1795000015500 implements MigrationInterface {
  name = 'IngestStorage1795000015500';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dumps ALTER COLUMN parsed TYPE json USING parsed::json`);
    // feature_not_supported: a server built without lz4 (PGlite). Values already stored keep
    // their compression; only new ones use lz4.
    await q.query(`
      DO $$
      BEGIN
        ALTER TABLE dumps ALTER COLUMN content SET COMPRESSION lz4,
                          ALTER COLUMN parsed SET COMPRESSION lz4,
                          ALTER COLUMN content_bytes SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE dumps ALTER COLUMN content SET COMPRESSION default,
                        ALTER COLUMN parsed SET COMPRESSION default,
                        ALTER COLUMN content_bytes SET COMPRESSION default`);
    await q.query(`ALTER TABLE dumps ALTER COLUMN parsed TYPE jsonb USING parsed::jsonb`);
  }
}
