// One notification POST: signed like the inbound webhooks (X-Crashkb-Signature over
// "<t>.<raw body>"), answered within 10 s or given up. No redirects are followed: a 3xx is
// an answer that is not 2xx, so it is retried like any other failure.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { signPayload } from '../webhooks/webhook-signature';
import { guardedLookup, isPrivateAddress } from './url-guard';

export const DELIVERY_TIMEOUT_MS = 10_000;
export const USER_AGENT = 'crashkb-notifier/1';

export interface Outgoing {
  url: string;
  secret: string;
  event: string;
  deliveryId: string;
  body: string;
  allowPrivate: boolean;
  timeoutMs?: number;
  now?: () => number;
}

export type SendResult = { ok: boolean; status: number | null; error: string | null };

export function signatureHeader(secret: string, body: string, t: number): string {
  return `t=${t},v1=${signPayload(secret, t, body)}`;
}

export function send(o: Outgoing): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    return Promise.resolve({ ok: false, status: null, error: 'invalid URL' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!o.allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({ ok: false, status: null, error: `refused: ${host} is a private address` });
  }
  const t = Math.floor((o.now ?? Date.now)() / 1000);
  const timeoutMs = o.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(o.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(o.body),
          'user-agent': USER_AGENT,
          'x-crashkb-event': o.event,
          'x-crashkb-delivery': o.deliveryId,
          'x-crashkb-signature': signatureHeader(o.secret, o.body, t),
        },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        // Read (and drop) the answer so the socket is released; its content does not matter.
        res.on('data', () => undefined);
        res.on('end', () =>
          done({
            ok: status >= 200 && status < 300,
            status,
            error: status >= 200 && status < 300 ? null : `answered ${status}`,
          }),
        );
        res.on('error', (err) => done({ ok: false, status, error: err.message }));
      },
    );
    // The whole exchange, not only the connection, must finish within the timeout.
    const timer = setTimeout(() => {
      done({ ok: false, status: null, error: `no answer within ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => done({ ok: false, status: null, error: err.message.slice(0, 300) }));
    req.end(o.body);
  });
}
