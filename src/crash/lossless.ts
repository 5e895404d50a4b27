// Whatever a collector sends is kept exactly, even what PostgreSQL text and jsonb cannot hold
// (NUL bytes, bytes that are not UTF-8, lone UTF-16 surrogates from JSON "\ud800" escapes,
// JSON nested deeper than jsonb allows). The dump is parsed, matched, searched and shown from
// a cleaned copy; the exact form is stored beside it only when it differs (migration
// DumpBytes1795000011000), so ordinary dumps cost nothing more.
import { isUtf8 } from 'node:buffer';

// ES2024 string methods, present since Node 20; the TypeScript lib here is older.
declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

export interface DumpText {
  /** What is parsed, matched and kept in `dumps.content`: no NUL, well-formed Unicode. */
  text: string;
  /** The dump exactly as received: the request body, or the JSON string in WTF-8. */
  bytes: Buffer;
  /** `bytes` is the UTF-8 of `text`: nothing else needs storing. */
  exact: boolean;
}

/** NUL cannot be stored in text; consoles pad with runs of it, so it is dropped, not replaced. */
export function cleanText(s: string): string {
  const noNul = s.includes('\0') ? s.replace(/\0/g, '') : s;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

/**
 * @param content the dump as a string (a JSON `content`, or a text body decoded as UTF-8)
 * @param raw the body bytes when the dump came as text/plain; null for JSON
 */
export function dumpText(content: string, raw: Buffer | null): DumpText {
  const text = cleanText(content);
  if (raw) {
    const exact = text === content && raw.equals(Buffer.from(text, 'utf8'));
    return { text, bytes: raw, exact };
  }
  const bytes = wtf8Encode(content);
  return { text, bytes, exact: text === content };
}

/**
 * UTF-8 that also encodes lone surrogates (WTF-8), so that any JavaScript string, even one
 * from a JSON "\ud800" escape, has bytes that decode back to it.
 */
export function wtf8Encode(s: string): Buffer {
  if (s.isWellFormed()) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Buffer.from(out);
}

/**
 * The string stored bytes stand for: exact for UTF-8 and WTF-8 (`exact: true`); bytes that
 * are neither become U+FFFD (`exact: false`: only the raw bytes are the dump).
 */
export function decodeDump(bytes: Buffer): { content: string; exact: boolean } {
  if (isUtf8(bytes)) return { content: bytes.toString('utf8'), exact: true };
  let out = '';
  let exact = true;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i];
    let len = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [len, cp, min] = [2, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [len, cp, min] = [3, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [len, cp, min] = [4, b & 0x07, 0x10000];
    let ok = len > 0 && i + len <= n;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += '\uFFFD';
      exact = false;
      i++;
    }
  }
  // A surrogate pair written as two 3-byte sequences is not what wtf8Encode makes: not exact.
  if (exact && !wtf8Encode(out).equals(bytes)) exact = false;
  return { content: out, exact };
}

/** Deeper than this, a metadata subtree is kept only in the exact JSON text. */
export const METADATA_MAX_DEPTH = 32;

export interface StoredMetadata {
  /** What goes into the jsonb column: no NUL, well-formed, at most METADATA_MAX_DEPTH deep. */
  value: Record<string, unknown>;
  /** The exact JSON text when `value` is not the metadata exactly; null otherwise. */
  json: string | null;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Splits metadata into what jsonb can hold and, when that is not all of it, its exact JSON
 * text. Walks with an explicit stack: a body nested a million levels deep must not overflow
 * the call stack (JSON.parse in V8 is not recursive; JSON.stringify and jsonb are).
 */
export function storableMetadata(metadata: Record<string, unknown>): StoredMetadata {
  let lossy = false;
  const clean = (s: string) => {
    const c = cleanText(s);
    if (c !== s) lossy = true;
    return c;
  };
  const root: Record<string, Json> = {};
  const stack: { from: unknown; into: Json[] | Record<string, Json>; depth: number }[] = [
    { from: metadata, into: root, depth: 1 },
  ];
  while (stack.length) {
    const { from, into, depth } = stack.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(from)
      ? from.map((v, i) => [i, v])
      : Object.entries(from as Record<string, unknown>);
    for (const [k, v] of entries) {
      let put: Json;
      if (v !== null && typeof v === 'object') {
        if (depth >= METADATA_MAX_DEPTH) {
          lossy = true;
          put = `[nested deeper than ${METADATA_MAX_DEPTH} levels: the exact value is in metadataJson]`;
        } else {
          put = Array.isArray(v) ? [] : {};
          stack.push({ from: v, into: put as Json[] | Record<string, Json>, depth: depth + 1 });
        }
      } else if (typeof v === 'string') put = clean(v);
      else if (typeof v === 'number' || typeof v === 'boolean' || v === null) put = v;
      else {
        lossy = true;
        put = null;
      }
      if (Array.isArray(into)) into[k as number] = put;
      else into[clean(String(k))] = put;
    }
  }
  return { value: root, json: lossy ? stringifyDeep(metadata) : null };
}

/** JSON.stringify without recursion (same output for JSON values; escapes NUL and surrogates). */
export function stringifyDeep(value: unknown): string {
  const parts: string[] = [];
  // Each frame: either a literal to emit, or a value to serialise.
  const stack: ({ lit: string } | { val: unknown })[] = [{ val: value }];
  while (stack.length) {
    const top = stack.pop()!;
    if ('lit' in top) {
      parts.push(top.lit);
      continue;
    }
    const v = top.val;
    if (v === null || typeof v !== 'object') {
      parts.push(JSON.stringify(v) ?? 'null');
      continue;
    }
    const frames: ({ lit: string } | { val: unknown })[] = [];
    if (Array.isArray(v)) {
      frames.push({ lit: '[' });
      v.forEach((item, i) => {
        if (i) frames.push({ lit: ',' });
        frames.push({ val: item });
      });
      frames.push({ lit: ']' });
    } else {
      frames.push({ lit: '{' });
      Object.entries(v as Record<string, unknown>).forEach(([k, item], i) => {
        frames.push({ lit: `${i ? ',' : ''}${JSON.stringify(k)}:` });
        frames.push({ val: item });
      });
      frames.push({ lit: '}' });
    }
    for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i]);
  }
  return parts.join('');
}
