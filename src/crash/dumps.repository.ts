// SQL for dumps and buckets. Stored dumps are written in batches by DumpWriter
// (dump-writer.ts): multi-row statements with ON CONFLICT, so that two submissions of the same
// content still give one row and a count of two.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Match, ParsedDump } from '../core/types';

export interface DumpRow {
  id: string;
  title: string | null;
  kind: string;
  fingerprint: string | null;
  signatureId: string | null;
  bucketId: string | null;
  source: string | null;
  host: string | null;
  metadata: Record<string, unknown> | null;
  collectedAt: Date | null;
  receivedAt: Date;
  lastSeenAt: Date;
  occurrences: number;
}

export interface DumpDetail extends DumpRow {
  /** The cleaned text (what was parsed); `contentBytes` holds the exact dump when it differs. */
  content: string;
  contentBytes: Buffer | null;
  /** The exact JSON of `metadata` when jsonb could not hold it (NUL, depth). */
  metadataJson: string | null;
  parsed: ParsedDump;
  matches: Match[];
}

export interface BucketRow {
  id: string;
  fingerprint: string;
  title: string | null;
  kind: string;
  representativeDumpId: string | null;
  signatureId: string | null;
  dumpCount: number;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  promotedAt: Date | null;
}

export interface NewDump {
  /** sha-256 of the exact bytes. */
  contentHash: string;
  /** What PostgreSQL text can hold: the cleaned dump. */
  content: string;
  /** The exact bytes, only when they are not the UTF-8 of `content`. */
  contentBytes: Buffer | null;
  parsed: ParsedDump;
  /** `parsed` as JSON when it is at hand already (the worker thread that parsed it made it). */
  parsedJson?: string;
  matches: Match[];
  signatureId: string | null;
  source: string | null;
  host: string | null;
  metadata: Record<string, unknown> | null;
  metadataJson: string | null;
  collectedAt: Date | null;
  matchedAtSeq: string;
}

export const DUMP_COLUMNS = `id, title, kind, fingerprint, signature_id AS "signatureId", bucket_id AS "bucketId",
  source, host, metadata, collected_at AS "collectedAt", received_at AS "receivedAt",
  last_seen_at AS "lastSeenAt", occurrences`;

export const BUCKET_COLUMNS = `id, fingerprint, title, kind, representative_dump_id AS "representativeDumpId",
  signature_id AS "signatureId", dump_count AS "dumpCount", occurrences::int AS occurrences,
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", promoted_at AS "promotedAt"`;

/** Dumps nothing could parse still need a home: one bucket for all of them. */
export const UNRECOGNISED_BUCKET = 'unrecognised';

export interface DumpFilter {
  signatureId?: string;
  bucketId?: string;
  kind?: string;
  since?: Date;
  limit: number;
  offset: number;
}

@Injectable()
export class DumpsRepository {
  constructor(private readonly ds: DataSource) {}

  async findOne(id: string): Promise<DumpDetail | null> {
    const [row] = await this.ds.query(
      `SELECT ${DUMP_COLUMNS}, content, content_bytes AS "contentBytes", metadata_json AS "metadataJson",
              parsed, matches FROM dumps WHERE id = $1`,
      [id],
    );
    return (row as DumpDetail) ?? null;
  }

  /** The exact bytes of a dump: the stored bytes, or the UTF-8 of its text when that is all it was. */
  async findBytes(id: string): Promise<Buffer | null> {
    const [row] = await this.ds.query(
      `SELECT COALESCE(content_bytes, convert_to(content, 'UTF8')) AS bytes FROM dumps WHERE id = $1`,
      [id],
    );
    return (row?.bytes as Buffer) ?? null;
  }

