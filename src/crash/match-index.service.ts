import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { MatchIndex } from '../core/match';
import type { Match, ParsedDump } from '../core/types';
import { SIGNATURE_FEED, type SignatureFeed } from './signature-feed';

/** How often the index asks the database for signatures changed elsewhere (other instances). */
export const INDEX_POLL_MS = 400;

/**
 * The compiled, in-memory index of all signatures. A match never touches the database;
 * the index follows the knowledge base by polling its change sequence (works on PGlite,
 * which has no LISTEN/NOTIFY, and across instances on one database), and at once after a
 * change made through this instance (`refresh()`).
 */
@Injectable()
export class MatchIndexService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MatchIndexService.name);
  private readonly index = new MatchIndex();
  private seq: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = false;
  private readonly listeners: ((seq: string | null) => void)[] = [];

  constructor(@Inject(SIGNATURE_FEED) private readonly feed: SignatureFeed) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.poll(), INDEX_POLL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The knowledge-base version the index reflects (a change sequence number). */
  get version(): string | null {
    return this.seq;
  }

  get size(): number {
    return this.index.size;
  }

  /** Called with the new version whenever signatures changed (the re-matcher listens). */
  onChange(listener: (seq: string | null) => void): void {
    this.listeners.push(listener);
  }

  match(parsed: ParsedDump, raw: string): Match[] {
    return this.index.match(parsed, raw);
  }

  /**
   * Applies every change since the last refresh; resolves with how many signatures changed.
   * Runs are queued one after another, so a write that committed before the call is
   * always seen when the promise resolves.
   */
  refresh(): Promise<number> {
    const run = this.queue.then(() => this.applyChanges());
    this.queue = run.catch(() => 0);
    return run;
  }

  private poll(): void {
    if (this.pending) return; // the database is slow: do not pile polls up
    this.pending = true;
    this.refresh()
      .catch((err: unknown) => this.logger.warn(`index refresh failed: ${(err as Error).message}`))
      .finally(() => (this.pending = false));
  }

  private async applyChanges(): Promise<number> {
    const { maxSeq, rows } = await this.feed.changesSince(this.seq);
    for (const row of rows) {
      if (row.deleted) {
        this.index.remove(row.id);
        continue;
      }
      try {
        this.index.upsert({
          id: row.id,
          title: row.title,
          matcher: row.matcher,
          fixes: row.fixes,
          notes: row.notes,
          duplicateOf: row.duplicateOf ?? null,
        });
      } catch (err) {
        // A signature the index cannot compile (it was validated at write time, so this is
        // old data or a bug) must not stop the others from matching.
        this.index.remove(row.id);
        this.logger.error(`signature ${row.id} left out of the index: ${(err as Error).message}`);
      }
    }
    if (maxSeq !== null && maxSeq !== this.seq) this.seq = maxSeq;
    if (rows.length > 0) for (const l of this.listeners) l(this.seq);
    return rows.length;
  }
}
