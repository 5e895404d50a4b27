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

const MAX_POISON_INDICATORS = 64;

const POINTER_BY_PREFIX = new Map<string, PointerPoisonRule[]>();
for (const p of POINTER_POISONS) {
  const key = p.value.slice(0, 4);
  const list = POINTER_BY_PREFIX.get(key) ?? [];
  list.push(p);
  POINTER_BY_PREFIX.set(key, list);
}
const FILL_BY_BYTE = new Map<string, ByteFillRule>(BYTE_FILLS.map((f) => [f.byte, f]));

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

const HEX_WORD = /(?<![\w+])(?:0x)?([0-9a-fA-F]{16}|[0-9a-fA-F]{8})(?![\w])/g;
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
    const line = texts[i];
    if (line.length < 80) {
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
    const open = STRUCT_OPEN.exec(line);
    if (open) {
      path.push(open[1] ?? open[2]);
      continue;
    }
    // Instruction bytes (`Code:`) are not data: int3 padding is 0xcc, and so on.
    const trimmed = line.trimStart();
    if (trimmed.startsWith('Code: ')) continue;
    const dump = HEX_DUMP_LINE.exec(line);
    if (dump) {
      scanByteRun(dump[2] ?? dump[4], (dump[1] ?? '').trim(), family, add);
      continue;
    }
    const field = STRUCT_FIELD.exec(line);
    HEX_WORD.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = HEX_WORD.exec(line)) !== null) {
      const hex = m[1].toLowerCase();
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
        else if (/^[0-9a-f]{8,16}: /.test(trimmed)) where = 'memory dump';
        else if (/->next|->prev|next=|prev=|list_/.test(line)) where = 'list pointer';
      }
      add('0x' + hex, pm, where);
    }
  }
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

const KASAN_CACHE = /which belongs to the cache ([\w:.()-]{1,64}) of size (\d{1,10})/;
const REGION = /(\d{1,10})-byte region/;
const KFENCE_OBJECT = /size=(\d{1,10}), cache=([\w:.()-]{1,64})/;
const SLUB_BUG = /^BUG ([\w:.()-]{1,64}) \(/;
const WRONG_CACHE = /Wrong slab cache\. ([\w:.()-]{1,64}) but object is from ([\w:.()-]{1,64})/;
const KMEMLEAK_SIZE = /^unreferenced object 0x[0-9a-f]{1,16} \(size (\d{1,10})\)/;
const USERCOPY_OBJECT = /from SLUB object '([\w:.()-]{1,64})'/;

/** Slab caches and object sizes named by kernel report lines. */
export function collectSlabFacts(line: string, caches: Set<string>, sizes: Set<number>): void {
  if (line.length < 12) return;
  let m = KASAN_CACHE.exec(line);
  if (m) {
    caches.add(m[1]);
    sizes.add(Number(m[2]));
  }
  m = REGION.exec(line);
  if (m) sizes.add(Number(m[1]));
  m = KFENCE_OBJECT.exec(line);
  if (m) {
    sizes.add(Number(m[1]));
    caches.add(m[2]);
  }
  m = SLUB_BUG.exec(line);
  if (m) caches.add(m[1]);
  m = WRONG_CACHE.exec(line);
  if (m) {
    caches.add(m[1]);
    caches.add(m[2]);
  }
  m = KMEMLEAK_SIZE.exec(line);
  if (m) sizes.add(Number(m[1]));
  m = USERCOPY_OBJECT.exec(line);
  if (m) caches.add(m[1]);
}
