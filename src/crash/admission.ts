// Load shedding for the write path. Each stored dump holds a database connection for one
// short transaction; when submissions arrive faster than the pool can take them, waiting in
// pg-pool's queue ends in its connection timeout (a 500, or a client that gave up first).
// Instead a submission waits here for a slot, at most `maxQueue` deep and `maxWaitMs` long,
// and beyond that is refused at once with 503 and Retry-After: the collector retries later,
// nothing is half done, and the pool keeps a connection for reads and background work.
import { ServiceUnavailableException } from '@nestjs/common';

export class Overloaded extends ServiceUnavailableException {
  constructor(why: string) {
    super(`the service is at capacity (${why}); retry after the Retry-After delay`);
  }
}

export class AdmissionGate {
  private running = 0;
  private readonly queue: { go: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueue: number,
    readonly maxWaitMs: number,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `work` in a slot; throws Overloaded when none frees up in time. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new Overloaded(`${this.queue.length} submissions already waiting`));
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new Overloaded(`no database slot within ${this.maxWaitMs} ms`));
        }, this.maxWaitMs),
      };
      this.queue.push(entry);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter; `running` stays the same.
    if (next) next.go();
    else this.running--;
  }
}
