// The line envelope: what consoles, syslog and journald put around printk text
// (REFERENCE.md §1). Stripped before matching; the raw line stays in the input.
import { markLinesInPlace } from './line-marks';

/** Longest line body the parsers look at; the rest of a longer line is ignored (linear time on garbage). */
export const MAX_LINE_CHARS = 4096;

/** The input split into lines with the envelope removed, as parallel arrays (cheap on huge inputs). */
export interface PreparedLines {
  /** Body of each line: envelope removed, CR removed, capped at MAX_LINE_CHARS. */
  texts: string[];
  /** printk caller id (`T1234`, `C1`) when printed, else null. */
  callers: (string | null)[];
  /** printk timestamp in seconds when printed, else null. */
  times: (number | null)[];
  /** Count of lines cut at MAX_LINE_CHARS. */
  truncatedLines: number;
}

const KMSG_RECORD = /^\d{1,2},\d{1,20},\d{1,20},[^;]{0,16};/;
/**
 * A syslog or journal line (`Dec  4 03:00:00 host kernel: ...`, `journalctl -o short-iso`): the
 * kernel's, or a program's with its pid (`host fuzzd[4242]: ==4242==ERROR: AddressSanitizer:
 * ...`: a service's sanitizer report read from the system log is the report).
 */
const SYSLOG_PREFIX =
  /^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}[0-9.,:+Z-]{0,16}) [\w.:-]{1,64} (?:kernel|[\w.@/-]{1,64}\[\d{1,10}\]): ?/;
/**
 * A syslog priority and, in RFC 5424 (§6: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
 * STRUCTURED-DATA [BOM]MSG`, `-` for a missing field), the whole header (the kernel's or a
 * program's message); in RFC 3164 only the priority, when the BSD timestamp follows
 * (SYSLOG_PREFIX reads the rest). A bare `<4>` before a console timestamp is the printk level
 * (LOGLEVEL).
 */
const SYSLOG_PRIORITY =
  /^<\d{1,3}>(?:1 (?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})|-) [!-~]{1,255} [!-~]{1,48} [!-~]{1,128} [!-~]{1,32} (?:-|(?:\[[^\]]{0,512}\]){1,8})(?: \ufeff?|$)|(?=[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} |\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}))/;
/** `dmesg -x` (`--decode`): facility and level before the timestamp, `kern  :warn  : [  12.3] ...`. */
const DMESG_DECODED =
  /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]) {0,4}:(?:emerg|alert|crit|err|warn|notice|info|debug) {0,4}: /;
/** The host and `kernel:` journalctl's short-monotonic output puts after the timestamp. */
const JOURNAL_MONOTONIC_HOST = /^[\w.:-]{1,64} kernel: ?/;
const DROPPED = /^\*\* \d{1,12} printk messages dropped \*\* ?/;
const LOGLEVEL = /^<\d{1,2}>/;
const TIMESTAMP = /^\[ {0,12}(\d{1,10}\.\d{1,9})\]/;
const HUMAN_TIMESTAMP = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \d{4}\]/;
const CALLER = /^\[ {0,7}([TC]\d{1,8})\]/;
const QUOTED_TIMESTAMP = /^(?:[ \t]{1,16}|(?:> ?){1,8}[ \t]{0,8})(?=\[ {0,12}\d{1,10}\.\d{1,9}\])/;
/** Mail quoting (`> `, `>> `, `> > `), up to a KASAN/ASan shadow row's own `>ffff88...:` marker. */
const MAIL_QUOTE = /^(?:>(?![0-9a-f]{8,16}:) ?){1,8}/;

/** Strips one line's envelope. `line` must not contain `\n`. */
export function stripEnvelope(line: string): { text: string; caller: string | null; time: number | null } {
  const text = stripInto(line, scratch);
  return { text, caller: scratch.caller, time: scratch.time };
}

