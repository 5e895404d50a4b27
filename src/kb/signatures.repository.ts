// All SQL of the knowledge base. Every method takes the Queryable to run on: the service
// passes the transaction's EntityManager inside `dataSource.transaction(...)` (the embedded
// database serialises connections, so a query on another connection there would hang forever).
import { Injectable } from '@nestjs/common';
import type { CrashKind, Fix, SignatureMatcher } from '../core/types';
import type {
  FixView,
  IndexFeedRow,
  NoteView,
  Reference,
  ReferenceView,
  SignatureSort,
  SignatureStatus,
  SignatureView,
} from './kb.types';

export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** What a signature row is written from: the stored fields of its view. */
export type SignatureRowInput = Pick<
  SignatureView,
  'key' | 'title' | 'kind' | 'status' | 'duplicateOf' | 'summary' | 'matcher' | 'tags'
>;

export interface NoteInput {
  body: string;
  author: string | null;
}

export interface SearchFilters {
  q?: string;
  kind?: string;
  status?: string;
  function?: string;
  module?: string;
  poison?: string;
  slabCache?: string;
  tag?: string;
  fixed?: boolean;
  sort?: SignatureSort;
  limit: number;
  page: number;
}

interface SignatureRow {
  id: string;
  key: string;
  title: string;
  kind: CrashKind;
  status: SignatureStatus;
  duplicate_of: string | null;
  summary: string;
  matcher: SignatureMatcher;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
  created_by: string | null;
  updated_by: string | null;
  deleted_at: Date | null;
  score?: number | string;
  total?: string;
}

const SIGNATURE_COLUMNS = `s.id, s.key, s.title, s.kind, s.status, s.duplicate_of, s.summary, s.matcher, s.tags,
  s.version, s.created_at, s.updated_at, s.created_by, s.updated_by, s.deleted_at`;

/** The searchable text of a signature's notes, fixes and references (see touch). */
const EXTRA_TEXT = `concat_ws(' ',
  (SELECT string_agg(n.body, ' ' ORDER BY n.position) FROM signature_notes n WHERE n.signature_id = s.id),
  (SELECT string_agg(concat_ws(' ', f.ref, f.description, f.fixed_in, f.url), ' ' ORDER BY f.position)
     FROM signature_fixes f WHERE f.signature_id = s.id),
  (SELECT string_agg(concat_ws(' ', r.kind, r.title, r.url), ' ' ORDER BY r.position)
     FROM signature_references r WHERE r.signature_id = s.id))`;

const iso = (d: Date | string | null): string | null =>
  d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString();

/** Lower-case identifier-like tokens of a query, for the exact-hit boost. */
export function queryIdentifiers(q: string): string[] {
  return [
    ...new Set(
      q
        .toLowerCase()
        .split(/[^a-z0-9_.]+/)
        .map((t) => t.replace(/^\.+|\.+$/g, ''))
        .filter((t) => t.length > 1),
    ),
  ].slice(0, 20);
}

/**
 * `w1 | w2 | ...` over the whitespace-separated words of a query (an identifier stays one
 * phrase: `dma <-> pool <-> alloc`), or null when the query has a single word or uses
 * web-search syntax (quotes, -exclusion, or) that an OR of its words would contradict.
 */
