import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { parseDump } from '../core/parse';
import type { ParsedDump } from '../core/types';
import type { ParseTask } from './parse-worker';

/**
 * On a single core, dumps up to this size are parsed inline (a few milliseconds) and only
 * larger ones go to the worker thread, so that one 5 MiB paste does not hold every other
 * request for half a second.
 */
export const INLINE_PARSE_MAX_CHARS = 256 * 1024;

/** Worker threads that parse: every core but the one the event loop runs on. */
const PARSE_THREADS = Math.max(1, availableParallelism() - 1);

/**
 * With a second core every stored dump is parsed on a worker thread. Parsing is most of a stored
 * dump's CPU time; on the event loop it also held the HTTP work, the database driver and
 * (embedded) PGlite itself, so a 2-core machine ran on one (bench/README-ingest.md).
 */
const OFFLOAD_ALL = availableParallelism() > 1;

@Injectable()
export class ParsePool implements OnModuleDestroy {
  private pool: Piscina | null = null;
  private closed = false;
  /** How many dumps the worker threads parsed (observable in tests and metrics). */
  offloaded = 0;

  /**
   * For answers that wait on nothing else (/parse, /match): dumps up to INLINE_PARSE_MAX_CHARS
   * are parsed inline. The hop to a worker and back cost a /match more than the parse it moved
   * (p50 1.5 -> 1.9 ms, bench/http-match); stored dumps, where throughput counts, go to the
   * workers (parseWithJson).
   */
  async parse(text: string): Promise<ParsedDump> {
    const pool = this.workers(text, false);
    if (!pool) return parseDump(text);
    const parsed = (await pool.run(text)) as ParsedDump;
    this.offloaded++;
    return parsed;
  }

  /** For background work (re-parsing stored dumps): on the workers whenever there are any. */
  async parseInBackground(text: string): Promise<ParsedDump> {
    const pool = this.workers(text, OFFLOAD_ALL);
    if (!pool) return parseDump(text);
    const parsed = (await pool.run(text)) as ParsedDump;
    this.offloaded++;
    return parsed;
  }

  /** The ParsedDump and its JSON (JSON.stringify of it, made where it was parsed). */
  async parseWithJson(text: string): Promise<{ parsed: ParsedDump; json: string }> {
    const pool = this.workers(text, OFFLOAD_ALL);
    if (!pool) {
      const parsed = parseDump(text);
      return { parsed, json: JSON.stringify(parsed) };
    }
    const task: ParseTask = { text, json: true };
    const json = (await pool.run(task)) as string;
    this.offloaded++;
    return { parsed: JSON.parse(json) as ParsedDump, json };
  }

  /** The worker threads for this text, or null: parse it inline. */
  private workers(text: string, offloadSmall: boolean): Piscina | null {
    // After shutdown began (a webhook delivery being finished), parse inline: slower for
    // the event loop, but never a lost dump.
    if (this.closed || (!offloadSmall && text.length <= INLINE_PARSE_MAX_CHARS)) return null;
    // The threads stay: a new one would pay start-up and JIT warm-up again.
    this.pool ??= new Piscina({
      filename: join(__dirname, 'parse-worker.js'),
      minThreads: PARSE_THREADS,
      maxThreads: PARSE_THREADS,
      idleTimeout: Number.MAX_SAFE_INTEGER,
    });
    return this.pool;
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