/** Caller id and timestamp of the line last stripped (reused: no object per line). */
interface EnvelopeFields {
  caller: string | null;
  time: number | null;
  /** Where the body ends in the line given (the body is the line's `[end - length, end)`). */
  end: number;
}
const scratch: EnvelopeFields = { caller: null, time: null, end: 0 };

function stripInto(line: string, out: EnvelopeFields): string {
  let s = line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
  // Trailing blanks mean nothing in a report (a terminal's padding, an editor's, `\r` of CRLF)
  // but would defeat every `$`-anchored rule: `#3 0x4f2a in main a.c:7 ` is still a frame.
  let e = s.length;
  let c = s.charCodeAt(e - 1);
  while (e > 0 && (c === 32 || c === 9 || c === 13)) c = s.charCodeAt(--e - 1);
  if (e < s.length) s = s.slice(0, e);
  // Every cut below is of a prefix: the body ends here.
  out.end = e;
  let caller: string | null = null;
  let time: number | null = null;
  // A syslog message as a collector receives it over the network starts with its priority:
  // RFC 5424 (`<4>1 2026-12-04T03:00:00.1Z host kernel - - - msg`) is header and
  // structured data before the message; RFC 3164 (`<4>Dec  4 03:00:00 host kernel: msg`) is the
  // BSD prefix read below.
  if (s.charCodeAt(0) === 60 /* < */) {
    const m = SYSLOG_PRIORITY.exec(s);
    if (m) s = s.slice(m[0].length);
  }
  // Cheap first-character test before any regex: most lines have no envelope at all.
  const c0 = s.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const m = KMSG_RECORD.exec(s) ?? SYSLOG_PREFIX.exec(s);
    if (m) s = s.slice(m[0].length);
  } else if (c0 >= 65 && c0 <= 90) {
    const m = SYSLOG_PREFIX.exec(s);
    if (m) s = s.slice(m[0].length);
  } else if (c0 >= 97 && c0 <= 122) {
    const m = DMESG_DECODED.exec(s);
    if (m) s = s.slice(m[0].length);
  }
  // Reports quoted in mail (`> `) or indented in a commit message: the quote goes when a console
  // timestamp follows it, so the lines read as the console printed them.
  const q0 = s.charCodeAt(0);
  if (q0 === 32 || q0 === 9 || q0 === 62 /* > */) {
    const q = QUOTED_TIMESTAMP.exec(s);
    if (q) s = s.slice(q[0].length);
    // Quoted without timestamps (syzbot's emails, replies to them): the quote goes too.
    else if (q0 === 62) {
      const mq = MAIL_QUOTE.exec(s);
      if (mq) s = s.slice(mq[0].length);
    }
  }
  // A getty prompt the console output ran into: `syzkaller login: [   16.30] INFO: ...`, one
  // whose ` login: [` starts before column 128. Searched for without its space: V8's search
  // for a needle that starts with one costs twice as much on lines full of blanks.
  let login = s.indexOf('login: [');
  while (login >= 0 && login <= 128 && (login === 0 || s.charCodeAt(login - 1) !== 32))
    login = s.indexOf('login: [', login + 1);
  if (login > 1 && login <= 128) s = s.slice(login + 7);
  if (s.charCodeAt(0) === 42 /* * */) {
    const m = DROPPED.exec(s);
    if (m) s = s.slice(m[0].length);
  }
  if (s.charCodeAt(0) === 60 /* < */) {
    const m = LOGLEVEL.exec(s);
    if (m) s = s.slice(m[0].length);
  }
  if (s.charCodeAt(0) === 91 /* [ */) {
    const m = TIMESTAMP.exec(s);
    if (m) {
      time = Number(m[1]);
      s = s.slice(m[0].length);
      const c = CALLER.exec(s);
      if (c) {
        caller = c[1];
        s = s.slice(c[0].length);
      }
      if (s.charCodeAt(0) === 32) s = s.slice(1);
      // `journalctl -k -o short-monotonic`: `[  123.456789] myhost kernel: BUG: ...`.
      // (Prefiltered without the blank: V8's search for a needle that starts with one is slow
      // on lines full of blanks.)
      if (s.includes('kernel: ')) {
        const j = JOURNAL_MONOTONIC_HOST.exec(s);
        if (j) s = s.slice(j[0].length);
      }
    } else {
      const h = HUMAN_TIMESTAMP.exec(s);
      if (h) {
        s = s.slice(h[0].length);
        if (s.charCodeAt(0) === 32) s = s.slice(1);
      } else {
        const c = CALLER.exec(s);
        if (c) {
          caller = c[1];
          s = s.slice(c[0].length);
          if (s.charCodeAt(0) === 32) s = s.slice(1);
        }
      }
    }
  }
  out.caller = caller;
  out.time = time;
  return s;
}

