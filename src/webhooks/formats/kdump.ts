// kdump: the `vmcore-dmesg.txt` that kdump saves next to a vmcore (the kernel log up to the
// crash), uploaded as a file (multipart/form-data, optional `host` and `collectedAt` fields)
// or sent as the raw body. The parser finds the oops in the log; the host comes from systemd's
// "Set hostname to <...>" line and the kernel release from "Linux version ..." (or the oops'
// CPU: line), unless the upload names the host.
import type { PayloadResult } from '../webhook-payload';
import { field, isMultipart, parseMultipart, uploadedFile } from './multipart';

export function kdumpFacts(log: string): { host: string | null; kernelRelease: string | null } {
  const host = /Set hostname to <([^>\s]{1,255})>/.exec(log)?.[1] ?? null;
  const release =
    /Linux version (\S+)/.exec(log)?.[1] ??
    /\bCPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: .*? (?:Not tainted|Tainted: [A-Z ]+?)\s+(\S+) #/.exec(
      log,
    )?.[1] ??
    null;
  return { host, kernelRelease: release };
}

export function readKdump(body: string, contentType: string | null): PayloadResult {
  let log = body;
  let host: string | null = null;
  let filename: string | null = null;
  let collectedAt: Date | null = null;
  if (isMultipart(contentType)) {
    const parts = parseMultipart(body, contentType!);
    if (typeof parts === 'string') return { ok: false, reason: parts };
    const file = uploadedFile(parts, ['file', 'vmcore-dmesg', 'vmcore-dmesg.txt']);
    if (!file) return { ok: false, reason: 'multipart upload without the vmcore-dmesg.txt file part' };
    log = file.value;
    filename = file.filename;
    host = field(parts, 'host');
    const at = field(parts, 'collectedAt');
    if (at) {
      collectedAt = new Date(at);
      if (Number.isNaN(collectedAt.getTime()))
        return { ok: false, reason: 'collectedAt: must be an ISO 8601 time' };
    }
  } else if (contentType && /json/i.test(contentType)) {
    return {
      ok: false,
      reason: 'kdump: send vmcore-dmesg.txt as text/plain or as a multipart file upload, not JSON',
    };
  }
  if (log.trim() === '') return { ok: false, reason: 'vmcore-dmesg.txt is empty' };
  if (!/\[\s*\d+\.\d+\]|Linux version|Call Trace|RIP:|Kernel panic/.test(log)) {
    return {
      ok: false,
      reason: 'this does not look like a kernel log (no timestamps, Linux version, Call Trace or RIP)',
    };
  }
  const facts = kdumpFacts(log);
  if (host && host.length > 255) return { ok: false, reason: 'host: at most 255 characters' };
  return {
    ok: true,
    dumps: [
      {
        content: log,
        host: host ?? facts.host,
        collectedAt,
        metadata: { format: 'kdump', kernelRelease: facts.kernelRelease, filename },
      },
    ],
  };
}
