// Graceful shutdown of the HTTP side. Nest's app.close() runs the modules' destroy hooks
// (worker pool, database pool) *before* it closes the HTTP server, so a request still being
// read, parsed or written when SIGTERM arrives would lose its worker or its connection and
// be answered 500. The service therefore drains first: stop accepting, answer what is in
// flight, and only then take the modules down.
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/**
 * Once nothing is in flight, how long the drain waits for requests that were already sent on
 * open connections but not yet read (the process is slow to read under load) before it
 * closes the idle connections.
 */
export const DRAIN_QUIET_MS = 250;

/**
 * How long the listener stays open after shutdown begins. A connection the kernel completed
 * before the signal but the process had not yet taken (its loop was busy: PGlite runs on it)
 * would be reset when the listener closes; one more turn of the loop takes it in and serves it.
 */
export const DRAIN_ACCEPT_GRACE_MS = 100;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RequestDrain {
  private readonly inFlight = new Set<Response>();
  private draining = false;
  private waiters: (() => void)[] = [];

  /** Requests accepted and not yet answered (or abandoned by their client). */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Counts every request from its headers to the last byte of its answer. */
  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    // A request that reaches the service while it drains was sent on a connection opened
    // before: it is served, and its client told not to reuse the connection.
    if (this.draining) res.setHeader('Connection', 'close');
    this.inFlight.add(res);
    const finish = () => {
      if (this.inFlight.delete(res) && this.inFlight.size === 0) for (const w of this.waiters.splice(0)) w();
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };

  /**
   * Stops accepting connections, lets every request in flight finish (up to `timeoutMs`),
   * then closes the connections left. Resolves true when nothing was cut off.
   */
  async drain(server: Server, timeoutMs: number): Promise<boolean> {
    this.draining = true;
    const deadline = Date.now() + timeoutMs;
    // Answers still to come tell their clients not to reuse the connection.
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    await sleep(DRAIN_ACCEPT_GRACE_MS);
    // Stop listening. Not http.Server#close(): that also closes at once the connections with
    // no request parsed yet, and under load those include requests already sent and waiting
    // in the socket (their clients saw ECONNRESET).
    const closed = new Promise<void>((resolve) => {
      try {
        NetServer.prototype.close.call(server, () => resolve());
      } catch {
        resolve();
      }
    });
    let drained = false;
    while (Date.now() < deadline) {
      if (this.inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => this.waiters.push(resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now()))),
        ]);
        clearTimeout(timer);
        continue;
      }
      await sleep(Math.min(DRAIN_QUIET_MS, Math.max(0, deadline - Date.now())));
      if (this.inFlight.size === 0) {
        drained = true;
        break;
      }
    }
    if (drained) server.closeIdleConnections();
    else server.closeAllConnections();
    await closed;
    return drained;
  }
}
