// A known bug's history for its page: the dumps labelled with it, grouped by day, host and
// kernel, first and last seen. Read-only SQL over dumps (dumps_by_signature index).
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface Tally {
  value: string;
  dumps: number;
  occurrences: number;
}

export interface SignatureHistory {
  signatureId: string;
  dumps: number;
  occurrences: number;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  /** Occurrences per UTC day over the last `days` days, by the day a dump was first received. */
  days: number;
  daily: { day: string; dumps: number; occurrences: number }[];
  hosts: Tally[];
  kernels: Tally[];
  recent: {
    id: string;
    title: string | null;
    host: string | null;
    kernel: string | null;
    source: string | null;
    receivedAt: string;
    lastSeenAt: string;
    occurrences: number;
  }[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

@Injectable()
export class HistoryRepository {
  constructor(private readonly ds: DataSource) {}

  async signatureExists(id: string): Promise<boolean> {
    const rows = await this.ds.query(`SELECT 1 FROM signatures WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  async signatureHistory(id: string, days: number): Promise<SignatureHistory> {
    const [totals] = await this.ds.query(
      `SELECT count(*)::int AS dumps, coalesce(sum(occurrences), 0)::int AS occurrences,
              min(received_at) AS first, max(last_seen_at) AS last
       FROM dumps WHERE signature_id = $1`,
      [id],
    );
    const daily = await this.ds.query(
      `SELECT to_char(date_trunc('day', received_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              count(*)::int AS dumps, sum(occurrences)::int AS occurrences
       FROM dumps WHERE signature_id = $1 AND received_at >= now() - make_interval(days => $2)
       GROUP BY 1 ORDER BY 1`,
      [id, days],
    );
    const tally = (expr: string): Promise<Tally[]> =>
      this.ds.query(
        `SELECT ${expr} AS value, count(*)::int AS dumps, sum(occurrences)::int AS occurrences
         FROM dumps WHERE signature_id = $1 AND ${expr} IS NOT NULL
         GROUP BY 1 ORDER BY occurrences DESC, value LIMIT 20`,
        [id],
      );
    const hosts = await tally('host');
    const kernels = await tally(`(parsed->'environment'->>'kernelVersion')`);
    const recent = await this.ds.query(
      `SELECT id, title, host, source, parsed->'environment'->>'kernelVersion' AS kernel,
              received_at AS "receivedAt", last_seen_at AS "lastSeenAt", occurrences
       FROM dumps WHERE signature_id = $1 ORDER BY last_seen_at DESC, id LIMIT 20`,
      [id],
    );
    return {
      signatureId: id,
      dumps: totals.dumps,
      occurrences: totals.occurrences,
      firstSeenAt: iso(totals.first),
      lastSeenAt: iso(totals.last),
      days,
      daily,
      hosts,
      kernels,
      recent: recent.map((r: SignatureHistory['recent'][number]) => ({
        ...r,
        receivedAt: iso(r.receivedAt),
        lastSeenAt: iso(r.lastSeenAt),
      })),
    };
  }
}
