// First-character dispatch for tables of anchored patterns: the set of characters a match of
// `^...` can start with, read off the pattern source. Used to skip rows that cannot match a line
// without running their regexes (the parser's hot loop runs every table row on every line).

/** Characters a match can begin with, or null when the pattern is not anchored or too complex to tell. */
export function anchoredFirstChars(re: RegExp): Set<string> | null {
  const src = re.source;
  if (!src.startsWith('^') || re.flags.includes('i') || re.flags.includes('m')) return null;
  const r = firstOfSequence(src, 1);
  return r && !r.nullable ? r.chars : null;
}

interface First {
  chars: Set<string>;
  nullable: boolean;
}

/** First characters of the alternation that starts at `i` (up to the closing paren or the end). */
function firstOfAlternation(src: string, i: number, end: number): First | null {
  const out: First = { chars: new Set(), nullable: false };
  let start = i;
  let depth = 0;
  for (let k = i; k <= end; k++) {
    const c = src[k];
    if (k < end && c === '\\') {
      k++;
      continue;
    }
    if (k < end && c === '[') {
      k = classEnd(src, k);
      if (k < 0) return null;
      continue;
    }
    if (k < end && c === '(') depth++;
    else if (k < end && c === ')') depth--;
    else if (k === end || (c === '|' && depth === 0)) {
      const f = firstOfSequence(src.slice(0, k), start);
      if (!f) return null;
      for (const ch of f.chars) out.chars.add(ch);
      if (f.nullable) out.nullable = true;
      start = k + 1;
    }
  }
  return out;
}

function firstOfSequence(src: string, i: number): First | null {
  const chars = new Set<string>();
  while (i < src.length) {
    const c = src[i];
    if (c === '|' || c === ')') return { chars, nullable: true };
    if (c === '$') return null;
    let el: First;
    let next: number;
    if (c === '(') {
      const close = groupEnd(src, i);
      if (close < 0) return null;
      let body = i + 1;
      if (src.startsWith('?:', body)) body += 2;
      else if (src.startsWith('?<', body) && src[body + 2] !== '=' && src[body + 2] !== '!') {
        body = src.indexOf('>', body) + 1;
        if (body <= 0) return null;
      } else if (src[body] === '?') return null; // lookaround
      const inner = firstOfAlternation(src, body, close);
      if (!inner) return null;
      el = inner;
      next = close + 1;
    } else if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined || /[A-Za-z0-9]/.test(e)) return null; // \d, \w, \s, \b, \x..: not a literal
      el = { chars: new Set([e]), nullable: false };
      next = i + 2;
    } else if (c === '[' || c === '.' || c === '^') {
      return null;
    } else {
      el = { chars: new Set([c]), nullable: false };
      next = i + 1;
    }
    const q = src[next];
    let nullable = el.nullable;
    if (q === '?' || q === '*') {
      nullable = true;
      next++;
    } else if (q === '+') next++;
    else if (q === '{') {
      const m = /^\{(\d+)(?:,\d*)?\}/.exec(src.slice(next));
      if (!m) return null;
      if (m[1] === '0') nullable = true;
      next += m[0].length;
    }
    if (src[next] === '?') next++; // lazy quantifier
    for (const ch of el.chars) chars.add(ch);
    if (!nullable) return { chars, nullable: false };
    i = next;
  }
  return { chars, nullable: true };
}

function classEnd(src: string, i: number): number {
  for (let k = i + 1; k < src.length; k++) {
    if (src[k] === '\\') k++;
    else if (src[k] === ']') return k;
  }
  return -1;
}

function groupEnd(src: string, i: number): number {
  let depth = 0;
  for (let k = i; k < src.length; k++) {
    const c = src[k];
    if (c === '\\') k++;
    else if (c === '[') {
      k = classEnd(src, k);
      if (k < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return k;
  }
  return -1;
}

/**
 * Rows of `table` grouped by the first character their pattern can match, each list in table
 * order; rows whose first characters cannot be told are in every list and in `other`.
 */
export function dispatchByFirstChar<T>(
  table: readonly T[],
  patternOf: (row: T) => RegExp,
): { byChar: Map<number, T[]>; other: T[] } {
  const sets = table.map((row) => anchoredFirstChars(patternOf(row)));
  const keys = new Set<number>();
  for (const s of sets) if (s) for (const ch of s) keys.add(ch.charCodeAt(0));
  const byChar = new Map<number, T[]>();
  for (const k of keys) {
    const ch = String.fromCharCode(k);
    byChar.set(
      k,
      table.filter((_row, idx) => sets[idx] === null || (sets[idx] as Set<string>).has(ch)),
    );
  }
  return { byChar, other: table.filter((_row, idx) => sets[idx] === null) };
}