/** Splits the input on LF (CRLF and lone CR tolerated) and strips every line's envelope. */
export function prepareLines(input: string): PreparedLines {
  const texts: string[] = [];
  const callers: (string | null)[] = [];
  const times: (number | null)[] = [];
  // Where each body lies in the input (for the shared line scan, line-marks.ts).
  const bodyStarts: number[] = [];
  const bodyEnds: number[] = [];
  let truncatedLines = 0;
  // A byte-order mark (a log saved by a Windows editor) is not part of the first line's envelope.
  let start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = input.length;
  const indent = commonIndent(input, start);
  while (start <= n) {
    let end = input.indexOf('\n', start);
    if (end < 0) end = n;
    // A report pasted indented as a whole (a Markdown code block, a quoted mail) reads as printed.
    if (indent > 0 && end - start >= indent) start += indent;
    const raw =
      end - start > MAX_LINE_CHARS + 1 ? input.slice(start, start + MAX_LINE_CHARS) : input.slice(start, end);
    if (end - start > MAX_LINE_CHARS + 1) truncatedLines++;
    // A lone CR (old Mac, some serial consoles) also ends a line; split it here.
    // (A run of CRs before the LF, as serial consoles print `\r\r\n`, is one line end.)
    let body = raw.length;
    while (body > 0 && raw.charCodeAt(body - 1) === 13) body--;
    const cr = raw.indexOf('\r');
    if (cr >= 0 && cr < body) {
      let at = start;
      for (const part of raw.slice(0, body).split('\r')) {
        push(part, at);
        at += part.length + 1;
      }
    } else {
      push(raw, start);
    }
    start = end + 1;
    if (end === n) break;
  }
  /** One line, `line` being `input.slice(at, at + line.length)`. */
  function push(line: string, at: number): void {
    const text = stripInto(line, scratch);
    texts.push(text);
    callers.push(scratch.caller);
    times.push(scratch.time);
    bodyStarts.push(at + scratch.end - text.length);
    bodyEnds.push(at + scratch.end);
  }
  markLinesInPlace(texts, input, bodyStarts, bodyEnds);
  return { texts, callers, times, truncatedLines };
}

/** How many leading blanks every non-blank line shares (the same blanks on each line); 0 if any has none. */
function commonIndent(input: string, from: number): number {
  const n = input.length;
  let indent = -1;
  let first = '';
  for (let start = from; start < n && indent !== 0;) {
    let end = input.indexOf('\n', start);
    if (end < 0) end = n;
    let k = start;
    while (k < end && (input.charCodeAt(k) === 32 || input.charCodeAt(k) === 9)) k++;
    // Blank lines (only spaces, tabs or a CR) say nothing about the indentation.
    if (k < end && !(k === end - 1 && input.charCodeAt(k) === 13)) {
      const width = k - start;
      if (indent < 0) {
        indent = width;
        first = input.slice(start, k);
      } else {
        let same = 0;
        const limit = Math.min(indent, width);
        while (same < limit && input.charCodeAt(start + same) === first.charCodeAt(same)) same++;
        indent = same;
      }
    }
    start = end + 1;
  }
  return Math.max(0, indent);
}
