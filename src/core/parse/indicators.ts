// Evidence that is not a frame: poison and fill values, KASAN shadow bytes, slab caches,
// object sizes, the fault address and what kind of address it is (REFERENCE.md §7).
import type { FaultAddress, PoisonIndicator } from '../types';
import {
  BYTE_FILLS,
  KASAN_SHADOW_CODES,
  KASAN_SHADOW_OFFSET_X86_64,
  POINTER_POISONS,
  POISON_MAX_OFFSET,
  type ByteFillRule,
  type PointerPoisonRule,
} from '../rules/poison';
import { SLAB_FACT_RULES } from '../rules/slab-facts';
import { lineMarks, MARK_POISON, MARK_SLAB_FACT } from './line-marks';

const MAX_POISON_INDICATORS = 64;

const POINTER_BY_PREFIX = new Map<string, PointerPoisonRule[]>();
for (const p of POINTER_POISONS) {
  const key = p.value.slice(0, 4);
  const list = POINTER_BY_PREFIX.get(key) ?? [];
  list.push(p);
  POINTER_BY_PREFIX.set(key, list);
}
const FILL_BY_BYTE = new Map<string, ByteFillRule>(BYTE_FILLS.map((f) => [f.byte, f]));

/** What a line can matter for in scanPoison: a value (prefilter hit), structure (braces, crash> commands). */
const LINE_POISON = 1;
const LINE_STRUCTURE = 2;
const LINE_KNOWN = 4;

/**
 * Line classes per prepared input, computed once: the whole input and each report are scanned,
 * so most lines would be classified twice. Most log lines are neither and are skipped at once.
 */
const lineClassSeen = new WeakMap<readonly string[], { seen: Uint8Array; marks: Uint32Array }>();

function lineClass(texts: readonly string[], i: number): number {
  let classes = lineClassSeen.get(texts);
  if (classes === undefined || classes.seen.length !== texts.length) {
    // Whether a value may be on the line comes from the shared per-line scan
    // (POISON_PREFILTER_LITERALS in line-marks.ts).
    classes = { seen: new Uint8Array(texts.length), marks: lineMarks(texts) };
    lineClassSeen.set(texts, classes);
  }
  const { seen } = classes;
  let c = seen[i];
  if (c === 0) {
    const line = texts[i];
    c = LINE_KNOWN;
    if ((classes.marks[i] & MARK_POISON) !== 0) c |= LINE_POISON;
    if (
      line.startsWith('crash> ') ||
      line.charCodeAt(line.length - 1) === 123 /* { */ ||
      (line.length < 80 && (line.includes('}') || line.includes('{')))
    )
      c |= LINE_STRUCTURE;
    seen[i] = c;
  }
  return c;
}

export interface PoisonMatch {
  name: string;
  base: string;
  offset: number;
  meaning: string;
}

/**
 * Matches one hex word (no 0x, lower case, 8 or 16 digits) against the poison table: exact,
 * or a known value plus a small field offset (`dead000000000108` = LIST_POISON1 + 8), or a word
 * of one repeated fill byte (optionally + offset).
 */
export function matchPoisonWord(hex: string, family: 'kernel' | 'userspace' = 'kernel'): PoisonMatch | null {
  if (hex.length !== 16 && hex.length !== 8) return null;
  const candidates = POINTER_BY_PREFIX.get(hex.slice(0, 4));
  if (candidates) {
    let best: PointerPoisonRule | null = null;
    let bestOffset = 0;
    for (const c of candidates) {
      if (c.value.length !== hex.length) continue;
      // Same high half, low half within [base, base + max offset).
      const split = hex.length - 8;
      if (hex.slice(0, split) !== c.value.slice(0, split)) continue;
      const off = parseInt(hex.slice(split), 16) - parseInt(c.value.slice(split), 16);
      const limit = c.value.startsWith('dffffc') ? 0x1000000 : POISON_MAX_OFFSET;
      if (off >= 0 && off < limit && (best === null || off < bestOffset)) {
        best = c;
        bestOffset = off;
      }
    }
    if (best) return { name: best.name, base: '0x' + best.value, offset: bestOffset, meaning: best.meaning };
  }
  const b = hex.slice(0, 2);
  const fill = FILL_BY_BYTE.get(b);
  if (!fill || (fill.families && !fill.families.includes(family))) return null;
  // All bytes but the last two equal the fill; the tail is the fill plus a small offset
  // (POISON_FREE objects end in 0xa5: `6b6b6b6b6b6b6ba5` counts too).
  const keep = hex.length - 4;
  for (let i = 2; i < keep; i += 2)
    if (hex.charCodeAt(i) !== b.charCodeAt(0) || hex.charCodeAt(i + 1) !== b.charCodeAt(1)) return null;
  const tail = hex.slice(keep);
  const base = hex.slice(0, keep) + b + b;
  if (fill.byte === '6b' && tail === '6ba5')
    return { name: fill.name, base: '0x' + hex, offset: 0, meaning: fill.meaning };
  const off = parseInt(tail, 16) - parseInt(b + b, 16);
  if (off < 0 || off >= POISON_MAX_OFFSET) return null;
  return { name: fill.name, base: '0x' + base, offset: off, meaning: fill.meaning };
}

