// systemd-coredump entries from the journal: `journalctl -o json` (one object per line, or an
// array) or `journalctl -o export`. Each entry with COREDUMP_* fields becomes one dump: the
// "Stack trace of thread N:" block of MESSAGE (`#0  0x... func (module + 0xoff)`) rendered as a
// gdb backtrace with COREDUMP_SIGNAL as the stop line; host from COREDUMP_HOSTNAME/_HOSTNAME,
// time from COREDUMP_TIMESTAMP (microseconds), the COREDUMP_* fields kept as metadata.
import type { DeliveredDump, PayloadResult } from '../webhook-payload';
import { MAX_DUMPS_PER_DELIVERY } from '../webhook-payload';
import { gdbBacktrace, type TextFrame } from './gdb-text';

type Entry = Record<string, string>;

/** journalctl -o json gives bytes as number arrays when a value is not valid UTF-8. */
function value(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((b) => typeof b === 'number'))
    return Buffer.from(v as number[]).toString('utf8');
  return null;
}

function jsonEntries(body: string): Entry[] | null {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return null;
  let items: unknown[];
  try {
    const whole = JSON.parse(trimmed);
    items = Array.isArray(whole) ? whole : [whole];
  } catch {
    try {
      items = trimmed
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l));
    } catch {
      return null;
    }
  }
  return items.map((it) => {
    const e: Entry = {};
    if (typeof it === 'object' && it !== null) {
      for (const [k, v] of Object.entries(it)) {
        const s = value(v);
        if (s !== null) e[k] = s;
      }
    }
    return e;
  });
}

const FIELD_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Where a binary field's value ends: a newline before the next field (after a blank line or not) or the end. */
const VALUE_END = /\n(?=\n?(?:[A-Z_][A-Z0-9_]*(?:=|\n)|$))/g;

/**
 * The export format: `FIELD=value` lines, entries separated by a blank line; a value with a
 * newline is sent as `FIELD\n<64-bit little-endian length><bytes>\n`. Bodies are stored as
 * text (NUL and invalid bytes become U+FFFD), so the length cannot be trusted: its four high
 * bytes (zero) are skipped as a run of NUL/U+FFFD and the value read up to the next field.
 */
function exportEntries(body: string): Entry[] {
  const entries: Entry[] = [];
  let e: Entry = {};
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === '\n') {
      if (Object.keys(e).length) entries.push(e);
      e = {};
      pos++;
      continue;
    }
    let lineEnd = body.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = body.length;
    const line = body.slice(pos, lineEnd);
    const eq = line.indexOf('=');
    if (eq > 0 && FIELD_NAME.test(line.slice(0, eq))) {
      e[line.slice(0, eq)] = line.slice(eq + 1);
      pos = lineEnd + 1;
    } else if (FIELD_NAME.test(line)) {
      const lengthBytes = /[\0\uFFFD]{4,}/.exec(body.slice(lineEnd + 1, lineEnd + 1 + 16));
      const start = lengthBytes ? lineEnd + 1 + lengthBytes.index + lengthBytes[0].length : lineEnd + 1 + 8;
      VALUE_END.lastIndex = start;
      const end = VALUE_END.exec(body)?.index ?? body.length;
      e[line] = body.slice(start, end);
      pos = end + 1;
    } else {
      pos = lineEnd + 1; // not a field: skip the line
    }
  }
  if (Object.keys(e).length) entries.push(e);
  return entries;
}

const FRAME = /^\s*#\d+\s+(0x[0-9a-f]+)\s+(\S+)\s*(?:\((\S+?)(?:\s*\+\s*0x[0-9a-f]+)?\))?/i;

export function coredumpFrames(message: string): TextFrame[] {
  const at = message.search(/Stack trace of thread \d+:/);
  if (at < 0) return [];
  const frames: TextFrame[] = [];
  for (const line of message.slice(at).split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) {
      if (frames.length) break; // the first thread's stack is the crashing one
      continue;
    }
    frames.push({ address: m[1], function: m[2] === 'n/a' ? null : m[2], module: m[3] ?? null });
  }
  return frames;
}

export function readSystemdCoredump(body: string): PayloadResult {
  const entries = (jsonEntries(body) ?? exportEntries(body)).filter(
    (e) => e.COREDUMP_SIGNAL || e.COREDUMP_EXE || e.COREDUMP_PID,
  );
  if (entries.length === 0) {
    return {
      ok: false,
      reason: 'no journal entry with COREDUMP_* fields (send `journalctl -o json` or `-o export`)',
    };
  }
  if (entries.length > MAX_DUMPS_PER_DELIVERY)
    return { ok: false, reason: `more than ${MAX_DUMPS_PER_DELIVERY} entries` };
  const dumps: DeliveredDump[] = [];
  for (const [i, e] of entries.entries()) {
    const frames = coredumpFrames(e.MESSAGE ?? '');
    if (frames.length === 0) {
      return { ok: false, reason: `entry ${i}: MESSAGE has no "Stack trace of thread N:" with frames` };
    }
    const usec = Number(e.COREDUMP_TIMESTAMP ?? e.__REALTIME_TIMESTAMP);
    const coredump: Record<string, string> = {};
    for (const [k, v] of Object.entries(e))
      if (k.startsWith('COREDUMP_') && v.length <= 4096) coredump[k] = v;
    const exe = e.COREDUMP_EXE ?? e.COREDUMP_COMM;
    dumps.push({
      content: gdbBacktrace(
        frames,
        e.COREDUMP_SIGNAL_NAME ?? e.COREDUMP_SIGNAL,
        exe ? [`Core was generated by \`${e.COREDUMP_CMDLINE ?? exe}'.`] : [],
      ),
      host: (e.COREDUMP_HOSTNAME ?? e._HOSTNAME ?? null)?.slice(0, 255) ?? null,
      collectedAt: Number.isFinite(usec) && usec > 0 ? new Date(usec / 1000) : null,
      metadata: { format: 'systemd-coredump', ...coredump },
    });
  }
  return { ok: true, dumps };
}