  async list(f: DumpFilter): Promise<{ items: DumpRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.signatureId) add('signature_id = ?', f.signatureId);
    if (f.bucketId) add('bucket_id = ?', f.bucketId);
    if (f.kind) add('kind = ?', f.kind);
    if (f.since) add('last_seen_at >= ?', f.since);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM dumps ${clause}`, params);
    const items = await this.ds.query(
      `SELECT ${DUMP_COLUMNS} FROM dumps ${clause} ORDER BY received_at DESC, id DESC LIMIT ${f.limit} OFFSET ${f.offset}`,
      params,
    );
    return { items, total };
  }

  async findBucket(id: string): Promise<BucketRow | null> {
    const [row] = await this.ds.query(`SELECT ${BUCKET_COLUMNS} FROM buckets WHERE id = $1`, [id]);
    return (row as BucketRow) ?? null;
  }

  async listBuckets(opts: {
    status: 'unmatched' | 'matched' | 'all';
    sort: 'count' | 'recent';
    limit: number;
    offset: number;
  }): Promise<{ items: BucketRow[]; total: number }> {
    const clause =
      opts.status === 'unmatched'
        ? 'WHERE signature_id IS NULL'
        : opts.status === 'matched'
          ? 'WHERE signature_id IS NOT NULL'
          : '';
    const order = opts.sort === 'count' ? 'occurrences DESC, last_seen_at DESC' : 'last_seen_at DESC';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM buckets ${clause}`);
    const items = await this.ds.query(
      `SELECT ${BUCKET_COLUMNS} FROM buckets ${clause} ORDER BY ${order}, id LIMIT ${opts.limit} OFFSET ${opts.offset}`,
    );
    return { items, total };
  }

  /**
   * Marks a bucket as this signature and labels its dumps; returns how many of them carry it.
   * Background re-matching may label some of them first (the new signature is in the index as
   * soon as it is written): those count too, so the answer does not depend on who came first.
   */
  async assignBucket(bucketId: string, signatureId: string, promoted: boolean): Promise<number> {
    return this.ds.transaction(async (em) => {
      await em.query(
        `UPDATE buckets SET signature_id = $2, promoted_at = CASE WHEN $3 THEN now() ELSE promoted_at END WHERE id = $1`,
        [bucketId, signatureId, promoted],
      );
      const res = await em.query(
        `UPDATE dumps SET signature_id = $2 WHERE bucket_id = $1 AND (signature_id IS NULL OR signature_id = $2)`,
        [bucketId, signatureId],
      );
      return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
    });
  }

  /** Unmatched dumps judged against an older knowledge base, oldest judgement first. */
  async staleUnmatched(
    seq: string,
    limit: number,
  ): Promise<{ id: string; content: string; parsed: ParsedDump }[]> {
    return this.ds.query(
      `SELECT id, content, parsed FROM dumps
       WHERE signature_id IS NULL AND matched_at_seq < $1::bigint
       ORDER BY matched_at_seq, id LIMIT ${limit}`,
      [seq],
    );
  }

  async recordRematch(id: string, matches: Match[], signatureId: string | null, seq: string): Promise<void> {
    await this.ds.transaction(async (em) => {
      // TypeORM answers an UPDATE with [rows, affected].
      const [[row]] = await em.query(
        `UPDATE dumps SET matches = $2, signature_id = $3, matched_at_seq = $4 WHERE id = $1 RETURNING bucket_id AS "bucketId"`,
        [id, JSON.stringify(matches), signatureId, seq],
      );
      // A bucket whose dumps now match a signature is that signature's: label it too.
      if (signatureId && row?.bucketId) {
        await em.query(`UPDATE buckets SET signature_id = $2 WHERE id = $1 AND signature_id IS NULL`, [
          row.bucketId,
          signatureId,
        ]);
      }
    });
  }

  /** How often and when each signature was last seen (sum of occurrences of its dumps). */
  async sightings(signatureIds: string[]): Promise<Map<string, { count: number; lastSeenAt: Date | null }>> {
    const out = new Map<string, { count: number; lastSeenAt: Date | null }>();
    if (signatureIds.length === 0) return out;
    const rows: { id: string; count: number; lastSeenAt: Date }[] = await this.ds.query(
      `SELECT signature_id AS id, sum(occurrences)::int AS count, max(last_seen_at) AS "lastSeenAt"
       FROM dumps WHERE signature_id = ANY($1::uuid[]) GROUP BY signature_id`,
      [signatureIds],
    );
    for (const r of rows) out.set(r.id, { count: r.count, lastSeenAt: r.lastSeenAt });
    return out;
  }
}
