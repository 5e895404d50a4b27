// Known poison, fill and magic values (REFERENCE.md §7). Data only: the scanner in
// parse/indicators.ts decides where a value was seen; this table says what it means.

/** A pointer-sized poison: matched exactly or at a small positive offset (a field of the poisoned object). */
export interface PointerPoisonRule {
  name: string;
  /** Lower-case hex, no 0x, 16 digits for 64-bit values, 8 for 32-bit ones. */
  value: string;
  meaning: string;
  source: string;
  why: string;
}

/** A byte fill: a word made of one repeated byte (optionally plus a small offset) or a run in a hex dump. */
export interface ByteFillRule {
  name: string;
  /** Two lower-case hex digits. */
  byte: string;
  meaning: string;
  source: string;
  why: string;
  /** Only meaningful in some report families (SLUB red zones collide with other data). */
  families?: ('kernel' | 'userspace')[];
}

/** Offsets up to this are read as "field of the poisoned object"; larger ones are coincidence. */
export const POISON_MAX_OFFSET = 0x1000;

export const POINTER_POISONS: readonly PointerPoisonRule[] = [
  {
    name: 'LIST_POISON1',
    value: 'dead000000000100',
    meaning: 'deleted list entry (list_del poisons ->next)',
    source: 'include/linux/poison.h',
    why: 'a fault at dead000000000100+off means code followed ->next of an entry already removed from its list',
  },
  {
    name: 'LIST_POISON2',
    value: 'dead000000000122',
    meaning: 'deleted list entry (list_del poisons ->prev)',
    source: 'include/linux/poison.h (since v5.2, commit 4c6080cd6f8b)',
    why: 'the ->prev half of a deleted entry',
  },
  {
    name: 'LIST_POISON2',
    value: 'dead000000000200',
    meaning: 'deleted list entry (list_del poisons ->prev; value before v5.2)',
    source: 'include/linux/poison.h (before v5.2; RHEL7 3.10 dumps)',
    why: 'old kernels, still common in vendor kernels, used 0x200',
  },
  {
    name: 'TIMER_ENTRY_STATIC',
    value: 'dead000000000300',
    meaning: 'statically initialised timer marker',
    source: 'include/linux/poison.h',
    why: 'tells a static timer from a poisoned one',
  },
  {
    name: 'TAIL_MAPPING',
    value: 'dead000000000400',
    meaning: 'page->mapping of a compound tail page',
    source: 'include/linux/poison.h',
    why: 'seen in page dumps; a pointer read from it means a tail page was treated as a head page',
  },
  {
    name: 'MUTEX_POISON_WW_CTX',
    value: 'dead000000000500',
    meaning: 'ww-mutex context poison',
    source: 'include/linux/poison.h',
    why: 'a ww_mutex used without acquire context',
  },
  {
    name: 'PP_SIGNATURE',
    value: 'dead000000000040',
    meaning: 'page_pool page marker',
    source: 'include/linux/poison.h',
    why: 'page_pool pages carry it in pp_magic',
  },
  {
    name: 'SKB_LIST_POISON_NEXT',
    value: 'dead000000000800',
    meaning: 'skb removed from an skb list',
    source: 'include/linux/poison.h',
    why: 'an skb used after skb_list_del_init',
  },
  {
    name: 'VFS_PTR_POISON',
    value: 'dead0000000000f5',
    meaning: 'VFS pointer poison',
    source: 'include/linux/poison.h',
    why: 'recent VFS code poisons stale pointers with it',
  },
  {
    name: 'STACK_DEPOT_POISON',
    value: 'dead00000000d390',
    meaning: 'stack depot record poison',
    source: 'lib/stackdepot.c',
    why: 'a freed stack depot record',
  },
  {
    name: 'BPF_PTR_POISON',
    value: 'dead00000000eb9f',
    meaning: 'BPF verifier pointer poison',
    source: 'include/linux/poison.h',
    why: 'BPF helper prototypes poisoned on purpose',
  },
  {
    name: 'RED_INACTIVE',
    value: '09f911029d74e35b',
    meaning: 'SLAB red zone of a free object (old SLAB allocator)',
    source: 'include/linux/poison.h (before SLAB removal)',
    why: 'the old SLAB allocator red-zone word',
  },
  {
    name: 'RED_ACTIVE',
    value: 'd84156c5635688c0',
    meaning: 'SLAB red zone of an allocated object (old SLAB allocator)',
    source: 'include/linux/poison.h (before SLAB removal)',
    why: 'the old SLAB allocator red-zone word',
  },
  {
    name: 'KASAN_SHADOW_OFFSET',
    value: 'dffffc0000000000',
    meaning: 'x86_64 generic KASAN shadow base: address = shadow of (value - base) * 8',
    source: 'arch/x86/Kconfig (KASAN_SHADOW_OFFSET), mm/kasan/report.c',
    why: 'a GPF at dffffc00000000NN is a KASAN check of a pointer near NULL',
  },
  {
    name: 'SPINLOCK_MAGIC',
    value: 'dead4ead',
    meaning: 'spinlock debug magic (live lock)',
    source: 'include/linux/spinlock_types.h',
    why: 'behind "BUG: spinlock bad magic" reports',
  },
  {
    name: 'DEADBEEF',
    value: 'deadbeef',
    meaning: 'conventional "dead" marker (kernel ATM_POISON, old NEIGHBOR_DEAD, many drivers)',
    source: 'include/linux/poison.h',
    why: 'a pointer of 0xdeadbeef was deliberately invalidated',
  },
  {
    name: 'LIST_POISON1_32',
    value: '00100100',
    meaning: 'deleted list entry (32-bit / very old kernels)',
    source: 'include/linux/poison.h (2.6 era)',
    why: 'old LIST_POISON1 without the pointer delta',
  },
  {
    name: 'LIST_POISON2_32',
    value: '00200200',
    meaning: 'deleted list entry (32-bit / very old kernels)',
    source: 'include/linux/poison.h (2.6 era)',
    why: 'old LIST_POISON2 without the pointer delta',
  },
  {
    name: 'FEEEFEEE',
    value: 'feeefeee',
    meaning: 'Windows debug heap: memory freed with HeapFree',
    source: 'Windows debug heap',
    why: 'freed-memory fill in Windows user space',
  },
  {
    name: 'BAADF00D',
    value: 'baadf00d',
    meaning: 'Windows LocalAlloc debug: uninitialised',
    source: 'Windows debug heap',
    why: 'uninitialised-memory fill',
  },
];

