// What the indicators of a dump mean, for people: read from the very tables the parser and
// matcher use (rules/poison.ts, the KASAN and ASan shadow legends, isGenericSlabCache), so an
// explanation cannot disagree with what the parser found. Only the "what to conclude" lines
// are added here, keyed by the table's names (a unit test keeps every key a real row).
import { isGenericSlabCache } from '../core/match/index';
import { kasanShadowMeaning } from '../core/parse/indicators';
import { ASAN_SHADOW_LEGEND } from '../core/parse/userspace/rules';
import { BYTE_FILLS, KASAN_SHADOW_CODES, POINTER_POISONS, POISON_MAX_OFFSET } from '../core/rules/poison';
import type { FaultAddressClass, Indicators } from '../core/types';

/** What finding a poison says about the object it was found in (by rule name). */
export const POISON_CONCLUSIONS: Readonly<Record<string, string>> = {
  LIST_POISON1:
    'list_del() removed this entry from its list and poisoned its ->next: the object holding it was freed or unlinked, yet something still followed it (use-after-free, or a missing lock around the list)',
  LIST_POISON2:
    'list_del() removed this entry from its list and poisoned its ->prev: the object holding it was freed or unlinked, yet something still followed it (use-after-free, or a missing lock around the list)',
  SKB_LIST_POISON_NEXT: 'the skb was taken off its list; using it through the list is a use-after-free',
  POISON_FREE: 'memory of a freed slab object was read as if it were live: a use-after-free',
  POISON_INUSE: 'an allocated object was read before anything was written to it: uninitialised use',
  POISON_END: 'the last byte of a poisoned (freed) slab object',
  SLUB_RED_INACTIVE:
    'the red zone of a free object was touched: an overflow into, or a write after free of, its neighbour',
  SLUB_RED_ACTIVE: 'the red zone of a live object was overwritten: an out-of-bounds write',
  PAGE_POISON: 'a pointer came from a page that was already freed: a use-after-free of a page',
  POOL_POISON_FREED: 'a dma_pool block was used after dma_pool_free()',
  KASAN_SHADOW_OFFSET: 'KASAN checked a pointer near NULL: a NULL (or NULL + offset) dereference under KASAN',
};

/** What each class of fault address says (the classes classifyFaultAddress gives). */
export const FAULT_ADDRESS_MEANINGS: Readonly<Record<FaultAddressClass, string>> = {
  null: 'NULL itself: a pointer that was never set, or was cleared',
  'null-offset': 'NULL plus a small offset: a field read through a NULL struct pointer',
  'non-canonical':
    'not a valid x86_64 address: usually a corrupted or poisoned pointer (KASAN decodes the original)',
  user: 'a user-space address dereferenced by the kernel, or a small integer taken for a pointer',
  kernel: 'an ordinary kernel address: the mapping was gone (freed page, vmalloc area unmapped)',
  poison: 'a known poison value (plus an offset): the pointer came from a freed or deleted object',
  unknown: 'an address the parser could not classify',
};

const SHADOW_INTRO =
  'A shadow byte describes 8 bytes of memory: 00 all usable, 01–07 only the first N, other values say why none is.';

export interface IndicatorExplanation {
  kind: 'poison' | 'fill' | 'shadow' | 'slab-cache' | 'object-size' | 'fault-address';
  /** What was found, e.g. `LIST_POISON1 0xdead000000000100`. */
  label: string;
  /** Where in the dump, e.g. `field dma_pool.pools.next`. */
  where: string | null;
  /** The table's meaning of the value. */
  meaning: string;
  /** What the place it was found in says, and the table's reason. */
  details: string[];
  /** What a person triaging can conclude from it. */
  conclusion: string | null;
  /** Where the value is defined (kernel header, runtime). */
  source: string | null;
}

/** `field dma_pool.pools.next` → the list entry `pools` of a `struct dma_pool`. */
function placeDetail(where: string, listPoison: boolean): string | null {
  const m = /^field ([A-Za-z_][\w]*)\.([\w.]+)\.(next|prev)$/.exec(where);
  if (m && listPoison) {
    return `found in ${m[2]}.${m[3]} of a struct ${m[1]}: the list entry "${m[2]}" of that ${m[1]} was deleted from its list, so the ${m[1]} itself was being freed or unlinked`;
  }
  if (/^register /.test(where))
    return `held in ${where.slice(9)} when it crashed: the code had just loaded it as a pointer`;
  if (where === 'fault address')
    return 'the address that faulted: the code dereferenced the poisoned pointer';
  return null;
}

function poisonExplanation(p: Indicators['poisonValues'][number]): IndicatorExplanation {
  const base = p.base.replace(/^0x/, '').toLowerCase();
  const pointer = POINTER_POISONS.find((r) => r.name === p.name && r.value === base);
  const fill = pointer ? undefined : BYTE_FILLS.find((r) => r.name === p.name);
  const rule = pointer ?? fill;
  const listPoison = /^LIST_POISON/.test(p.name);
  const offset =
    p.offset > 0 && p.offset <= POISON_MAX_OFFSET
      ? ` — ${p.name} + 0x${p.offset.toString(16)}: a field 0x${p.offset.toString(16)} bytes into the poisoned object`
      : '';
  const place = placeDetail(p.where, listPoison);
  return {
    kind: fill ? 'fill' : 'poison',
    label: `${p.name} ${p.value}`,
    where: p.where,
    meaning: (rule?.meaning ?? p.meaning) + offset,
    details: [place, rule?.why].filter((x): x is string => !!x),
    conclusion: POISON_CONCLUSIONS[p.name] ?? null,
    source: rule?.source ?? null,
  };
}

