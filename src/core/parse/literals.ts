// Sets of literal strings from our own rule tables, compiled once into one regex: V8 tests an
// alternation of literals in a single pass over the subject, several times faster than a loop of
// `includes`/`startsWith` over each literal. Never used for user-supplied patterns (those go
// through RE2, src/core/re2.ts).

/** `a.b(c)` → `a\.b\(c\)`: a literal as a regex source. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regex that tests whether a string contains one of `values` (`at: 'start'`: starts with one);
 * null for an empty list (an empty alternation would match everything).
 */
export function literalSet(values: readonly string[], at: 'anywhere' | 'start' = 'anywhere'): RegExp | null {
  if (values.length === 0) return null;
  const alternation = values.map(escapeRe).join('|');
  // eslint-disable-next-line no-restricted-syntax -- literals from our own tables, escaped, compiled once
  return new RegExp(at === 'start' ? `^(?:${alternation})` : alternation);
}
