// One canonical form for a stored matcher, so that the same matcher written twice (by the API,
// an import, or the seed) compares equal and an idempotent import really changes nothing.
import type { SignatureMatcher } from '../core/types';
import type { FieldError } from '../http/problem';
import { ValidationFailed } from '../http/validation';

const ARRAY_FIELDS = ['freeFrames', 'fingerprints', 'slabCaches', 'objectSizes', 'poisons'] as const;
const SCALAR_FIELDS = [
  'kind',
  'headline',
  'guiltyFrame',
  'module',
  'arch',
  'kernelMin',
  'kernelMax',
] as const;

/** Drops null/undefined/empty optional fields and fixes the key order. */
export function normalizeMatcher(m: SignatureMatcher): SignatureMatcher {
  const out: Record<string, unknown> = {};
  for (const k of SCALAR_FIELDS) {
    const v = m[k];
    if (v !== null && v !== undefined && v !== '') out[k] = v;
  }
  out.frames = [...(m.frames ?? [])];
  for (const k of ARRAY_FIELDS) {
    const v = m[k];
    if (Array.isArray(v) && v.length > 0) out[k] = [...v];
  }
  if (Array.isArray(m.patterns) && m.patterns.length > 0) {
    out.patterns = m.patterns.map((p) =>
      p.required ? { pattern: p.pattern, required: true } : { pattern: p.pattern },
    );
  }
  return out as unknown as SignatureMatcher;
}

/** Checks that class-validator cannot express (cross-field); throws the usual field-naming 400. */
export function checkMatcher(m: SignatureMatcher, field = 'matcher'): void {
  const errors: FieldError[] = [];
  if (m.guiltyFrame != null && m.guiltyFrame >= m.frames.length) {
    errors.push({
      field: `${field}.guiltyFrame`,
      messages: [`guiltyFrame must index into frames (0..${Math.max(m.frames.length - 1, 0)})`],
    });
  }
  if (m.frames.length === 0 && !(m.fingerprints?.length || m.patterns?.length || m.headline)) {
    errors.push({
      field: `${field}.frames`,
      messages: [
        'a matcher needs at least one frame, fingerprint, pattern or headline, or it could never match',
      ],
    });
  }
  if (errors.length > 0) throw new ValidationFailed(errors);
}

/** Key-sorted JSON: jsonb reorders keys, so equality must not depend on order. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