export function broadeningWords(q: string): string | null {
  if (/["]|(^|\s)-\S|\sor\s/i.test(q)) return null;
  const terms = new Set<string>();
  for (const w of q.toLowerCase().split(/\s+/)) {
    const parts = w.split(/[^a-z0-9]+/).filter((x) => x.length > 0);
    if (parts.length > 0 && w.length > 1) terms.add(parts.length > 1 ? `(${parts.join(' <-> ')})` : parts[0]);
  }
  return terms.size > 1 ? [...terms].slice(0, 20).join(' | ') : null;
}

@Injectable()
export class SignaturesRepository {
  async insert(db: Queryable, row: SignatureRowInput, by: string | null): Promise<string> {
    const res: { id: string }[] = await db.query(
      `INSERT INTO signatures (key, title, kind, status, duplicate_of, summary, matcher, tags, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::text[], $9, $9) RETURNING id`,
      [
        row.key,
        row.title,
        row.kind,
        row.status,
        row.duplicateOf,
        row.summary,
        JSON.stringify(row.matcher),
        row.tags,
        by,
      ],
    );
    return res[0].id;
  }

  /**
   * Optimistic update: only when `version` is still current (null: unconditional, for import).
   * Returns the new version, or null when the row is gone or the version was stale.
   */
  async update(
    db: Queryable,
    id: string,
    fields: Partial<SignatureRowInput> & { restore?: boolean },
    version: number | null,
    by: string | null,
  ): Promise<number | null> {
    const sets: string[] = ['version = version + 1', 'updated_at = now()'];
    const params: unknown[] = [id];
    const add = (col: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${col} = $${params.length}${cast}`);
    };
    if (fields.key !== undefined) add('key', fields.key);
    if (fields.title !== undefined) add('title', fields.title);
    if (fields.kind !== undefined) add('kind', fields.kind);
    if (fields.status !== undefined) add('status', fields.status);
    if (fields.duplicateOf !== undefined) add('duplicate_of', fields.duplicateOf);
    if (fields.summary !== undefined) add('summary', fields.summary);
    if (fields.matcher !== undefined) add('matcher', JSON.stringify(fields.matcher), '::jsonb');
    if (fields.tags !== undefined) add('tags', fields.tags, '::text[]');
    if (fields.restore) sets.push('deleted_at = NULL');
    add('updated_by', by);
    let where = `id = $1`;
    if (!fields.restore) where += ' AND deleted_at IS NULL';
    if (version !== null) {
      params.push(version);
      where += ` AND version = $${params.length}`;
    }
    const res: [{ version: number }[], number] = await db.query(
      `UPDATE signatures SET ${sets.join(', ')} WHERE ${where} RETURNING version`,
      params,
    );
    const rows = Array.isArray(res[0]) ? res[0] : (res as unknown as { version: number }[]);
    return rows.length > 0 ? rows[0].version : null;
  }

  /**
   * A change to fixes, notes or references is a change of the signature: bump its version,
   * refresh the text the search vector covers, and (through the trigger) its change_seq, so
   * the match index picks up new fixes and notes.
   */
  async touch(db: Queryable, id: string, by: string | null): Promise<void> {
    await db.query(
      `UPDATE signatures s SET version = version + 1, updated_at = now(), updated_by = $2, extra_text = ${EXTRA_TEXT}
       WHERE s.id = $1`,
      [id, by],
    );
  }

  /** Re-reads the children's text into the row (and so into its tsvector) without a new version. */
  async refreshText(db: Queryable, id: string): Promise<void> {
    await db.query(`UPDATE signatures s SET extra_text = ${EXTRA_TEXT} WHERE s.id = $1`, [id]);
  }

  async softDelete(db: Queryable, id: string, by: string | null): Promise<boolean> {
    const res = await db.query(
      `UPDATE signatures SET deleted_at = now(), updated_at = now(), updated_by = $2, version = version + 1
       WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
      [id, by],
    );
    return (Array.isArray(res[0]) ? res[0] : res).length > 0;
  }

  async state(db: Queryable, id: string): Promise<{ version: number; deleted: boolean } | null> {
    const rows: { version: number; deleted: boolean }[] = await db.query(
      `SELECT version, deleted_at IS NOT NULL AS deleted FROM signatures WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async idByKey(db: Queryable, key: string): Promise<string | null> {
    const rows: { id: string }[] = await db.query(`SELECT id FROM signatures WHERE key = $1`, [key]);
    return rows[0]?.id ?? null;
  }

  async keyExists(db: Queryable, key: string): Promise<boolean> {
    return (await this.idByKey(db, key)) !== null;
  }

  async replaceFixes(db: Queryable, id: string, fixes: Fix[]): Promise<void> {
    await db.query(`DELETE FROM signature_fixes WHERE signature_id = $1`, [id]);
    await this.addFixes(db, id, fixes, 0);
  }

  /** One statement for all fixes (unnest of parallel arrays), not one per fix. */
  async addFixes(db: Queryable, id: string, fixes: Fix[], startPosition: number | null): Promise<string[]> {
    if (fixes.length === 0) return [];
    const rows: { id: string }[] = await db.query(
      `INSERT INTO signature_fixes (signature_id, kind, ref, url, description, fixed_in, position)
       SELECT $1, k, r, u, d, fi,
              coalesce($7::int, (SELECT coalesce(max(position) + 1, 0) FROM signature_fixes WHERE signature_id = $1)) + o - 1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(k, r, u, d, fi, o)
       RETURNING id`,
      [
        id,
        fixes.map((f) => f.kind),
        fixes.map((f) => f.ref),
        fixes.map((f) => f.url ?? null),
        fixes.map((f) => f.description ?? null),
        fixes.map((f) => f.fixedIn ?? null),
        startPosition,
      ],
    );
    return rows.map((r) => r.id);
  }

  async deleteFix(db: Queryable, id: string, fixId: string): Promise<boolean> {
    const res = await db.query(
      `DELETE FROM signature_fixes WHERE signature_id = $1 AND id = $2 RETURNING id`,
      [id, fixId],
    );
    return (Array.isArray(res[0]) ? res[0] : res).length > 0;
  }

  async replaceNotes(db: Queryable, id: string, notes: NoteInput[]): Promise<void> {
    await db.query(`DELETE FROM signature_notes WHERE signature_id = $1`, [id]);
    await this.addNotes(db, id, notes);
  }

  async addNotes(db: Queryable, id: string, notes: NoteInput[]): Promise<string[]> {
    if (notes.length === 0) return [];
    const rows: { id: string }[] = await db.query(
      `INSERT INTO signature_notes (signature_id, body, author, position)
       SELECT $1, b, a, (SELECT coalesce(max(position) + 1, 0) FROM signature_notes WHERE signature_id = $1) + o - 1
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(b, a, o)
       RETURNING id`,
      [id, notes.map((n) => n.body), notes.map((n) => n.author)],
    );
    return rows.map((r) => r.id);
  }

  async deleteNote(db: Queryable, id: string, noteId: string): Promise<boolean> {
    const res = await db.query(
      `DELETE FROM signature_notes WHERE signature_id = $1 AND id = $2 RETURNING id`,
      [id, noteId],
    );
    return (Array.isArray(res[0]) ? res[0] : res).length > 0;
  }

  async replaceReferences(db: Queryable, id: string, refs: Reference[]): Promise<void> {
    await db.query(`DELETE FROM signature_references WHERE signature_id = $1`, [id]);
    if (refs.length === 0) return;
    await db.query(
      `INSERT INTO signature_references (signature_id, kind, url, title, position)
       SELECT $1, k, u, t, o - 1 FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(k, u, t, o)`,
      [id, refs.map((r) => r.kind), refs.map((r) => r.url ?? null), refs.map((r) => r.title ?? null)],
    );
  }

  /** Signatures by id with their children: four queries whatever the count. */
  async findByIds(db: Queryable, ids: string[], includeDeleted = false): Promise<SignatureView[]> {
    if (ids.length === 0) return [];
    const rows: SignatureRow[] = await db.query(
      `SELECT ${SIGNATURE_COLUMNS} FROM signatures s WHERE s.id = ANY($1::uuid[])
       ${includeDeleted ? '' : 'AND s.deleted_at IS NULL'}`,
      [ids],
    );
    const views = await this.withChildren(db, rows);
    const byId = new Map(views.map((v) => [v.id, v]));
    return ids.map((id) => byId.get(id)).filter((v): v is SignatureView => v !== undefined);
  }

  /** Every live signature whose key is in `keys`, or every one when keys is null (export). */
  async findByKeys(db: Queryable, keys: string[] | null, includeDeleted = false): Promise<SignatureView[]> {
    const rows: SignatureRow[] = await db.query(
      `SELECT ${SIGNATURE_COLUMNS} FROM signatures s
       WHERE ($1::text[] IS NULL OR s.key = ANY($1::text[])) ${includeDeleted ? '' : 'AND s.deleted_at IS NULL'}
       ORDER BY s.key`,
      [keys],
    );
    return this.withChildren(db, rows);
  }

  async keysByIds(db: Queryable, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; key: string }[] = await db.query(
      `SELECT id, key FROM signatures WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.key]));
  }

  async idsByKeys(db: Queryable, keys: string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows: { id: string; key: string }[] = await db.query(
      `SELECT id, key FROM signatures WHERE key = ANY($1::text[])`,
      [keys],
    );
    return new Map(rows.map((r) => [r.key, r.id]));
  }

  private async withChildren(db: Queryable, rows: SignatureRow[]): Promise<SignatureView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    // One after another: inside a transaction they share one client, which runs one query at a time.
    const fixes = await (db.query(
      `SELECT id, signature_id, kind, ref, url, description, fixed_in FROM signature_fixes
         WHERE signature_id = ANY($1::uuid[]) ORDER BY signature_id, position, created_at`,
      [ids],
    ) as Promise<
      {
        id: string;
        signature_id: string;
        kind: Fix['kind'];
        ref: string;
        url: string | null;
        description: string | null;
        fixed_in: string | null;
      }[]
    >);
    const notes = await (db.query(
      `SELECT id, signature_id, body, author, created_at FROM signature_notes
         WHERE signature_id = ANY($1::uuid[]) ORDER BY signature_id, position, created_at`,
      [ids],
    ) as Promise<
      { id: string; signature_id: string; body: string; author: string | null; created_at: Date }[]
    >);
    const refs = await (db.query(
      `SELECT id, signature_id, kind, url, title FROM signature_references
         WHERE signature_id = ANY($1::uuid[]) ORDER BY signature_id, position`,
      [ids],
    ) as Promise<
      {
        id: string;
        signature_id: string;
        kind: Reference['kind'];
        url: string | null;
        title: string | null;
      }[]
    >);
    // How often and when each was last seen: the dumps matched to it (repeats counted).
    const seen: { signature_id: string; count: number; last_seen_at: Date }[] = await db.query(
      `SELECT signature_id, sum(occurrences)::int AS count, max(last_seen_at) AS last_seen_at FROM dumps
       WHERE signature_id = ANY($1::uuid[]) GROUP BY signature_id`,
      [ids],
    );
    const seenBy = new Map(seen.map((x) => [x.signature_id, x]));
    const group = <T extends { signature_id: string }>(list: T[]) => {
      const m = new Map<string, T[]>();
      for (const x of list) {
        const arr = m.get(x.signature_id);
        if (arr) arr.push(x);
        else m.set(x.signature_id, [x]);
      }
      return m;
    };
    const fixesBy = group(fixes);
    const notesBy = group(notes);
    const refsBy = group(refs);
    return rows.map((r) => {
      const view: SignatureView = {
        id: r.id,
        key: r.key,
        title: r.title,
        kind: r.kind,
        status: r.status,
        duplicateOf: r.duplicate_of,
        summary: r.summary,
        matcher: r.matcher,
        tags: r.tags,
        version: r.version,
        createdAt: iso(r.created_at)!,
        updatedAt: iso(r.updated_at)!,
        createdBy: r.created_by,
        updatedBy: r.updated_by,
        deletedAt: iso(r.deleted_at),
        fixes: (fixesBy.get(r.id) ?? []).map((f): FixView => ({
          id: f.id,
          kind: f.kind,
          ref: f.ref,
          url: f.url,
          description: f.description,
          fixedIn: f.fixed_in,
        })),
        notes: (notesBy.get(r.id) ?? []).map((n): NoteView => ({
          id: n.id,
          body: n.body,
          author: n.author,
          createdAt: iso(n.created_at)!,
        })),
        references: (refsBy.get(r.id) ?? []).map((x): ReferenceView => ({
          id: x.id,
          kind: x.kind,
          url: x.url,
          title: x.title,
        })),
        seen: {
          count: seenBy.get(r.id)?.count ?? 0,
          lastSeenAt: iso(seenBy.get(r.id)?.last_seen_at ?? null),
        },
      };
      if (r.score !== undefined) view.score = Math.round(Number(r.score) * 1000) / 1000;
      return view;
    });
  }

  /**
   * Search and list. With `q`: candidates are rows whose tsvector matches the web-search query,
   * whose identifiers (frames, tags, module...) contain a query token exactly, or whose frames
   * or title are trigram-similar to the query (`dma_pol_alloc` → `dma_pool_alloc`); each index
   * answers one arm of the OR. The score puts exact identifier hits first (more so on the
   * guilty frame), then text rank plus fuzzy similarity.
   */
  async search(db: Queryable, f: SearchFilters): Promise<{ items: SignatureView[]; total: number }> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = ['s.deleted_at IS NULL'];
    if (f.kind) where.push(`s.kind = ${p(f.kind)}`);
    if (f.status) where.push(`s.status = ${p(f.status)}`);
    if (f.function) where.push(`s.frames @> ARRAY[${p(f.function)}]::text[]`);
    if (f.module) where.push(`s.matcher->>'module' = ${p(f.module)}`);
    if (f.poison) where.push(`s.matcher->'poisons' ? ${p(f.poison)}`);
    if (f.slabCache) where.push(`s.matcher->'slabCaches' ? ${p(f.slabCache)}`);
    if (f.tag) where.push(`s.tags @> ARRAY[${p(f.tag)}]::text[]`);
    if (f.fixed !== undefined) {
      // IN over one hashed subquery, not EXISTS per row: the filter alone must not scan fixes 10k times.
      const withFix = `s.id IN (SELECT signature_id FROM signature_fixes WHERE kind IN ('commit', 'patch'))`;
      where.push(f.fixed ? `(s.status = 'fixed' OR ${withFix})` : `(s.status <> 'fixed' AND NOT ${withFix})`);
    }
    const q = f.q?.trim() ?? '';
    const sort = f.sort ?? (q !== '' ? 'relevance' : 'newest');
    const order = {
      relevance: 'score DESC, s.updated_at DESC, s.id',
      newest: 's.created_at DESC, s.id',
      oldest: 's.created_at ASC, s.id',
      updated: 's.updated_at DESC, s.id',
      title: 's.title ASC, s.id',
    }[q === '' && sort === 'relevance' ? 'newest' : sort];
    const offset = (f.page - 1) * f.limit;

    if (q === '') {
      // No search: the page comes straight off the (created_at, id) index; the count is a
      // separate query, since a window count would make every row be read.
      const filterParams = [...params];
      const rows: SignatureRow[] = await db.query(
        `SELECT ${SIGNATURE_COLUMNS} FROM signatures s WHERE ${where.join(' AND ')}
         ORDER BY ${order} LIMIT ${p(f.limit)} OFFSET ${p(offset)}`,
        params,
      );
      const c: { n: string }[] = await db.query(
        `SELECT count(*) AS n FROM signatures s WHERE ${where.join(' AND ')}`,
        filterParams,
      );
      return { items: await this.withChildren(db, rows), total: Number(c[0].n) };
    }

    const qp = p(q);
    const idents = queryIdentifiers(q);
    const ip = p(idents);
    const words = broadeningWords(q);
    // websearch_to_tsquery ANDs the words: the candidates also take rows with only some of
    // them (so a wordy query still finds something), and having all of them scores higher.
    const anyq = words ? `to_tsquery('english', ${p(words)})` : `websearch_to_tsquery('english', ${qp})`;
    // Fuzzy identifier matching only for one identifier-like token long enough for trigrams to
    // mean something (`mlx5` would be "similar" to every mlx4 frame; a sentence is not an
    // identifier): the 20 most similar known identifiers, then the signatures carrying them.
    // It is a fallback ("did you mean"): when the identifier exists as written, exact hits are
    // the answer, and the vocabulary scan is skipped.
    let fuzzy = !/\s/.test(q) && q.length >= 6;
    if (fuzzy) {
      const exact: { hit: boolean }[] = await db.query(
        `SELECT EXISTS (SELECT 1 FROM signatures WHERE idents && $1::text[] AND deleted_at IS NULL) AS hit`,
        [idents],
      );
      fuzzy = !exact[0].hit;
    }
    const arms = [`s.search @@ anyq`, `s.idents && ${ip}::text[]`];
    let fz = '';
    let fzFrom = '';
    // The score of every candidate: cheap terms only (array overlap, a stored guilty frame, one
    // match and one ts_rank on a vector kept inline in the row, see migration SearchSpeed), in
    // float8 rather than numeric.
    const base = `(
        CASE WHEN s.idents && ${ip}::text[] THEN 2.0::float8 ELSE 0 END
      + CASE WHEN cardinality(${ip}::text[]) > 1 AND s.idents @> ${ip}::text[] THEN 1.0::float8 ELSE 0 END
      + CASE WHEN s.guilty = ANY(${ip}::text[]) THEN 1.0::float8 ELSE 0 END
      + CASE WHEN s.search @@ andq THEN 1.0::float8 ELSE 0 END
      + ts_rank(s.search, anyq)::float8)`;
    // fzp: for a signature carrying near identifiers, the best of their similarities (null
    // otherwise) — a cheap stand-in for the similarity term, used to pick whom to score fully.
    let fzp = 'NULL::float8';
    if (fuzzy) {
      // The nearest identifiers with their similarity, computed once (20 rows), not per signature.
      fz = `fz AS MATERIALIZED (
              SELECT ident, similarity(ident, lower(${qp}))::float8 AS sim FROM signature_idents
              WHERE ident % lower(${qp}) ORDER BY sim DESC, ident LIMIT 20),
            fza AS (SELECT coalesce(array_agg(ident), '{}') AS idents FROM fz),`;
      fzFrom = ', fza';
      arms.push(`s.idents && fza.idents`);
      fzp = `CASE WHEN s.idents && fza.idents THEN (SELECT max(fz.sim) FROM fz WHERE fz.ident = ANY (s.idents)) END`;
    }
    where.push(`(${arms.join(' OR ')})`);
    const limitP = p(f.limit);
    const offsetP = p(offset);
    const cOrder = order.replace(/\bs\./g, 'c.');
    // Rank ids first over narrow rows (id, score, sort keys), count them once, then read the
    // full rows of one page only. The count comes from the same materialised candidate set, so
    // `total` is exact whatever the page.
    const scored = `(SELECT c.*, c.base + coalesce(c.fzp, 0) AS score FROM cand c)`;
    let page = `SELECT c.id, c.score FROM ${scored} c ORDER BY ${cOrder} LIMIT ${limitP} OFFSET ${offsetP}`;
    if (fuzzy && sort === 'relevance') {
      // The similarity term proper (word_similarity of the query over the frame text, as the
      // ranking always had) costs tens of µs a row: only the best candidates by the stand-in
      // (150 more than the page needs) get it; the page is taken from them.
      const depth = p(offset + f.limit + 150);
      page = `SELECT c.id, c.score FROM (
                SELECT c.id, c.base + CASE WHEN c.fzp IS NULL THEN 0
                         ELSE word_similarity(lower(${qp}), lower(s.frames_text))::float8 END AS score,
                       c.updated_at, c.created_at, c.title
                FROM (SELECT * FROM ${scored} c ORDER BY ${cOrder} LIMIT ${depth}) c
                JOIN signatures s ON s.id = c.id) c
              ORDER BY ${cOrder} LIMIT ${limitP} OFFSET ${offsetP}`;
    }
    const rows: (SignatureRow & { n: string })[] = await db.query(
      `WITH ${fz} cand AS MATERIALIZED (
         SELECT s.id, ${base} AS base, ${fzp} AS fzp, s.updated_at, s.created_at, s.title
         FROM signatures s, websearch_to_tsquery('english', ${qp}) AS andq, ${anyq} AS anyq${fzFrom}
         WHERE ${where.join(' AND ')}),
       page AS (${page})
       SELECT ${SIGNATURE_COLUMNS}, r.score, t.n
       FROM (SELECT count(*) AS n FROM cand) t
       LEFT JOIN page r ON true
       LEFT JOIN signatures s ON s.id = r.id
       ORDER BY ${order.replace('score', 'r.score')}`,
      params,
    );
    const total = rows.length > 0 ? Number(rows[0].n) : 0;
    const found = rows.filter((r) => r.id !== null);
    return { items: await this.withChildren(db, found), total };
  }

  /**
   * For the match index: rows changed after `seq` (all live rows when null), with fixes and
   * notes aggregated in the same query. Deleted rows are flagged so the index drops them.
   */
  async changesSince(db: Queryable, seq: string | null): Promise<{ seq: string; row: IndexFeedRow }[]> {
    const rows: {
      id: string;
      title: string;
      matcher: SignatureMatcher;
      deleted: boolean;
      change_seq: string;
      fixes: Fix[];
      notes: string[];
      duplicate_of: string | null;
    }[] = await db.query(
      `SELECT s.id, s.title, s.matcher, s.duplicate_of, s.deleted_at IS NOT NULL AS deleted, s.change_seq::text AS change_seq,
         coalesce((SELECT json_agg(json_strip_nulls(json_build_object('kind', f.kind, 'ref', f.ref, 'url', f.url,
                     'description', f.description, 'fixedIn', f.fixed_in)) ORDER BY f.position, f.created_at)
                   FROM signature_fixes f WHERE f.signature_id = s.id), '[]'::json) AS fixes,
         coalesce((SELECT json_agg(n.body ORDER BY n.position, n.created_at)
                   FROM signature_notes n WHERE n.signature_id = s.id), '[]'::json) AS notes
       FROM signatures s
       WHERE CASE WHEN $1::bigint IS NULL THEN s.deleted_at IS NULL ELSE s.change_seq > $1::bigint END
       ORDER BY s.change_seq`,
      [seq],
    );
    return rows.map((r) => ({
      seq: r.change_seq,
      row: {
        id: r.id,
        title: r.title,
        matcher: r.matcher,
        fixes: r.fixes,
        notes: r.notes,
        deleted: r.deleted,
        duplicateOf: r.duplicate_of,
      },
    }));
  }

  async maxSeq(db: Queryable): Promise<string | null> {
    const rows: { m: string | null }[] = await db.query(`SELECT max(change_seq)::text AS m FROM signatures`);
    return rows[0]?.m ?? null;
  }
}
