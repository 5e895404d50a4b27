// Group commit for stored dumps. Submissions that arrive together, or while an earlier batch
// is committing, are written in one transaction (one multi-row INSERT for the dumps, one for
// their buckets, one UPDATE that files the new dumps), and each submission is answered only
// after that transaction committed. One commit (one WAL flush) and five round trips then serve
// a whole batch instead of each dump; what it saves is measured in bench/README-ingest.md.
//
// What stays exactly as one transaction per dump would have it:
// - Dedup: a batch holds each content hash once. A second submission of the same content waits
//   for the next batch (after the first one committed) and is then a counted repeat, 200 with
//   the same id, with its own occurrence count.
// - Buckets: a bucket's counts grow by the batch's dumps at once; a new bucket's representative
//   and label are those of its first dump in arrival order, so bucket.created fires exactly
//   when a bucket is born without a signature.
// - Notifications: the outbox triggers (migration 1795000012000) are row triggers and fire in
//   the batch's transaction, so their events exist exactly when the batch committed.
// - Failure: a batch that fails is rolled back and each of its dumps is written again in its
//   own transaction, so one dump the database refuses fails alone. When the database itself is
//   unreachable every dump of the batch gets that error (503) at once.
// - PGlite: one batch at a time on one connection, nothing else awaited inside the transaction.
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FINGERPRINT_VERSION } from '../core/fingerprint';
import { isDatabaseUnavailable } from '../http/problem.filter';
import {
  BUCKET_COLUMNS,
  DUMP_COLUMNS,
  UNRECOGNISED_BUCKET,
  type BucketRow,
  type DumpRow,
  type NewDump,
} from './dumps.repository';

export interface StoredDump {
  dump: DumpRow;
  bucket: BucketRow;
  /** false: the same content was stored before and this submission was counted as a repeat. */
  inserted: boolean;
}

interface Pending {
  d: NewDump;
  size: number;
  queuedAt: number;
  resolve(r: StoredDump): void;
  reject(err: unknown): void;
}

/** A submission on its way to the writer (being parsed and matched). */
export interface WriteTicket {
  write(d: NewDump): Promise<StoredDump>;
  /** It will not come (it failed before); a no-op once written. */
  cancel(): void;
}

/**
 * How long a batch may wait for submissions that are being parsed before it is written. Only
 * then: with nothing on its way a dump is written at once. Under load each batch then holds
 * several dumps instead of the one or two that arrive while the previous one commits, and
 * PostgreSQL's CPU per dump falls with the batch size (bench/README-ingest.md).
 */
export const BATCH_WINDOW_MS = 20;