function shadowExplanation(s: { code: string; meaning: string }, userspace: boolean): IndicatorExplanation {
  const code = s.code.toLowerCase();
  const table = userspace ? ASAN_SHADOW_LEGEND[code] : (KASAN_SHADOW_CODES[code] ?? kasanShadowMeaning(code));
  return {
    kind: 'shadow',
    label: `shadow byte ${code}`,
    where: 'shadow memory',
    meaning: table ?? s.meaning,
    details: [SHADOW_INTRO],
    conclusion: /free|after return|after scope/i.test(table ?? s.meaning)
      ? 'the accessed memory was already freed (or out of scope): a use-after-free'
      : /redzone|red zone|overflow|accessible/i.test(table ?? s.meaning)
        ? 'the access went past the end (or before the start) of an object: out-of-bounds'
        : null,
    source: userspace ? 'compiler-rt asan_internal.h' : 'mm/kasan/kasan.h',
  };
}

function slabExplanation(cache: string): IndicatorExplanation {
  if (isGenericSlabCache(cache)) {
    const m = /-(\d+)(k?)$/.exec(cache);
    const size = m ? Number(m[1]) * (m[2] ? 1024 : 1) : null;
    return {
      kind: 'slab-cache',
      label: cache,
      where: null,
      meaning: `a general-purpose kmalloc size class${size ? ` (objects of up to ${size} bytes)` : ''}`,
      details: [
        'many unrelated structures share it, so it tells the object size, not its type; a freed object here is soon reused by other code (signatures never match on it alone)',
      ],
      conclusion: null,
      source: 'mm/slab_common.c (kmalloc caches)',
    };
  }
  return {
    kind: 'slab-cache',
    label: cache,
    where: null,
    meaning: 'a dedicated slab cache (kmem_cache_create): it names the type of the object involved',
    details: ['only one kind of object lives in it, so it points at the subsystem that owns the object'],
    conclusion: null,
    source: 'mm/slab_common.c',
  };
}

/** Every indicator of a parsed report explained, in the order the page shows them. */
export function explainIndicators(
  indicators: Partial<Indicators>,
  family: 'kernel' | 'userspace' = 'kernel',
): IndicatorExplanation[] {
  const out: IndicatorExplanation[] = [];
  const fa = indicators.faultAddress;
  if (fa && fa.value) {
    out.push({
      kind: 'fault-address',
      label: `fault address ${fa.value}`,
      where: 'fault address',
      meaning: FAULT_ADDRESS_MEANINGS[fa.class] ?? FAULT_ADDRESS_MEANINGS.unknown,
      details: [fa.detail, fa.decoded ? `decoded: ${fa.decoded}` : null].filter((x): x is string => !!x),
      conclusion: null,
      source: null,
    });
  }
  for (const p of indicators.poisonValues ?? []) out.push(poisonExplanation(p));
  for (const s of indicators.shadowCodes ?? []) out.push(shadowExplanation(s, family === 'userspace'));
  for (const c of indicators.slabCaches ?? []) out.push(slabExplanation(c));
  for (const n of indicators.objectSizes ?? []) {
    out.push({
      kind: 'object-size',
      label: `${n}-byte object`,
      where: null,
      meaning: `the object involved is ${n} bytes long`,
      details: ['with the slab cache it narrows down which structure it was'],
      conclusion: null,
      source: null,
    });
  }
  return out;
}

/** The tables themselves, for GET /api/v1/indicators. */
export function indicatorTables() {
  return {
    pointerPoisons: POINTER_POISONS.map((r) => ({
      ...r,
      value: `0x${r.value}`,
      conclusion: POISON_CONCLUSIONS[r.name] ?? null,
    })),
    byteFills: BYTE_FILLS.map((r) => ({
      ...r,
      byte: `0x${r.byte}`,
      conclusion: POISON_CONCLUSIONS[r.name] ?? null,
    })),
    poisonMaxOffset: POISON_MAX_OFFSET,
    kasanShadow: [
      ...['01', '02', '03', '04', '05', '06', '07'].map((code) => ({
        code,
        meaning: kasanShadowMeaning(code),
      })),
      ...Object.entries(KASAN_SHADOW_CODES).map(([code, meaning]) => ({ code, meaning })),
    ],
    asanShadow: Object.entries(ASAN_SHADOW_LEGEND).map(([code, meaning]) => ({ code, meaning })),
    faultAddressClasses: Object.entries(FAULT_ADDRESS_MEANINGS).map(([cls, meaning]) => ({
      class: cls,
      meaning,
    })),
  };
}
