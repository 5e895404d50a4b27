import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which version of the parser's rules (FINGERPRINT_VERSION) produced each stored `parsed`.
 * When the rules change, dumps parsed under older ones are parsed again in the background
 * (ReparseService) so their title, fingerprint, bucket and matches follow the new rules.
 * Rows stored before this column existed count as version 0: all of them are re-parsed once.
 */
export class DumpParsedVersion1795000014000 implements MigrationInterface {
  name = 'DumpParsedVersion1795000014000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dumps ADD COLUMN parsed_version integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX dumps_by_parsed_version ON dumps (parsed_version, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dumps_by_parsed_version`);
    await q.query(`ALTER TABLE dumps DROP COLUMN parsed_version`);
  }
}
