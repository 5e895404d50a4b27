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

/** Something that says whether a line holds one of a set of literals. */
export interface LiteralTest {
  test(s: string): boolean;
}

const HASH_SLOTS = 4096;
const pairHash = (a: number, b: number) => ((a * 67) ^ b) & (HASH_SLOTS - 1);
const foldAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Whether a string contains one of `values`, found by looking at every (m-1)-th position only,
 * m the shortest value's length (a q-gram filter): each occurrence covers exactly one probed
 * position, and the two characters there (hashed) name the few values to verify. On our log
 * lines this is about twice as fast as V8 on the alternation of the same literals: the regex
 * tries the alternation at every position. `ignoreCase` folds ASCII letters only, as a regex's
 * `i` flag does for ASCII literals without `u`. Values shorter than 2 fall back to literalSet.
 */
export function literalScanner(
  values: readonly string[],
  opts: { ignoreCase?: boolean } = {},
): LiteralTest | null {
  if (values.length === 0) return null;
  const ignoreCase = opts.ignoreCase ?? false;
  const m = Math.min(...values.map((v) => v.length));
  if (m < 2) {
    const re = literalSet(values);
    // eslint-disable-next-line no-restricted-syntax -- our own escaped literals, compiled once
    return re && ignoreCase ? new RegExp(re.source, 'i') : re;
  }
  const vals = ignoreCase ? values.map((v) => v.toLowerCase()) : values.slice();
  const step = m - 1;
  const slot = new Int16Array(HASH_SLOTS).fill(-1);
  // bucket k: the values (and the offset of the probed pair in each) whose pairs hash to k.
  const bucketValues: string[][] = [];
  const bucketOffsets: number[][] = [];
  for (const v of vals)
    for (let j = 0; j < step; j++) {
      const h = pairHash(v.charCodeAt(j), v.charCodeAt(j + 1));
      if (slot[h] < 0) {
        slot[h] = bucketValues.length;
        bucketValues.push([]);
        bucketOffsets.push([]);
      }
      bucketValues[slot[h]].push(v);
      bucketOffsets[slot[h]].push(j);
    }
  if (!ignoreCase)
    return {
      test(s: string): boolean {
        const last = s.length - 1;
        for (let i = 0; i < last; i += step) {
          const k = slot[pairHash(s.charCodeAt(i), s.charCodeAt(i + 1))];
          if (k < 0) continue;
          const vs = bucketValues[k];
          const os = bucketOffsets[k];
          for (let t = 0; t < vs.length; t++) if (i >= os[t] && s.startsWith(vs[t], i - os[t])) return true;
        }
        return false;
      },
    };
  const foldedAt = (s: string, v: string, p: number) => {
    if (p < 0 || p + v.length > s.length) return false;
    for (let k = 0; k < v.length; k++) if (foldAscii(s.charCodeAt(p + k)) !== v.charCodeAt(k)) return false;
    return true;
  };
  return {
    test(s: string): boolean {
      const last = s.length - 1;
      for (let i = 0; i < last; i += step) {
        const k = slot[pairHash(foldAscii(s.charCodeAt(i)), foldAscii(s.charCodeAt(i + 1)))];
        if (k < 0) continue;
        const vs = bucketValues[k];
        const os = bucketOffsets[k];
        for (let t = 0; t < vs.length; t++) if (foldedAt(s, vs[t], i - os[t])) return true;
      }
      return false;
    },
  };
}
