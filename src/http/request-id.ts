import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id, assigned once: the caller's X-Request-Id when it is sane (so logs join
 * up across services), else a new UUID. Runs before the body parsers so that even their
 * errors carry it, and pino-http reuses it for every log line of the request.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const holder = req as IncomingMessage & { id?: string };
  if (holder.id) return holder.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  holder.id = id;
  res.setHeader('X-Request-Id', id);
  return id;
}
