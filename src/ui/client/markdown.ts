// A small, safe markdown subset for signature notes: headings, paragraphs, fenced and
// indented code, lists, quotes, `code`, **strong**, *em*, [links](https://...) and bare
// http(s) URLs. It returns a tree of plain data — never HTML — that the page turns into DOM
// nodes with textContent, so nothing in a note can become markup or script. Only http(s)
// links survive; anything else stays text. `_` is not emphasis: kernel identifiers are full of it.
//
// The function is self-contained (no imports, no outer names): the page's script embeds its
// source (Function.prototype.toString), so the browser runs exactly what the unit tests test.

export type MdInline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: MdInline[] }
  | { t: 'em'; c: MdInline[] }
  | { t: 'a'; href: string; c: MdInline[] };

export type MdBlock =
  | { t: 'h'; level: number; c: MdInline[] }
  | { t: 'p'; c: MdInline[] }
  | { t: 'pre'; v: string }
  | { t: 'ul' | 'ol'; items: MdInline[][] }
  | { t: 'quote'; c: MdInline[] };

export function parseMarkdown(source: string): MdBlock[] {
  const MAX_DEPTH = 3;
  const SAFE_URL = /^https?:\/\/[^\s<>"'`]+$/i;

  // Every delimiter search goes through a per-string cache of the next occurrence, so
  // thousands of unmatched `[` or backticks stay linear instead of rescanning the rest.
  function inline(s: string, depth: number): MdInline[] {
    const out: MdInline[] = [];
    const cache: Record<string, { from: number; at: number }> = {};
    const next = (delim: string, from: number): number => {
      const c = cache[delim];
      if (c && from >= c.from && (c.at === -1 || from <= c.at)) return c.at;
      const at = s.indexOf(delim, from);
      cache[delim] = { from, at };
      return at;
    };
    let buf = '';
    const flush = () => {
      if (buf) out.push({ t: 'text', v: buf });
      buf = '';
    };
    let i = 0;
    while (i < s.length) {
      const ch = s[i];
      if (ch === '`') {
        const j = next('`', i + 1);
        if (j > i + 1) {
          flush();
          out.push({ t: 'code', v: s.slice(i + 1, j) });
          i = j + 1;
          continue;
        }
      } else if (ch === '*' && depth < MAX_DEPTH) {
        if (s[i + 1] === '*') {
          const j = next('**', i + 2);
          if (j > i + 2) {
            flush();
            out.push({ t: 'strong', c: inline(s.slice(i + 2, j), depth + 1) });
            i = j + 2;
            continue;
          }
        } else if (s[i + 1] !== undefined && s[i + 1] !== ' ') {
          const j = next('*', i + 1);
          if (j > i + 1 && s[j - 1] !== ' ' && s[j + 1] !== '*') {
            flush();
            out.push({ t: 'em', c: inline(s.slice(i + 1, j), depth + 1) });
            i = j + 1;
            continue;
          }
        }
      } else if (ch === '[' && depth < MAX_DEPTH) {
        const close = next('](', i + 1);
        const end = close > i ? next(')', close + 2) : -1;
        if (close > i && end > close) {
          const href = s.slice(close + 2, end).trim();
          if (SAFE_URL.test(href) && s.slice(i + 1, close).indexOf('[') < 0) {
            flush();
            out.push({ t: 'a', href, c: inline(s.slice(i + 1, close), depth + 1) });
            i = end + 1;
            continue;
          }
        }
      } else if ((ch === 'h' || ch === 'H') && (i === 0 || /[\s(<]/.test(s[i - 1]))) {
        const m = /^https?:\/\/[^\s<>"'`)\]]+/i.exec(s.slice(i, i + 2048));
        if (m) {
          const url = m[0].replace(/[.,;:!?]+$/, '');
          flush();
          out.push({ t: 'a', href: url, c: [{ t: 'text', v: url }] });
          i += url.length;
          continue;
        }
      }
      buf += ch;
      i++;
    }
    flush();
    return out;
  }

  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: MdBlock[] = [];
  const isFence = (l: string) => /^\s{0,3}(```|~~~)/.test(l);
  const bullet = /^\s{0,3}[-*+]\s+(.*)$/;
  const numbered = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
  const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
  const startsBlock = (l: string) =>
    isFence(l) || heading.test(l) || bullet.test(l) || numbered.test(l) || /^\s{0,3}>/.test(l);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (/^\s*$/.test(line)) {
      i++;
      continue;
    }
    if (isFence(line)) {
      const fence = line.trim().slice(0, 3);
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence)) body.push(lines[i++]);
      i++; // the closing fence (or the end)
      blocks.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    const h = heading.exec(line);
    if (h) {
      blocks.push({ t: 'h', level: h[1].length, c: inline(h[2], 0) });
      i++;
      continue;
    }
    if (/^( {4}|\t)/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && (/^( {4}|\t)/.test(lines[i]) || /^\s*$/.test(lines[i]))) {
        body.push(lines[i].replace(/^( {4}|\t)/, ''));
        i++;
      }
      while (body.length && /^\s*$/.test(body[body.length - 1])) body.pop();
      blocks.push({ t: 'pre', v: body.join('\n') });
      continue;
    }
    const listRe = bullet.test(line) ? bullet : numbered.test(line) ? numbered : null;
    if (listRe) {
      const items: string[] = [];
      while (i < lines.length && !/^\s*$/.test(lines[i])) {
        const m = listRe.exec(lines[i]);
        if (m) items.push(m[1]);
        else if (/^\s+\S/.test(lines[i]) && items.length) items[items.length - 1] += ' ' + lines[i].trim();
        else break;
        i++;
      }
      blocks.push({ t: listRe === bullet ? 'ul' : 'ol', items: items.map((x) => inline(x, 0)) });
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i]))
        body.push(lines[i++].replace(/^\s{0,3}>\s?/, ''));
      blocks.push({ t: 'quote', c: inline(body.join(' '), 0) });
      continue;
    }
    const para: string[] = [line.trim()];
    i++;
    while (i < lines.length && !/^\s*$/.test(lines[i]) && !startsBlock(lines[i]))
      para.push(lines[i++].trim());
    blocks.push({ t: 'p', c: inline(para.join(' '), 0) });
  }
  return blocks;
}
