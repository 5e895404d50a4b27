// Reads a delivery body into the dumps it carries. Generic format (API.md):
// {"dumps": [{"content", "host"?, "collectedAt"?, "metadata"?}]} or one {"content", ...}.
// Returns a reason instead of throwing: a body that cannot be read is a permanent failure.

export interface DeliveredDump {
  content: string;
  host: string | null;
  collectedAt: Date | null;
  metadata: Record<string, unknown> | null;
}

export type PayloadResult = { ok: true; dumps: DeliveredDump[] } | { ok: false; reason: string };

/** More dumps than this in one delivery is a collector bug, not a batch. */
export const MAX_DUMPS_PER_DELIVERY = 1000;

function readDump(item: unknown, at: string): DeliveredDump | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${at}: expected an object`;
  const o = item as Record<string, unknown>;
  if (typeof o.content !== 'string') return `${at}.content: must be a string holding the dump`;
  if (o.content.trim() === '') return `${at}.content: the dump is empty`;
  if (o.host !== undefined && o.host !== null && (typeof o.host !== 'string' || o.host.length > 255)) {
    return `${at}.host: must be a string of at most 255 characters`;
  }
  let collectedAt: Date | null = null;
  if (o.collectedAt !== undefined && o.collectedAt !== null) {
    const d = typeof o.collectedAt === 'string' ? new Date(o.collectedAt) : null;
    if (!d || Number.isNaN(d.getTime())) return `${at}.collectedAt: must be an ISO 8601 time`;
    collectedAt = d;
  }
  if (
    o.metadata !== undefined &&
    o.metadata !== null &&
    (typeof o.metadata !== 'object' || Array.isArray(o.metadata))
  ) {
    return `${at}.metadata: must be an object`;
  }
  return {
    content: o.content,
    host: (o.host as string | undefined) ?? null,
    collectedAt,
    metadata: (o.metadata as Record<string, unknown> | undefined) ?? null,
  };
}

export function readGenericPayload(body: string, contentType: string | null): PayloadResult {
  if (contentType && contentType.toLowerCase().startsWith('text/')) {
    return body.trim() === ''
      ? { ok: false, reason: 'the dump is empty' }
      : { ok: true, dumps: [{ content: body, host: null, collectedAt: null, metadata: null }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `body is not valid JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'expected a JSON object {"dumps": [...]} or {"content": ...}' };
  }
  const o = json as Record<string, unknown>;
  const items = Array.isArray(o.dumps) ? o.dumps : 'content' in o ? [o] : null;
  if (!items) return { ok: false, reason: 'expected "dumps": [...] or "content"' };
  if (items.length === 0) return { ok: false, reason: 'dumps: empty list' };
  if (items.length > MAX_DUMPS_PER_DELIVERY)
    return { ok: false, reason: `dumps: more than ${MAX_DUMPS_PER_DELIVERY}` };
  const dumps: DeliveredDump[] = [];
  for (let i = 0; i < items.length; i++) {
    const d = readDump(items[i], Array.isArray(o.dumps) ? `dumps[${i}]` : 'body');
    if (typeof d === 'string') return { ok: false, reason: d };
    dumps.push(d);
  }
  return { ok: true, dumps };
}
