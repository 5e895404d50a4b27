import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
import { ValidationFailed } from './validation';

// Driver and server codes that mean "the database is not there", answered 503, not 500.
const DB_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  '3D000', // the database itself is gone
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string } | null;
  if (!e) return false;
  const code = e.code ?? e.driverError?.code;
  if (code && DB_UNAVAILABLE_CODES.has(code)) return true;
  const msg = e.message ?? '';
  // "timeout exceeded when trying to connect": pg-pool had no free connection in time (the
  // database is saturated): shed with 503 + Retry-After like an outage, not a 500.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|pool is probably full|Cannot use a pool after calling end/i.test(
    msg,
  );
}

/** Body parser errors carry `type` and `status` (express' raw-body / http-errors). */
function bodyParserProblem(err: unknown): Problem | null {
  const e = err as { type?: string; status?: number; limit?: number; message?: string } | null;
  if (!e || typeof e.type !== 'string') return null;
  switch (e.type) {
    case 'entity.too.large':
      return problem(413, `request body is larger than the limit of ${e.limit ?? '?'} bytes`);
    case 'entity.parse.failed':
      return problem(400, `request body is not valid JSON: ${String(e.message ?? '').slice(0, 200)}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, String(e.message ?? 'unsupported encoding'));
    case 'request.aborted':
      return problem(400, 'request aborted by the client');
    default:
      return typeof e.status === 'number' && e.status >= 400 && e.status < 500
        ? problem(e.status, String(e.message ?? 'bad request'))
        : null;
  }
}

export function toProblem(err: unknown): Problem {
  if (err instanceof ValidationFailed) {
    return problem(400, err.message, { errors: err.fieldErrors });
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    let detail = err.message;
    if (typeof body === 'object' && body && 'message' in body) {
      const m = (body as { message: unknown }).message;
      detail = Array.isArray(m) ? m.join('; ') : String(m);
    } else if (typeof body === 'string') detail = body;
    return problem(status, detail);
  }
  const parsed = bodyParserProblem(err);
  if (parsed) return parsed;
  if (isDatabaseUnavailable(err)) return problem(503, 'the database is unreachable; try again shortly');
  return problem(500, 'internal error; the request id identifies it in the service log');
}

export function sendProblem(req: Request, res: Response, p: Problem): void {
  const requestId = (req as Request & { id?: string }).id;
  const body: Problem = {
    ...p,
    instance: req.originalUrl ?? req.url,
    ...(requestId ? { requestId: String(requestId) } : {}),
  };
  if (p.status === 503) res.setHeader('Retry-After', '5');
  res.status(p.status).setHeader('Content-Type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const p = toProblem(err);
    if (p.status >= 500) {
      this.logger.error(
        { err, status: p.status },
        `request failed: ${(err as Error)?.message ?? String(err)}`,
      );
    }
    if (res.headersSent) return;
    sendProblem(req, res, p);
  }
}