export const BYTE_FILLS: readonly ByteFillRule[] = [
  {
    name: 'POISON_FREE',
    byte: '6b',
    meaning: 'freed slab object (slab poisoning)',
    source: 'include/linux/poison.h',
    why: '6b6b6b6b in a register or fault address is a pointer loaded from freed memory',
  },
  {
    name: 'POISON_INUSE',
    byte: '5a',
    meaning: 'allocated but uninitialised slab object, or slab padding (also jemalloc freed junk)',
    source: 'include/linux/poison.h; jemalloc util.h',
    why: 'reading it means the object was never initialised',
  },
  {
    name: 'POISON_END',
    byte: 'a5',
    meaning: 'end of a poisoned slab object (also jemalloc allocated junk)',
    source: 'include/linux/poison.h; jemalloc util.h',
    why: 'last byte of a freed object; a run of it is jemalloc fresh memory',
  },
  {
    name: 'SLUB_RED_INACTIVE',
    byte: 'bb',
    meaning: 'SLUB red zone around a free object',
    source: 'include/linux/poison.h',
    why: 'a free object red zone: data there means an overflow or a use-after-free write',
  },
  {
    name: 'SLUB_RED_ACTIVE',
    byte: 'cc',
    meaning: 'SLUB red zone around an allocated object (also freed __init memory, int3 padding)',
    source: 'include/linux/poison.h',
    why: 'an in-use object red zone: overwritten means an out-of-bounds write',
  },
  {
    name: 'PAGE_POISON',
    byte: 'aa',
    meaning: 'freed page (page poisoning)',
    source: 'include/linux/poison.h',
    why: 'a pointer read from a freed page',
  },
  {
    name: 'POOL_POISON_FREED',
    byte: 'a7',
    meaning: 'freed dmapool block (DMAPOOL_DEBUG)',
    source: 'mm/dmapool.c',
    why: 'a dma_pool block used after dma_pool_free',
  },
  {
    name: 'POOL_POISON_ALLOCATED',
    byte: 'a9',
    meaning: 'dmapool block not yet initialised (DMAPOOL_DEBUG)',
    source: 'mm/dmapool.c',
    why: 'a dma_pool block read before it was written',
  },
  {
    name: 'JBD2_POISON_FREE',
    byte: '5c',
    meaning: 'freed jbd2 journal buffer',
    source: 'include/linux/poison.h',
    why: 'a journal head used after free',
  },
  {
    name: 'MSVC_DEAD_LAND',
    byte: 'dd',
    meaning: 'MSVC debug CRT freed heap block',
    source: 'UCRT debug_heap.cpp',
    why: 'user-space use-after-free on Windows debug builds',
    families: ['userspace'],
  },
  {
    name: 'MSVC_CLEAN_LAND',
    byte: 'cd',
    meaning: 'MSVC debug CRT new heap block, never written',
    source: 'UCRT debug_heap.cpp',
    why: 'user-space uninitialised heap read on Windows debug builds',
    families: ['userspace'],
  },
  {
    name: 'MOZJEMALLOC_FREED',
    byte: 'e5',
    meaning: 'mozjemalloc freed memory',
    source: 'mozjemalloc',
    why: 'e5e5e5e5 in a Firefox crash is a likely use-after-free',
    families: ['userspace'],
  },
];

/** KASAN generic shadow bytes (mm/kasan/kasan.h). ASan's legend differs: interpret by family. */
export const KASAN_SHADOW_CODES: Readonly<Record<string, string>> = {
  ff: 'KASAN_PAGE_FREE: freed page (use-after-free)',
  fe: 'KASAN_PAGE_REDZONE: kmalloc_large red zone (out-of-bounds)',
  fc: 'KASAN_SLAB_REDZONE: slab red zone (out-of-bounds)',
  fb: 'KASAN_SLAB_FREE: freed slab object (use-after-free)',
  fa: 'KASAN_SLAB_FREE_META: freed slab object with free metadata (use-after-free)',
  f9: 'KASAN_GLOBAL_REDZONE: global red zone (out-of-bounds)',
  f8: 'KASAN_VMALLOC_INVALID: vmalloc red zone (out-of-bounds)',
  f1: 'KASAN_STACK_LEFT: stack left red zone',
  f2: 'KASAN_STACK_MID: stack middle red zone',
  f3: 'KASAN_STACK_RIGHT: stack right red zone',
  f4: 'KASAN_STACK_PARTIAL: stack partial red zone',
  ca: 'KASAN_ALLOCA_LEFT: alloca left red zone',
  cb: 'KASAN_ALLOCA_RIGHT: alloca right red zone',
};

/** x86_64 generic KASAN: shadow = (addr >> 3) + this. */
export const KASAN_SHADOW_OFFSET_X86_64 = 0xdffffc0000000000n;
