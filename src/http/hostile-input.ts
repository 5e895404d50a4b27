// Input that PostgreSQL or V8 cannot take as it is gets a clear 400 here, before any route
// runs, instead of a 500 from deep inside: NUL in a URL (no text column can hold it), JSON
// nested deeper than JSON_MAX_DEPTH (V8's JSON.parse is superlinear in depth — a 5 MiB body
// nested a million levels deep holds the event loop for seconds — and JSON.stringify, class-
// transformer and jsonb recurse), NUL in the string fields of routes that store them as text.
// Dumps themselves are not refused for their bytes: the dump routes keep them exactly
// (src/crash/lossless.ts).
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { problem } from './problem';
import { sendProblem } from './problem.filter';

/** Deepest JSON nesting accepted in a request body. */
export const JSON_MAX_DEPTH = 1000;

/** A body-parser error: http-errors keeps `status` and `type`, the error map turns it into a 400. */
class BodyRefused extends Error {
  readonly status = 400;
  readonly expose = true;
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * express.json `verify`: runs over the raw bytes before JSON.parse and refuses nesting deeper
 * than JSON_MAX_DEPTH. Linear; strings are skipped so brackets inside them do not count.
 */
export function refuseDeepJson(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (buf.length <= JSON_MAX_DEPTH * 2) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > JSON_MAX_DEPTH) {
        throw new BodyRefused(
          'entity.too.deep',
          `request body is JSON nested deeper than ${JSON_MAX_DEPTH} levels; flatten it or send it as a string`,
        );
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** express.text `verify`: keeps the exact bytes of a text body for the dump routes. */
export function keepRawText(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buf;
}

export function rawBodyOf(req: Request): Buffer | null {
  return (req as Request & { rawBody?: Buffer }).rawBody ?? null;
}

/**
 * NUL in the path or the query string: 400. It can only get there as %00 (the HTTP parser
 * refuses a raw NUL), and express decodes %00 even inside otherwise invalid UTF-8 escapes.
 */
export function refuseNulInUrl(req: Request, res: Response, next: NextFunction): void {
  if (/%00/i.test(req.originalUrl ?? req.url)) {
    sendProblem(
      req,
      res,
      problem(
        400,
        'the URL contains a NUL byte (%00) in its path or query: no name, id or search term can hold one',
      ),
    );
    return;
  }
  next();
}

/**
 * Routes whose JSON bodies keep NUL: the dump routes store the dump and its metadata exactly
 * (or store nothing); `content` of from-dump is only parsed. Everything else is text in the
 * database.
 */
const NUL_EXEMPT: { method: string; path: RegExp; all: boolean }[] = [
  { method: 'POST', path: /^\/api\/v1\/(dumps|parse|match)\/?$/, all: true },
  { method: 'POST', path: /^\/api\/v1\/signatures\/from-dump\/?$/, all: false },
];

/** The path of the first string or key holding NUL, or null. Iterative: depth is bounded but may be 1000. */
export function findNul(value: unknown, skipTopLevel: string | null): string | null {
  const stack: { v: unknown; at: string }[] = [{ v: value, at: '' }];
  while (stack.length) {
    const { v, at } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return at || '(body)';
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (at === '' && k === skipTopLevel) continue;
        const path = at ? `${at}.${k}` : k;
        if (k.includes('\0')) return path;
        stack.push({ v: child, at: path });
      }
    }
  }
  return null;
}

export function refuseNulInJson(req: Request, res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body)) return next();
  const exempt = NUL_EXEMPT.find((e) => e.method === req.method && e.path.test(req.path));
  if (exempt?.all) return next();
  const at = findNul(body, exempt ? 'content' : null);
  if (at === null) return next();
  sendProblem(
    req,
    res,
    problem(400, `${at}: contains a NUL character (\\u0000), which cannot be stored as text; remove it`, {
      errors: [{ field: at, messages: ['must not contain NUL (\\u0000)'] }],
    }),
  );
}
