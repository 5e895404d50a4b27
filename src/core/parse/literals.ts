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

/** One group of literals for literalGroups: its bit is set when a line holds any of them. */
export interface LiteralGroup {
  values: readonly string[];
  /** Fold ASCII letters, as a regex's `i` flag does for ASCII literals (without `u`). */
  ignoreCase?: boolean;
}

/** Says, for a line, which groups of literals it holds (bit k: group k). */
export interface LiteralGroups {
  scan(s: string): number;
  /**
   * The same for `s.slice(from, to)`, read in place: a line of a larger text is scanned in its
   * parent string (V8 reads a flat string's characters ~3x faster than a slice's).
   */
  scanRange(s: string, from: number, to: number): number;
}

const HASH_SLOTS = 8192;
const gramHash = (a: number, b: number, c: number) => ((((a * 67) ^ b) * 67) ^ c) & (HASH_SLOTS - 1);
const foldAscii = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * Which of up to 30 groups of literals a string holds, in one pass that looks at every
 * (m-q+1)-th position only, m the shortest literal's length (a q-gram filter, q = 3 when every
 * literal has 4 characters or more, else 2): each occurrence covers exactly one probed position,
 * and the q characters there (hashed) name the few literals to verify. Several per-line tests
 * become one scan: on our log lines, one scan for the ClusterFuzz walk's 38 triggers costs half
 * what V8 spends on their alternation (it tries the alternation at nearly every position), and
 * the walk's other sets then come free. With pairs, the probes found common ones (`er`, `e `,
 * `00`) in nine literals at a time; triples cost a probe more per two and found a tenth of the
 * entries to look at (a ClusterFuzz case scanned in 29 instead of 43 µs). Literals must be at
 * least 2 characters long.
 */
export function literalGroups(groups: readonly LiteralGroup[]): LiteralGroups {
  const all = groups.flatMap((g) => g.values);
  // (A group may be empty: its bit is never set.)
  if (groups.length > 30 || all.length === 0 || all.some((v) => v.length < 2))
    throw new Error('literalGroups: up to 30 groups, some literal, every one of 2 characters or more');
  const shortest = Math.min(...all.map((v) => v.length));
  const q = shortest >= 4 ? 3 : 2;
  const step = shortest - q + 1;
  // The probe table: slot → its entries, flat and typed (a literal, the offset of the probed
  // q-gram in it, its group's bit, whether it is compared case-folded). A pair hashes as the
  // triple (a, b, 0).
  const perSlot: { v: string; j: number; bit: number; fold: boolean }[][] = Array.from(
    { length: HASH_SLOTS },
    () => [],
  );
  // A case-folded literal is entered under every letter case of its probed q-gram, so the scan
  // hashes the subject's characters as they are (folding them cost a fifth of the scan).
  const cases = (c: number, fold: boolean) => (fold && c >= 97 && c <= 122 ? [c, c - 32] : [c]);
  groups.forEach((g, k) => {
    const fold = g.ignoreCase ?? false;
    for (const raw of g.values) {
      const v = fold ? raw.toLowerCase() : raw;
      for (let j = 0; j < step; j++)
        for (const a of cases(v.charCodeAt(j), fold))
          for (const b of cases(v.charCodeAt(j + 1), fold))
            for (const c of q === 3 ? cases(v.charCodeAt(j + 2), fold) : [0])
              perSlot[gramHash(a, b, c)].push({ v, j, bit: 1 << k, fold });
    }
  });
  const first = new Int32Array(HASH_SLOTS + 1);
  const values: string[] = [];
  const offsets: number[] = [];
  const bits: number[] = [];
  const folded: boolean[] = [];
  for (let h = 0; h < HASH_SLOTS; h++) {
    first[h] = values.length;
    for (const e of perSlot[h]) {
      values.push(e.v);
      offsets.push(e.j);
      bits.push(e.bit);
      folded.push(e.fold);
    }
  }
  first[HASH_SLOTS] = values.length;
  const foldedAt = (s: string, v: string, p: number) => {
    for (let k = 0; k < v.length; k++) if (foldAscii(s.charCodeAt(p + k)) !== v.charCodeAt(k)) return false;
    return true;
  };
  const verify = (s: string, from: number, to: number, i: number, h: number, found: number): number => {
    const end = first[h + 1];
    for (let t = first[h]; t < end; t++) {
      if (found & bits[t]) continue;
      const p = i - offsets[t];
      const v = values[t];
      if (p >= from && p + v.length <= to && (folded[t] ? foldedAt(s, v, p) : s.startsWith(v, p)))
        found |= bits[t];
    }
    return found;
  };
  // Two loops rather than one with `q === 3 ? ... : 0` per probe: merged, the scan was 0-8% slower
  // on the ClusterFuzz cases in four bench/parse-ab runs.
  const scanRange =
    q === 3
      ? (s: string, from: number, to: number): number => {
          let found = 0;
          for (let i = from; i + 2 < to; i += step) {
            const h = gramHash(s.charCodeAt(i), s.charCodeAt(i + 1), s.charCodeAt(i + 2));
            if (first[h] !== first[h + 1]) found = verify(s, from, to, i, h, found);
          }
          return found;
        }
      : (s: string, from: number, to: number): number => {
          let found = 0;
          for (let i = from; i + 1 < to; i += step) {
            const h = gramHash(s.charCodeAt(i), s.charCodeAt(i + 1), 0);
            if (first[h] !== first[h + 1]) found = verify(s, from, to, i, h, found);
          }
          return found;
        };
  return { scan: (s) => scanRange(s, 0, s.length), scanRange };
}
