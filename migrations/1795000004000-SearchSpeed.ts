import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search speed: keep what a search reads for every candidate inside the heap row.
 *
 * A signature row is about 2 KB (the tsvector alone ~750 bytes on the bench data), just over
 * the 2 KB TOAST threshold. The toaster moves the widest EXTENDED column out first — that was
 * the tsvector (it does not compress), so most rows kept `search` in the TOAST table and every
 * candidate of a broad query paid a TOAST index lookup for `@@` and `ts_rank`. With STORAGE
 * MAIN on the columns search reads per candidate (the vector, the identifier array, the frame
 * text of the fuzzy path), the toaster compresses or moves extra_text, summary and matcher
 * instead: those are read only for the page of results.
 *
 * Also an index for the kind filter of the list.
 *
 * Rows already stored keep their layout until rewritten, so the migration rewrites them once
 * (the trigger recomputes the derived columns; change_seq moves, so the match index reloads).
 */
export class SearchSpeed1795000004000 implements MigrationInterface {
  name = 'SearchSpeed1795000004000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE signatures
        ALTER COLUMN search SET STORAGE MAIN,
        ALTER COLUMN idents SET STORAGE MAIN,
        ALTER COLUMN frames_text SET STORAGE MAIN`);
    await q.query(`UPDATE signatures SET search = search`);
    // A kind filter (alone or with fixed=) otherwise walks the created_at index over every row
    // when few or none match; this answers it from the rows of that kind, newest first.
    await q.query(
      `CREATE INDEX signatures_kind_created_idx ON signatures (kind, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX signatures_kind_created_idx`);
    await q.query(`
      ALTER TABLE signatures
        ALTER COLUMN search SET STORAGE EXTENDED,
        ALTER COLUMN idents SET STORAGE EXTENDED,
        ALTER COLUMN frames_text SET STORAGE EXTENDED`);
  }
}
