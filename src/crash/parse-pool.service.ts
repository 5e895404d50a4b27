import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { parseDump } from '../core/parse';
import type { ParsedDump } from '../core/types';

/**
 * Dumps up to this size are parsed inline (well under a few milliseconds); larger ones go to
 * a worker thread so that one 5 MiB paste does not hold every other request for half a second.
 */
export const INLINE_PARSE_MAX_CHARS = 256 * 1024;

@Injectable()
export class ParsePool implements OnModuleDestroy {
  private pool: Piscina | null = null;
  private closed = false;
  /** How many dumps the worker threads parsed (observable in tests and metrics). */
  offloaded = 0;

  async parse(text: string): Promise<ParsedDump> {
    // After shutdown began (a webhook delivery being finished), parse inline: slower for
    // the event loop, but never a lost dump.
    if (text.length <= INLINE_PARSE_MAX_CHARS || this.closed) return parseDump(text);
    this.pool ??= new Piscina({
      filename: join(__dirname, 'parse-worker.js'),
      minThreads: 0,
      maxThreads: Math.max(1, availableParallelism() - 1),
      idleTimeout: 30_000,
    });
    const parsed = (await this.pool.run(text)) as ParsedDump;
    this.offloaded++;
    return parsed;
  }

  /**
   * Lets the parses in flight finish (close, not destroy: destroy terminates the threads
   * under them). HTTP requests are drained before this runs (app.factory.ts).
   */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
