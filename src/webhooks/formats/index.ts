// The formats a webhook source can declare (`"format"` of POST /webhook-sources). Each reader
// turns a delivery body into dumps or says why it cannot; a body none can read is kept and
// its delivery marked failed with that reason. Adding a collector is adding a row here.
import { readGenericPayload, type PayloadResult } from '../webhook-payload';
import { readKdump } from './kdump';
import { readSentry } from './sentry';
import { readSystemdCoredump } from './systemd-coredump';
import { readUreport } from './ureport';

export const WEBHOOK_FORMATS = ['generic', 'ureport', 'kdump', 'systemd-coredump', 'sentry'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const READERS: Record<WebhookFormat, (body: string, contentType: string | null) => PayloadResult> = {
  generic: readGenericPayload,
  ureport: readUreport,
  kdump: readKdump,
  'systemd-coredump': (body) => readSystemdCoredump(body),
  sentry: (body) => readSentry(body),
};

export function readPayload(format: string, body: string, contentType: string | null): PayloadResult {
  const reader = READERS[format as WebhookFormat];
  if (!reader) return { ok: false, reason: `unknown source format "${format}"` };
  try {
    return reader(body, contentType);
  } catch (err) {
    // Readers return reasons; one that throws on some odd input still must not lose the delivery.
    return {
      ok: false,
      reason: `${format} payload could not be read: ${(err as Error).message.slice(0, 200)}`,
    };
  }
}