// A hex word is what /(?<![\w+])(?:0x)?([0-9a-fA-F]{16}|[0-9a-fA-F]{8})(?!\w)/g finds: exactly 8
// or 16 hex digits, optionally after `0x`, not preceded by a word character or `+` (frame
// offsets) and not followed by a word character. Scanned by hand: the lookbehind regex was the
// parser's most expensive step.
let hexWordStart = 0;
let hexWordEnd = 0;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isHexChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Index of the next hex word at or after `from` (its digits in hexWordStart..hexWordEnd), or -1. */
function nextHexWord(line: string, from: number): number {
  const n = line.length;
  let i = from;
  while (i < n) {
    const prev = i > 0 ? line.charCodeAt(i - 1) : 32;
    if (isWordChar(prev) || prev === 43 /* + */) {
      // Inside a word: no match can start before its end.
      while (i < n && isWordChar(line.charCodeAt(i))) i++;
      // line[i] ends the word; the earliest possible start is the character after it.
      if (i < n) i++;
      continue;
    }
    let j = i;
    if (line.charCodeAt(i) === 48 && line.charCodeAt(i + 1) === 120 /* 0x */) j = i + 2;
    let k = j;
    while (k < n && isHexChar(line.charCodeAt(k))) k++;
    const len = k - j;
    if ((len === 16 || len === 8) && (k >= n || !isWordChar(line.charCodeAt(k)))) {
      hexWordStart = j;
      hexWordEnd = k;
      return i;
    }
    i++;
  }
  return -1;
}
const REGISTER_BEFORE = /(?:^|\s)([A-Za-z][A-Za-z0-9]{0,3}) ?: ?$/;
const STRUCT_FIELD = /^\s{0,64}([A-Za-z_][\w[\]]{0,64}) = (?:0x[0-9a-fA-F]{1,16}|\{|-?\d)/;
const STRUCT_OPEN =
  /^\s{0,64}(?:struct|union) ([A-Za-z_]\w{0,64}) \{$|^\s{0,64}([A-Za-z_][\w[\]]{0,64}) = \{$/;
const CRASH_STRUCT_COMMAND =
  /^crash> (?:struct |union |p |px |print )?([A-Za-z_]\w{0,64})(?:\.[\w.]{1,64})? (?:0x)?[0-9a-f]{6,16}/;
const HEX_DUMP_LINE =
  /^\s{0,8}(?:([A-Z][A-Za-z ]{1,12}?) {1,4})?>?(?:0x)?[0-9a-f]{8,16}: {1,2}([0-9a-f]{2}(?: [0-9a-f]{2}){7,})|^\s{2,8}()([0-9a-f]{2}(?: [0-9a-f]{2}){7,})/;
const KNOWN_REGISTERS =
  /^(?:[RE]?[A-D]X|[RE]?[SD]I|[RE]?[BS]P|R\d{1,2}|RIP|EIP|CR[0-4]|x\d{1,2}|X\d{1,2}|pc|lr|sp|PC|LR|SP|ORIG_RAX|ORIG_X0|FS|GS|knlGS|ra|gp|tp|t\d|s\d{1,2}|a\d|epc)$/;

/** Scans lines [start, end) for poison and fill values. Where says what kind of line held it. */
export function scanPoison(
  texts: readonly string[],
  start: number,
  end: number,
  family: 'kernel' | 'userspace' = 'kernel',
): PoisonIndicator[] {
  const out: PoisonIndicator[] = [];
  const seen = new Set<string>();
  const path: string[] = [];
  let commandStruct: string | null = null;
  const add = (value: string, m: PoisonMatch, where: string): void => {
    const key = value + '|' + where;
    if (seen.has(key) || out.length >= MAX_POISON_INDICATORS) return;
    seen.add(key);
    out.push({ value, name: m.name, base: m.base, offset: m.offset, meaning: m.meaning, where });
  };
  for (let i = start; i < end && out.length < MAX_POISON_INDICATORS; i++) {
    const cls = lineClass(texts, i);
    if ((cls & (LINE_POISON | LINE_STRUCTURE)) === 0) continue;
    const line = texts[i];
    if (line.length < 80 && (line.includes('}') || line.includes('{'))) {
      const t = line.trim();
      if (t === '}' || t === '},') {
        if (path.length > 0) path.pop();
        continue;
      }
      if (t === '{') {
        path.push('');
        continue;
      }
    }
    if (line.startsWith('crash> ')) {
      const c = CRASH_STRUCT_COMMAND.exec(line);
      commandStruct = c ? c[1] : null;
      path.length = 0;
      continue;
    }
    const open = line.charCodeAt(line.length - 1) === 123 /* { */ ? STRUCT_OPEN.exec(line) : null;
    if (open) {
      path.push(open[1] ?? open[2]);
      continue;
    }
    if ((cls & LINE_POISON) === 0) continue;
    // Instruction bytes (`Code:`) are not data: int3 padding is 0xcc, and so on.
    let lead = 0;
    while (lead < line.length && isSpace(line.charCodeAt(lead))) lead++;
    if (line.startsWith('Code: ', lead)) continue;
    // Hex words and dump bytes need a run of 8 hex digits or 8 two-digit groups: most frame and
    // text lines have neither and skip the regexes below.
    const runs = hexRuns(line);
    if (runs === 0) continue;
    const dump = runs & 2 ? HEX_DUMP_LINE.exec(line) : null;
    if (dump) {
      scanByteRun(dump[2] ?? dump[4], (dump[1] ?? '').trim(), family, add);
      continue;
    }
    if ((runs & 1) === 0) continue;
    const field = STRUCT_FIELD.exec(line);
    for (let at = nextHexWord(line, 0); at >= 0; at = nextHexWord(line, hexWordEnd)) {
      const m = { index: at };
      const hex = line.slice(hexWordStart, hexWordEnd).toLowerCase();
      const pm = matchPoisonWord(hex, family);
      if (!pm) continue;
      let where = 'text';
      if (field) {
        const root = path.length > 0 ? path : commandStruct ? [commandStruct] : [];
        where = 'field ' + [...root, field[1]].filter((x) => x.length > 0).join('.');
      } else {
        const before = REGISTER_BEFORE.exec(line.slice(Math.max(0, m.index - 12), m.index));
        if (before && KNOWN_REGISTERS.test(before[1])) where = 'register ' + before[1].toUpperCase();
        else if (/address|addr |CR2|at virtual/.test(line.slice(0, m.index))) where = 'fault address';
        else if (/^[0-9a-f]{8,16}: /.test(line.trimStart())) where = 'memory dump';
        else if (/->next|->prev|next=|prev=|list_/.test(line)) where = 'list pointer';
      }
      add('0x' + hex, pm, where);
    }
  }
  return out;
}

/** The characters String.prototype.trimStart removes that can occur in a log line. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0xfeff ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * Bit 1: the line has a run of at least 8 hex digits (a candidate hex word). Bit 2: it has at
 * least 8 two-digit hex groups separated by single spaces (a candidate dump row).
 */
function hexRuns(line: string): number {
  let run = 0;
  let groups = 0;
  let out = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
    if (hex) {
      run++;
      if (run >= 8) out |= 1;
      continue;
    }
    if (run === 2 && c === 32) {
      if (++groups >= 7) out |= 2;
    } else if (c !== 32 || run !== 2) groups = 0;
    run = 0;
  }
  if (run === 2 && groups >= 7) out |= 2;
  return out;
}

const BYTE_RUN = /(?:^| )([0-9a-f]{2})(?: \1){7,}/g;

function scanByteRun(
  bytes: string,
  label: string,
  family: 'kernel' | 'userspace',
  add: (value: string, m: PoisonMatch, where: string) => void,
): void {
  BYTE_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BYTE_RUN.exec(bytes)) !== null) {
    const fill = FILL_BY_BYTE.get(m[1]);
    if (!fill || (fill.families && !fill.families.includes(family))) continue;
    const where = /^[A-Z]/.test(label) ? `memory dump (${label})` : 'memory dump';
    add('0x' + m[1], { name: fill.name, base: '0x' + fill.byte, offset: 0, meaning: fill.meaning }, where);
  }
}

