// X-Crashkb-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> (API.md).
// Several v1 values may be sent (a collector rotating its secret); one valid one is enough.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far the signed time may be from now, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function signPayload(secret: string, t: number, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
}

export function verifySignature(
  header: string | undefined,
  secret: string,
  rawBody: Buffer,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Crashkb-Signature header' };
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.slice(0, 2048).split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) candidates.push(v.toLowerCase());
  }
  if (t === null || candidates.length === 0) {
    return { ok: false, reason: 'malformed X-Crashkb-Signature: expected t=<unix seconds>,v1=<hex hmac>' };
  }
  if (Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s from now`,
    };
  }
  const expected = Buffer.from(signPayload(secret, t, rawBody), 'hex');
  const valid = candidates.some((c) => timingSafeEqual(Buffer.from(c, 'hex'), expected));
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
}
