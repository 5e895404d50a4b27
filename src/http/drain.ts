// Graceful shutdown of the HTTP side. Nest's app.close() runs the modules' destroy hooks
// (worker pool, database pool) *before* it closes the HTTP server, so a request still being
// read, parsed or written when SIGTERM arrives would lose its worker or its connection and
// be answered 500. The service therefore drains first: stop accepting, answer what is in
// flight, and only then take the modules down.
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { problem } from './problem';
import { sendProblem } from './problem.filter';

export class RequestDrain {
  private readonly inFlight = new Set<Response>();
  private draining = false;
  private waiters: (() => void)[] = [];

  /** Requests accepted and not yet answered (or abandoned by their client). */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Counts every request from its first byte of headers to its last byte of answer. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) {
      // A new request on a kept-alive connection after shutdown began: not started, so a
      // client or load balancer may safely send it elsewhere.
      res.setHeader('Connection', 'close');
      sendProblem(req, res, problem(503, 'the service is shutting down; try again shortly'));
      return;
    }
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
   * then closes the idle kept-alive connections. Resolves true when nothing was cut off.
   */
  async drain(server: Server, timeoutMs: number): Promise<boolean> {
    this.draining = true;
    // Answers still to come tell their clients not to reuse the connection.
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => {
      try {
        server.close(() => resolve());
      } catch {
        resolve();
      }
    });
    // Kept-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections();
    let drained = true;
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      drained = await Promise.race([
        new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    // Answered requests leave their connections idle: close them now; after the deadline,
    // close whatever is left so that shutdown can go on.
    if (drained) server.closeIdleConnections();
    else server.closeAllConnections();
    await closed;
    return drained;
  }
}
