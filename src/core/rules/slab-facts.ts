// Report lines that name a slab cache or an object's size (REFERENCE.md §7). Data only: the
// reader is collectSlabFacts in parse/indicators.ts, which tests the rows in this order (the
// order caches are listed in). Each row's literal is on every line its pattern matches: it is
// tested first (and found for all rows in one scan per line, parse/line-marks.ts).

export interface SlabFactRule {
  /** A literal every line the pattern matches holds. */
  literal: string;
  pattern: RegExp;
  /** Capture groups holding cache names. */
  caches: number[];
  /** Capture group holding the object size in bytes, if any. */
  size: number | null;
  example: string;
  why: string;
}

export const SLAB_FACT_RULES: readonly SlabFactRule[] = [
  {
    literal: 'the cache ',
    pattern: /which belongs to the cache ([\w:.()-]{1,64}) of size (\d{1,10})/,
    caches: [1],
    size: 2,
    example:
      'The buggy address belongs to the object at ffff8880 which belongs to the cache kmalloc-128 of size 128',
    why: 'KASAN (4.12+) names the object the bad access hit',
  },
  {
    literal: ', in cache ',
    pattern: /^Object at [0-9a-f]{1,16}, in cache ([\w.:-]{1,64}) size: (\d{1,10})/,
    caches: [1],
    size: 2,
    example: 'Object at ffff88006a41c6a0, in cache kmalloc-128 size: 128',
    why: 'KASAN before 4.12',
  },
  {
    literal: '-byte region',
    pattern: /(\d{1,10})-byte region/,
    caches: [],
    size: 1,
    example: 'The buggy address is located 8 bytes inside of 128-byte region [ffff8880, ffff8880)',
    why: 'KASAN: the size of the object around the access',
  },
  {
    literal: ', cache=',
    pattern: /size=(\d{1,10}), cache=([\w:.()-]{1,64})/,
    caches: [2],
    size: 1,
    example: 'kfence-#23: 0xffff8880 -0xffff8880, size=32, cache=kmalloc-32',
    why: 'KFENCE names the object it guarded',
  },
  {
    literal: 'BUG ',
    pattern: /^BUG ([\w:.()-]{1,64}) \(/,
    caches: [1],
    size: null,
    example: 'BUG kmalloc-128 (Not tainted): Poison overwritten',
    why: 'SLUB debug reports a corrupted object of its cache',
  },
  {
    literal: 'Wrong slab cache',
    pattern: /Wrong slab cache\. ([\w:.()-]{1,64}) but object is from ([\w:.()-]{1,64})/,
    caches: [1, 2],
    size: null,
    example: 'cache_from_obj: Wrong slab cache. kmalloc-64 but object is from kmalloc-128',
    why: 'a free to the wrong cache names both',
  },
  {
    literal: 'unreferenced object',
    pattern: /^unreferenced object 0x[0-9a-f]{1,16} \(size (\d{1,10})\)/,
    caches: [],
    size: 1,
    example: 'unreferenced object 0xffff888012345678 (size 64):',
    why: 'kmemleak gives the leaked object size',
  },
  {
    literal: 'from SLUB object',
    pattern: /from SLUB object '([\w:.()-]{1,64})'/,
    caches: [1],
    size: null,
    example:
      "usercopy: Kernel memory exposure attempt detected from SLUB object 'kmalloc-64' (offset 0, size 65)!",
    why: 'hardened usercopy names the cache of the object copied out of bounds',
  },
];
