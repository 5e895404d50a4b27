// A stable identity for a bug: what kind it is and which frames identify it. Addresses,
// offsets, timestamps, pids, registers and the kernel build never enter the hash.
import { createHash } from 'node:crypto';
import type { ParsedReport } from './types';

/**
 * Bump when a normalisation that feeds the hash changes, and add a changelog line.
 * 1: sha-256 over "crashkb-fp/1", kind, state frames (headline when state is empty).
 */
export const FINGERPRINT_VERSION = 1;

export function computeFingerprint(report: Pick<ParsedReport, 'kind' | 'state' | 'headline'>): string | null {
  if (report.kind === 'unknown') return null;
  const parts = [`crashkb-fp/${FINGERPRINT_VERSION}`, report.kind];
  // Reports without frames (workqueue lockup, netdev refcount) are identified by their headline.
  if (report.state.length === 0) parts.push('headline:' + (report.headline ?? ''));
  else parts.push(...report.state);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
