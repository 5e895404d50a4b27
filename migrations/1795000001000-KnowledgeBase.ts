import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The knowledge base: signatures with their fixes, notes and references.
 *
 * Derived columns (frames, frames_text, idents, search, change_seq) are maintained by one
 * BEFORE trigger rather than generated columns: the tsvector must also cover notes, fixes and
 * references, which live in child tables, so the service keeps their text in `extra_text`
 * and the trigger folds everything together. GIN indexes use fastupdate = off because PGlite
 * has no autovacuum to flush a pending list.
 */
export class KnowledgeBase1795000001000 implements MigrationInterface {
  name = 'KnowledgeBase1795000001000';

  public async up(q: QueryRunner): Promise<void> {
    // The lead's in-memory match index polls max(change_seq) to stay current across instances.
    await q.query(`CREATE SEQUENCE signatures_change_seq AS bigint`);
    await q.query(`
      CREATE TABLE signatures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL,
        title text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'open',
        duplicate_of uuid REFERENCES signatures(id) ON DELETE SET NULL,
        summary text NOT NULL DEFAULT '',
        matcher jsonb NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        extra_text text NOT NULL DEFAULT '',
        frames text[] NOT NULL DEFAULT '{}',
        frames_text text NOT NULL DEFAULT '',
        guilty text,
        idents text[] NOT NULL DEFAULT '{}',
        search tsvector,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        updated_by text,
        version integer NOT NULL DEFAULT 1,
        deleted_at timestamptz,
        change_seq bigint NOT NULL DEFAULT nextval('signatures_change_seq'),
        CONSTRAINT signatures_key_unique UNIQUE (key),
        CONSTRAINT signatures_key_slug CHECK (key ~ '^[a-z0-9][a-z0-9._-]{0,199}$'),
        CONSTRAINT signatures_status_known CHECK (status IN ('open','fixed','wontfix','duplicate')),
        CONSTRAINT signatures_kind_known CHECK (kind IN (
          'use-after-free','double-free','invalid-free','out-of-bounds','null-deref','bad-access',
          'general-protection-fault','uninit-value','memory-leak','data-race','deadlock','lock-bug',
          'bug','warning','hang','stall','list-corruption','slab-corruption','stack-overflow',
          'undefined-behavior','assertion','panic','unknown')),
        CONSTRAINT signatures_not_self_duplicate CHECK (duplicate_of IS NULL OR duplicate_of <> id)
      )`);
    await q.query(`ALTER SEQUENCE signatures_change_seq OWNED BY signatures.change_seq`);

    await q.query(`
      CREATE FUNCTION signatures_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.change_seq := nextval('signatures_change_seq');
        NEW.frames := ARRAY(SELECT jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(NEW.matcher->'frames') = 'array' THEN NEW.matcher->'frames' ELSE '[]'::jsonb END));
        NEW.frames_text := array_to_string(NEW.frames, ' ');
        -- The guilty frame, lower-cased: a query naming it exactly ranks that signature first.
        NEW.guilty := lower(NEW.frames[coalesce(
          CASE WHEN jsonb_typeof(NEW.matcher->'guiltyFrame') = 'number' THEN (NEW.matcher->>'guiltyFrame')::int END, 0) + 1]);
        -- Exact identifier hits rank first in search: frame names, identifier-like words of the
        -- title (with '_' or a digit: plain words like 'free' are for the text search), tags,
        -- the module, slab caches and poison names, lower-cased.
        NEW.idents := ARRAY(SELECT DISTINCT lower(w) FROM unnest(
            NEW.frames
            || ARRAY(SELECT w FROM regexp_split_to_table(NEW.title, '[^A-Za-z0-9_.]+') AS w WHERE w ~ '[_0-9]')
            || NEW.tags
            || ARRAY[coalesce(NEW.matcher->>'module', '')]
            || ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.matcher->'slabCaches') = 'array' THEN NEW.matcher->'slabCaches' ELSE '[]'::jsonb END))
            || ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.matcher->'poisons') = 'array' THEN NEW.matcher->'poisons' ELSE '[]'::jsonb END))
          ) AS w WHERE length(w) > 1);
        -- Identifiers are split on '_' so that 'pool' finds dma_pool_alloc; the parser already does
        -- that, but replacing makes it explicit and independent of the text search parser.
        NEW.search :=
             setweight(to_tsvector('english', NEW.title), 'A')
          || setweight(to_tsvector('english', translate(NEW.frames_text, '_.', '  ')), 'A')
          || setweight(to_tsvector('english', NEW.key || ' ' || array_to_string(NEW.tags, ' ') || ' '
               || coalesce(NEW.matcher->>'module', '')), 'B')
          || setweight(to_tsvector('english', NEW.summary), 'B')
          || setweight(to_tsvector('english', NEW.extra_text), 'C');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER signatures_maintain BEFORE INSERT OR UPDATE ON signatures
      FOR EACH ROW EXECUTE FUNCTION signatures_maintain()`);

    // Fuzzy identifier search runs on this vocabulary of distinct identifiers (short strings,
    // one row each) rather than on every signature's frame text: `dma_pol_alloc` finds
    // `dma_pool_alloc` here, and the signatures carrying it through the idents GIN index.
    // Identifiers of deleted signatures stay: they simply lead to no live signature.
    await q.query(`CREATE TABLE signature_idents (ident text PRIMARY KEY)`);
    await q.query(
      `CREATE INDEX signature_idents_trgm_idx ON signature_idents USING gin (ident gin_trgm_ops) WITH (fastupdate = off)`,
    );
    await q.query(`
      CREATE FUNCTION signatures_collect_idents() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO signature_idents (ident) SELECT DISTINCT unnest(NEW.idents) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER signatures_collect_idents AFTER INSERT OR UPDATE OF idents ON signatures
      FOR EACH ROW EXECUTE FUNCTION signatures_collect_idents()`);

    await q.query(
      `CREATE INDEX signatures_search_idx ON signatures USING gin (search) WITH (fastupdate = off)`,
    );
    await q.query(
      `CREATE INDEX signatures_idents_idx ON signatures USING gin (idents) WITH (fastupdate = off)`,
    );
    await q.query(
      `CREATE INDEX signatures_frames_idx ON signatures USING gin (frames) WITH (fastupdate = off)`,
    );
    await q.query(`CREATE INDEX signatures_tags_idx ON signatures USING gin (tags) WITH (fastupdate = off)`);
    await q.query(
      `CREATE INDEX signatures_title_trgm_idx ON signatures USING gin (title gin_trgm_ops) WITH (fastupdate = off)`,
    );
    await q.query(
      `CREATE INDEX signatures_frames_trgm_idx ON signatures USING gin (frames_text gin_trgm_ops) WITH (fastupdate = off)`,
    );
    await q.query(`CREATE INDEX signatures_created_idx ON signatures (created_at DESC, id)`);
    await q.query(`CREATE INDEX signatures_change_seq_idx ON signatures (change_seq)`);

    await q.query(`
      CREATE TABLE signature_fixes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        signature_id uuid NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('commit','patch','advisory','workaround','link')),
        ref text NOT NULL,
        url text,
        description text,
        fixed_in text,
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX signature_fixes_signature_idx ON signature_fixes (signature_id, position)`);
    await q.query(`
      CREATE TABLE signature_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        signature_id uuid NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
        body text NOT NULL,
        author text,
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX signature_notes_signature_idx ON signature_notes (signature_id, position)`);
    await q.query(`
      CREATE TABLE signature_references (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        signature_id uuid NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('bug','cve','mailing-list','advisory','article','source')),
        url text,
        title text,
        position integer NOT NULL DEFAULT 0
      )`);
    await q.query(
      `CREATE INDEX signature_references_signature_idx ON signature_references (signature_id, position)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signature_references`);
    await q.query(`DROP TABLE signature_notes`);
    await q.query(`DROP TABLE signature_fixes`);
    await q.query(`DROP TABLE signatures`);
    await q.query(`DROP TABLE signature_idents`);
    await q.query(`DROP FUNCTION signatures_maintain()`);
    await q.query(`DROP FUNCTION signatures_collect_idents()`);
  }
}
