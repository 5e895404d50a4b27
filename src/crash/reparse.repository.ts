// SQL of the background re-parse: find dumps parsed under older rules, store the new parse and
// move each dump to the bucket of its new fingerprint, in one transaction per dump.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Match, ParsedDump } from '../core/types';
import { UNRECOGNISED_BUCKET } from './dumps.repository';

export interface StaleParse {
  id: string;
  content: string;
}

@Injectable()
export class ReparseRepository {
  constructor(private readonly ds: DataSource) {}

  /** Dumps parsed under rules older than `version`, oldest rules first. */
  async staleParsed(version: number, limit: number): Promise<StaleParse[]> {
    return this.ds.query(
      `SELECT id, content FROM dumps WHERE parsed_version < $1 ORDER BY parsed_version, id LIMIT ${Math.floor(limit)}`,
      [version],
    );
  }

  /**
   * Stores the new parse and matches; a dump whose fingerprint changed leaves its bucket (an
   * emptied bucket that was never promoted goes) for the bucket of the new fingerprint.
   */
  async record(
    id: string,
    parsed: ParsedDump,
    matches: Match[],
    signatureId: string | null,
    version: number,
    matchedAtSeq: string,
  ): Promise<{ moved: boolean }> {
    return this.ds.transaction(async (em) => {
      const [old] = await em.query(
        `SELECT d.bucket_id AS "bucketId", d.occurrences, b.fingerprint AS "bucketFingerprint"
           FROM dumps d LEFT JOIN buckets b ON b.id = d.bucket_id WHERE d.id = $1 FOR UPDATE OF d`,
        [id],
      );
      if (!old) return { moved: false };
      const fingerprint = parsed.fingerprint ?? UNRECOGNISED_BUCKET;
      await em.query(
        `UPDATE dumps SET parsed = $2, title = $3, kind = $4, fingerprint = $5, matches = $6,
                signature_id = COALESCE($7, signature_id), parsed_version = $8, matched_at_seq = $9
          WHERE id = $1`,
        [
          id,
          JSON.stringify(parsed),
          parsed.title,
          parsed.kind,
          parsed.fingerprint,
          JSON.stringify(matches),
          signatureId,
          version,
          matchedAtSeq,
        ],
      );
      if (old.bucketFingerprint === fingerprint) return { moved: false };
      const [bucket] = await em.query(
        `INSERT INTO buckets (fingerprint, title, kind, representative_dump_id, signature_id, dump_count, occurrences)
         VALUES ($1, $2, $3, $4, $5, 1, $6)
         ON CONFLICT (fingerprint) DO UPDATE
           SET dump_count = buckets.dump_count + 1, occurrences = buckets.occurrences + EXCLUDED.occurrences,
               signature_id = COALESCE(buckets.signature_id, EXCLUDED.signature_id)
         RETURNING id`,
        [fingerprint, parsed.title, parsed.kind, id, signatureId, old.occurrences],
      );
      await em.query(`UPDATE dumps SET bucket_id = $2 WHERE id = $1`, [id, bucket.id]);
      if (old.bucketId) {
        await em.query(
          `UPDATE buckets SET dump_count = greatest(dump_count - 1, 0),
                  occurrences = greatest(occurrences - $2, 0),
                  representative_dump_id = CASE WHEN representative_dump_id = $3
                    THEN (SELECT id FROM dumps WHERE bucket_id = $1 ORDER BY received_at DESC LIMIT 1)
                    ELSE representative_dump_id END
            WHERE id = $1`,
          [old.bucketId, old.occurrences, id],
        );
        await em.query(
          `DELETE FROM buckets WHERE id = $1 AND dump_count = 0 AND promoted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM dumps WHERE bucket_id = $1)`,
          [old.bucketId],
        );
      }
      return { moved: true };
    });
  }
}
