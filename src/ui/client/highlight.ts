// Which lines of a pasted or stored dump the verdict rests on, for the page to mark: the
// report's span (the parser's 0-based, end-exclusive line range), its headline, the frames
// of its crash state and guilty frame, the poison values and slab caches it found.
//
// Self-contained like markdown.ts: the page embeds this function's source, so the browser
// and the unit tests run the same code. Lines are split the way the parser splits them
// (LF; CRLF and a lone CR tolerated), so the parser's line numbers land on the right lines.

export interface HighlightInput {
  title?: string | null;
  headline?: string | null;
  state?: string[];
  frames?: { function: string }[];
  guiltyFrame?: number | null;
  span?: { startLine: number; endLine: number };
  indicators?: { poisonValues?: { value: string; name: string }[]; slabCaches?: string[] };
  reports?: HighlightInput[];
}

export interface Highlights {
  lines: string[];
  /** The report the marks belong to. */
  span: { startLine: number; endLine: number };
  /** Other reports found in the input. */
  otherSpans: { startLine: number; endLine: number }[];
  /** Marked lines (0-based), each with why, in line order. */
  marks: { line: number; reasons: string[] }[];
}

export function highlightLines(
  content: string,
  parsed: HighlightInput,
  reportIndex?: number | null,
): Highlights {
  const MAX_MARKS = 400;
  const lines: string[] = [];
  // Lines as the parser counts them (prepareLines): CRs ending a line are its line end, a CR
  // inside it ends a line too.
  for (const raw of content.split('\n')) {
    let body = raw.length;
    while (body > 0 && raw.charCodeAt(body - 1) === 13) body--;
    const line = body < raw.length ? raw.slice(0, body) : raw;
    if (line.indexOf('\r') >= 0) for (const part of line.split('\r')) lines.push(part);
    else lines.push(line);
  }
  const reports = parsed.reports && parsed.reports.length ? parsed.reports : [parsed];
  const report =
    reportIndex !== undefined && reportIndex !== null && reports[reportIndex] ? reports[reportIndex] : parsed;
  const clamp = (n: number) => Math.max(0, Math.min(lines.length, n));
  const span = report.span
    ? { startLine: clamp(report.span.startLine), endLine: clamp(report.span.endLine) }
    : { startLine: 0, endLine: lines.length };
  const otherSpans = reports
    .filter((r) => r.span && !(r.span.startLine === span.startLine && r.span.endLine === span.endLine))
    .map((r) => ({ startLine: clamp(r.span!.startLine), endLine: clamp(r.span!.endLine) }));

  const reasons = new Map<number, string[]>();
  const mark = (line: number, why: string) => {
    const list = reasons.get(line);
    if (list) {
      if (!list.includes(why)) list.push(why);
    } else if (reasons.size < MAX_MARKS) reasons.set(line, [why]);
  };
  const ident = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  // A whole identifier: `dma_pool_alloc` in `dma_pool_alloc+0x5c/0x1a0`, not in `__dma_pool_alloc_x`.
  const hasWord = (line: string, word: string) => {
    for (let at = line.indexOf(word); at >= 0; at = line.indexOf(word, at + 1)) {
      if (!ident(line[at - 1]) && !ident(line[at + word.length])) return true;
    }
    return false;
  };

  const headline = (report.headline || '').trim();
  let headlineLine = span.startLine;
  if (headline) {
    for (let i = span.startLine; i < span.endLine; i++) {
      if (lines[i].indexOf(headline) >= 0) {
        headlineLine = i;
        break;
      }
    }
  }
  // Text the parser recognised nothing in has no headline to point at.
  if (span.endLine > span.startLine && (headline || report.title)) mark(headlineLine, 'headline');

  const frameNames: string[] = [];
  for (const f of report.state || []) if (f && !frameNames.includes(f)) frameNames.push(f);
  const guilty =
    report.guiltyFrame !== undefined && report.guiltyFrame !== null && report.frames
      ? report.frames[report.guiltyFrame]
      : undefined;
  const poisons = (report.indicators && report.indicators.poisonValues) || [];
  const caches = (report.indicators && report.indicators.slabCaches) || [];
  for (let i = span.startLine; i < span.endLine; i++) {
    const line = lines[i];
    if (guilty && hasWord(line, guilty.function)) mark(i, 'guilty frame ' + guilty.function);
    for (const f of frameNames) if (hasWord(line, f)) mark(i, 'frame ' + f);
    const lower = line.toLowerCase();
    for (const p of poisons) {
      const hex = p.value.toLowerCase().replace(/^0x/, '');
      if (hex.length >= 8 && lower.indexOf(hex) >= 0) mark(i, p.name + ' ' + p.value);
    }
    for (const c of caches) if (hasWord(line, c)) mark(i, 'slab cache ' + c);
  }
  const marks = [...reasons.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, why]) => ({ line, reasons: why }));
  return { lines, span, otherSpans, marks };
}