/** How many dumps one transaction writes at most (16 parameters each). */
export const MAX_BATCH_DUMPS = 32;
/** A batch stops growing past this many bytes of content: a 5 MiB dump is written nearly alone. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

@Injectable()
export class DumpWriter implements OnModuleDestroy {
  private readonly logger = new Logger(DumpWriter.name);
  private readonly queue: Pending[] = [];
  /** Content hashes of the batches being written: the same content waits for the next batch. */
  private readonly writing = new Set<string>();
  private inFlight = 0;
  /** Submissions announced (`expect`) and not yet written or given up. */
  private expected = 0;
  private scheduled = false;
  private windowTimer: NodeJS.Timeout | null = null;
  private idle: (() => void)[] = [];
  /**
   * Transactions at once. PGlite has one backend and runs transactions one after the other, so
   * one; on a server two, so that one batch is sent while the other waits for its WAL flush.
   */
  readonly maxInFlight: number;
  /** Committed batches and the dumps they held; `retriedSingly` counts batches that failed. */
  readonly stats = { batches: 0, dumps: 0, largestBatch: 0, retriedSingly: 0 };

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxInFlight = config.databaseUrl === null ? 1 : Math.max(1, Math.min(2, config.dbPoolSize - 1));
  }

  /** Stores the dump (or counts a repeat) in the next batch; resolves once that batch committed. */
  write(d: NewDump): Promise<StoredDump> {
    return new Promise<StoredDump>((resolve, reject) => {
      const size = d.content.length + (d.contentBytes?.length ?? 0);
      this.queue.push({ d, size, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Announces a submission that will be written soon: a batch may wait for it a moment. */
  expect(): WriteTicket {
    this.expected++;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.expected--;
      return true;
    };
    return {
      write: (d) => {
        close();
        return this.write(d);
      },
      cancel: () => {
        if (close()) this.schedule();
      },
    };
  }

  /** Submissions queued or being written. */
  get pending(): number {
    return this.queue.length + this.writing.size;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    // Submissions being parsed will be here shortly: let the batch wait for them, up to the window.
    const waited = performance.now() - this.queue[0].queuedAt;
    if (this.expected > 0 && this.queue.length < MAX_BATCH_DUMPS && waited < BATCH_WINDOW_MS) {
      this.windowTimer ??= setTimeout(() => {
        this.windowTimer = null;
        this.schedule();
      }, BATCH_WINDOW_MS - waited);
      return;
    }
    if (this.windowTimer) {
      clearTimeout(this.windowTimer);
      this.windowTimer = null;
    }
    this.scheduled = true;
    // One turn of the event loop lets submissions that arrive together share the batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < this.maxInFlight) {
        const batch = this.take();
        if (batch.length === 0) break;
        this.inFlight++;
        void this.run(batch).finally(() => {
          this.inFlight--;
          for (const p of batch) this.writing.delete(p.d.contentHash);
          this.schedule();
          if (this.inFlight === 0 && this.queue.length === 0) for (const f of this.idle.splice(0)) f();
        });
      }
    });
  }

  /** The next batch: queued submissions in arrival order, each content hash once. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    for (let i = 0; i < this.queue.length && batch.length < MAX_BATCH_DUMPS;) {
      const p = this.queue[i];
      if (this.writing.has(p.d.contentHash) || (batch.length > 0 && bytes + p.size > MAX_BATCH_BYTES)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.writing.add(p.d.contentHash);
      batch.push(p);
      bytes += p.size;
    }
    return batch;
  }

  private async run(batch: Pending[]): Promise<void> {
    try {
      const stored = await this.commit(batch.map((p) => p.d));
      this.stats.batches++;
      this.stats.dumps += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      batch.forEach((p, i) => p.resolve(stored[i]));
      return;
    } catch (err) {
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      this.stats.retriedSingly++;
      this.logger.warn(
        `a batch of ${batch.length} dumps failed (${(err as Error).message}); writing each on its own`,
      );
    }
    for (const p of batch) {
      try {
        const [one] = await this.commit([p.d]);
        this.stats.batches++;
        this.stats.dumps++;
        p.resolve(one);
      } catch (err) {
        p.reject(err);
      }
    }
  }

  /** One transaction for the whole batch; the results in the batch's order. */
  private commit(dumps: NewDump[]): Promise<StoredDump[]> {
    return this.ds.transaction((em) => writeBatch(em, dumps));
  }

  /** Waits for every queued and running batch (shutdown: before the database pool closes). */
  async onModuleDestroy(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `($1, $2, ...), (...)`: one tuple of placeholders per row, each with its cast, and `tail`
 * (a constant) at the end of each.
 */
function tuples(
  rows: number,
  casts: string[],
  params: unknown[],
  values: (i: number) => unknown[],
  tail = '',
): string {
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    const base = params.length;
    params.push(...values(i));
    out.push(`(${casts.map((c, k) => `$${base + k + 1}${c}`).join(', ')}${tail})`);
  }
  return out.join(', ');
}

/**
 * The batch's statements: dumps (new or repeats), then one bucket row per fingerprint, then the
 * new dumps filed in their buckets. Each content hash appears once in `dumps`.
 */
export async function writeBatch(em: EntityManager, dumps: NewDump[]): Promise<StoredDump[]> {
  const params: unknown[] = [];
  // Rows are locked in the order they are written: content hash order for the dumps and
  // fingerprint order for the buckets, so that two batches (two transactions here, or another
  // instance's) that touch the same rows wait for each other instead of deadlocking.
  const byHashOrder = [...dumps].sort((a, b) => compare(a.contentHash, b.contentHash));
  const dumpTuples = tuples(
    dumps.length,
    [
      '',
      '',
      '::json',
      '::jsonb',
      '',
      '',
      '',
      '::uuid',
      '',
      '',
      '::jsonb',
      '::timestamptz',
      '::bigint',
      '::bytea',
      '',
    ],
    params,
    (i) => {
      const d = byHashOrder[i];
      return [
        d.contentHash,
        d.content,
        d.parsedJson ?? JSON.stringify(d.parsed),
        JSON.stringify(d.matches),
        d.parsed.title,
        d.parsed.kind,
        d.parsed.fingerprint,
        d.signatureId,
        d.source,
        d.host,
        d.metadata === null ? null : JSON.stringify(d.metadata),
        d.collectedAt,
        d.matchedAtSeq,
        d.contentBytes,
        d.metadataJson,
      ];
    },
    `, ${FINGERPRINT_VERSION}`,
  );
  // A repeat keeps its row, text, parse, fingerprint and bucket; it is counted and judged again.
  const rows: (DumpRow & { contentHash: string; inserted: boolean })[] = await em.query(
    `INSERT INTO dumps (content_hash, content, parsed, matches, title, kind, fingerprint, signature_id,
                        source, host, metadata, collected_at, matched_at_seq, content_bytes, metadata_json,
                        parsed_version)
     VALUES ${dumpTuples}
     ON CONFLICT (content_hash) DO UPDATE
       SET occurrences = dumps.occurrences + 1, last_seen_at = now(),
           matches = EXCLUDED.matches, signature_id = COALESCE(EXCLUDED.signature_id, dumps.signature_id),
           matched_at_seq = EXCLUDED.matched_at_seq
     RETURNING ${DUMP_COLUMNS}, content_hash AS "contentHash", (xmax = 0) AS inserted`,
    params,
  );
  const byHash = new Map(rows.map((r) => [r.contentHash, r]));
  const ordered = dumps.map((d) => {
    const row = byHash.get(d.contentHash);
    if (!row) throw new Error(`the dump with content hash ${d.contentHash} was not written`);
    return row;
  });

  // One bucket row per fingerprint (a repeat's is the one it was stored under), in order of
  // first appearance: its first dump is a new bucket's representative and label.
  interface Group {
    fingerprint: string;
    first: DumpRow;
    firstSignature: string | null;
    laterSignature: string | null;
    added: number;
    occurrences: number;
  }
  const groups = new Map<string, Group>();
  ordered.forEach((row, i) => {
    const fingerprint = row.fingerprint ?? UNRECOGNISED_BUCKET;
    const signatureId = dumps[i].signatureId;
    let g = groups.get(fingerprint);
    if (!g) {
      g = {
        fingerprint,
        first: row,
        firstSignature: signatureId,
        laterSignature: null,
        added: 0,
        occurrences: 0,
      };
      groups.set(fingerprint, g);
    } else if (signatureId && !g.laterSignature) g.laterSignature = signatureId;
    g.occurrences++;
    if (row.inserted) g.added++;
  });
  const list = [...groups.values()].sort((a, b) => compare(a.fingerprint, b.fingerprint));
  const bucketParams: unknown[] = [];
  const bucketTuples = tuples(
    list.length,
    ['', '', '', '::uuid', '::uuid', '::int', '::bigint'],
    bucketParams,
    (i) => {
      const g = list[i];
      return [
        g.fingerprint,
        g.first.title,
        g.first.kind,
        g.first.id,
        g.firstSignature,
        g.added,
        g.occurrences,
      ];
    },
  );
  const buckets: BucketRow[] = await em.query(
    `INSERT INTO buckets (fingerprint, title, kind, representative_dump_id, signature_id, dump_count, occurrences)
     VALUES ${bucketTuples}
     ON CONFLICT (fingerprint) DO UPDATE
       SET dump_count = buckets.dump_count + EXCLUDED.dump_count,
           occurrences = buckets.occurrences + EXCLUDED.occurrences,
           last_seen_at = now(), signature_id = COALESCE(buckets.signature_id, EXCLUDED.signature_id)
     RETURNING ${BUCKET_COLUMNS}`,
    bucketParams,
  );
  const bucketOf = new Map(buckets.map((b) => [b.fingerprint, b]));
  // A later dump of the batch labels a bucket its first one left unlabelled, as it would have
  // in its own transaction (after bucket.created fired for the unlabelled birth).
  for (const g of list) {
    const b = bucketOf.get(g.fingerprint)!;
    if (b.signatureId === null && g.laterSignature) {
      // TypeORM answers an UPDATE with [rows, affected].
      const [[labelled]] = await em.query(
        `UPDATE buckets SET signature_id = $2 WHERE id = $1 AND signature_id IS NULL RETURNING ${BUCKET_COLUMNS}`,
        [b.id, g.laterSignature],
      );
      if (labelled) bucketOf.set(g.fingerprint, labelled as BucketRow);
    }
  }

  const moves: [string, string][] = [];
  for (const row of ordered) {
    const b = bucketOf.get(row.fingerprint ?? UNRECOGNISED_BUCKET)!;
    if (row.bucketId !== b.id) {
      moves.push([row.id, b.id]);
      row.bucketId = b.id;
    }
  }
  if (moves.length > 0) {
    const moveParams: unknown[] = [];
    const moveTuples = tuples(moves.length, ['::uuid', '::uuid'], moveParams, (i) => moves[i]);
    await em.query(
      `UPDATE dumps SET bucket_id = v.bucket FROM (VALUES ${moveTuples}) AS v(id, bucket) WHERE dumps.id = v.id`,
      moveParams,
    );
  }
  return ordered.map((row) => {
    const { contentHash: _hash, inserted, ...dump } = row;
    return {
      dump,
      bucket: bucketOf.get(row.fingerprint ?? UNRECOGNISED_BUCKET)!,
      inserted: inserted === true,
    };
  });
}