/** Shadow-byte meaning for KASAN generic mode. */
export function kasanShadowMeaning(code: string): string | null {
  const c = code.toLowerCase();
  if (KASAN_SHADOW_CODES[c]) return KASAN_SHADOW_CODES[c];
  if (/^0[1-7]$/.test(c)) return `first ${c[1]} bytes of the granule accessible (out-of-bounds past them)`;
  return null;
}

/** Classifies a fault address: NULL, NULL + field offset, poison, KASAN shadow, user or kernel. */
export function classifyFaultAddress(raw: string, arch: string | null | undefined): FaultAddress {
  const t = raw.trim().toLowerCase();
  if (t === '(null)') return { value: '0x0000000000000000', class: 'null', decoded: null, detail: 'NULL' };
  const hex = t.startsWith('0x') ? t.slice(2) : t;
  if (!/^[0-9a-f]{1,16}$/.test(hex)) return { value: raw, class: 'unknown', decoded: null, detail: null };
  const padded = hex.padStart(16, '0');
  const value = '0x' + padded;
  const v = BigInt(value);
  if (v === 0n) return { value, class: 'null', decoded: null, detail: 'NULL' };
  if (v < 0x10000n)
    return { value, class: 'null-offset', decoded: null, detail: `NULL + 0x${v.toString(16)}` };
  const p = matchPoisonWord(padded);
  if (p && p.name !== 'KASAN_SHADOW_OFFSET') {
    return {
      value,
      class: 'poison',
      decoded: null,
      detail: `${p.name} + 0x${p.offset.toString(16)} (${p.meaning})`,
    };
  }
  const is32 = arch === 'i386' || arch === 'arm';
  const canonical = v >> 47n === 0n || v >> 47n === 0x1ffffn;
  if (
    !is32 &&
    !canonical &&
    v >= KASAN_SHADOW_OFFSET_X86_64 &&
    v < KASAN_SHADOW_OFFSET_X86_64 + (1n << 61n) &&
    arch !== 'arm64'
  ) {
    const orig = (v - KASAN_SHADOW_OFFSET_X86_64) << 3n;
    const decoded = '0x' + orig.toString(16).padStart(16, '0');
    const near = orig < 0x10000n ? ` (NULL + 0x${orig.toString(16)})` : '';
    return { value, class: 'non-canonical', decoded, detail: `KASAN shadow of ${decoded}${near}` };
  }
  if (!is32 && (arch === 'x86_64' || arch == null)) {
    if (!canonical) return { value, class: 'non-canonical', decoded: null, detail: 'non-canonical address' };
  }
  const userLimit = is32 ? 0xc0000000n : arch === 'arm64' ? 0x1000000000000n : 0x800000000000n;
  if (v < userLimit) return { value, class: 'user', decoded: null, detail: 'user-space address' };
  return { value, class: 'kernel', decoded: null, detail: null };
}

/** Slab caches and object sizes named by kernel report lines. */
export function collectSlabFacts(line: string, caches: Set<string>, sizes: Set<number>, mark?: number): void {
  if (line.length < 12) return;
  // `mark`: the line's shared scan (line-marks.ts) says whether any row's literal is on it.
  if (mark !== undefined && (mark & MARK_SLAB_FACT) === 0) return;
  for (const rule of SLAB_FACT_RULES) {
    if (!line.includes(rule.literal)) continue;
    const m = rule.pattern.exec(line);
    if (!m) continue;
    for (const g of rule.caches) caches.add(m[g]);
    if (rule.size !== null) sizes.add(Number(m[rule.size]));
  }
}
