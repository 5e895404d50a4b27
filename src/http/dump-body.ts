// Every route that takes a dump accepts `text/plain` (the body is the dump) or JSON
// `{"content": "<dump>", ...}` (API.md "Dumps in"). This turns either into the dump text
// and the other JSON fields, with a clear 4xx for anything else.
import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { rawBodyOf } from './hostile-input';

export interface DumpBody {
  /** The dump as a string: exactly the JSON `content`, or the text body decoded as UTF-8. */
  content: string;
  /** The exact bytes of a text/plain body (which may not be UTF-8); null for JSON. */
  raw: Buffer | null;
  /** The other fields of a JSON body (title, fixes, host, ...); {} for text/plain. */
  fields: Record<string, unknown>;
}

export function readDumpBody(req: Request): DumpBody {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body: unknown = req.body;
  if (type.startsWith('text/')) {
    const content = typeof body === 'string' ? body : '';
    if (content.trim() === '') throw new BadRequestException('the dump is empty');
    return { content, raw: rawBodyOf(req), fields: {} };
  }
  if (type.startsWith('application/json') || type.includes('+json')) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('expected a JSON object {"content": "<dump>", ...}');
    }
    const { content, ...fields } = body as Record<string, unknown>;
    if (typeof content !== 'string')
      throw new BadRequestException('content: must be a string holding the dump');
    if (content.trim() === '') throw new BadRequestException('the dump is empty');
    return { content, raw: null, fields };
  }
  if (!type) {
    // No body at all (e.g. curl without -d) is an empty dump, not a media type question.
    if (body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0)) {
      throw new BadRequestException('the dump is empty: send it as text/plain or JSON {"content": ...}');
    }
  }
  throw new UnsupportedMediaTypeException(
    `unsupported content type "${type || 'none'}": send text/plain or application/json {"content": ...}`,
  );
}
