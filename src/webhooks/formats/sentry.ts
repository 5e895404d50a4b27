// Sentry event webhooks: an issue alert / integration webhook (`{"data": {"event": {...}}}`),
// the legacy webhooks plugin (`{"event": {...}}`), or a bare event. The exception value that
// carries a stack (the last one: Sentry lists chained exceptions oldest first) is rendered as
// a gdb backtrace, innermost frame first (Sentry lists frames caller first), with the signal of
// a native crash (`mechanism.meta.signal`) as the stop line. Host from server_name (or its tag).
import type { PayloadResult } from '../webhook-payload';
import { gdbBacktrace, type TextFrame } from './gdb-text';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function tag(event: Obj, name: string): string | null {
  const tags = event.tags;
  if (Array.isArray(tags)) {
    for (const t of tags) {
      if (Array.isArray(t) && t[0] === name) return str(t[1]);
      if (obj(t)?.key === name) return str(obj(t)!.value);
    }
  }
  return str(obj(tags)?.[name]);
}

function eventTime(event: Obj): Date | null {
  const t = event.timestamp ?? event.datetime;
  const d = typeof t === 'number' ? new Date(t * 1000) : typeof t === 'string' ? new Date(t) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
}

export function readSentry(body: string): PayloadResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `Sentry payload is not valid JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  const root = obj(json);
  const event = obj(obj(root?.data)?.event) ?? obj(root?.event) ?? (root?.exception ? root : null);
  if (!event)
    return { ok: false, reason: 'Sentry: expected data.event, event, or an event with "exception"' };
  const values = obj(event.exception)?.values;
  const list = Array.isArray(values) ? values.map(obj).filter((v): v is Obj => v !== null) : [];
  const withStack = [...list].reverse().find((v) => Array.isArray(obj(v.stacktrace)?.frames));
  if (!withStack) return { ok: false, reason: 'Sentry event: no exception value with stacktrace.frames' };
  const frames = (obj(withStack.stacktrace)!.frames as unknown[])
    .map(obj)
    .filter((f): f is Obj => f !== null);
  if (frames.length === 0) return { ok: false, reason: 'Sentry event: the stack trace has no frames' };
  const textFrames: TextFrame[] = frames.reverse().map((f) => ({
    function: str(f.function) ?? str(f.symbol),
    address: str(f.instruction_addr),
    file: str(f.filename) ?? str(f.abs_path),
    line: typeof f.lineno === 'number' ? f.lineno : null,
    module: str(f.package) ?? str(f.module),
  }));
  const signal = obj(obj(obj(withStack.mechanism)?.meta)?.signal);
  const type = str(withStack.type) ?? 'Error';
  const message = str(withStack.value);
  const eventId = str(event.event_id) ?? str(event.id);
  const header =
    `Sentry ${str(event.platform) ?? ''} event ${eventId ?? ''}: ${type}${message ? `: ${message}` : ''}`
      .replace(/\s+/g, ' ')
      .slice(0, 500);
  return {
    ok: true,
    dumps: [
      {
        content: gdbBacktrace(textFrames, (signal?.name as string) ?? (signal?.number as number) ?? null, [
          header,
        ]),
        host: (str(event.server_name) ?? tag(event, 'server_name'))?.slice(0, 255) ?? null,
        collectedAt: eventTime(event),
        metadata: {
          format: 'sentry',
          eventId,
          project: str(event.project) ?? (typeof event.project === 'number' ? String(event.project) : null),
          platform: str(event.platform),
          release: str(event.release),
          level: str(event.level),
          exception: `${type}${message ? `: ${message}` : ''}`.slice(0, 1000),
          url: str(event.web_url) ?? str(event.url) ?? str(obj(root?.data)?.url) ?? null,
        },
      },
    ],
  };
}
