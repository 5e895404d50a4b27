// Data tables for the user-space parsers. Every row says why it exists; add a row and a golden
// fixture rather than a special case in code.
import type { CrashKind } from '../../types';

/** Sanitizer bug type (the words after `AddressSanitizer: `, cut at ` on `) → kind. First match wins. */
export interface BugTypeRule {
  id: string;
  /** Tested against the bug type, e.g. `heap-use-after-free`, `SEGV`, `attempting double-free`. */
  pattern: RegExp;
  kind: CrashKind;
  why: string;
}

export const SANITIZER_BUG_TYPES: readonly BugTypeRule[] = [
  {
    id: 'uaf',
    pattern: /^heap-use-after-free$/,
    kind: 'use-after-free',
    why: 'access to a freed heap chunk (shadow fd)',
  },
  {
    id: 'use-after-poison',
    pattern: /^use-after-poison$/,
    kind: 'use-after-free',
    why: 'manual poisoning marks chunks a custom allocator took back; an access is a use after release',
  },
  {
    id: 'stack-lifetime',
    pattern: /^stack-use-after-(?:return|scope)$/,
    kind: 'out-of-bounds',
    why: 'access to a stack slot outside its lifetime: an out-of-bounds access of the live frame',
  },
  {
    id: 'overflow',
    pattern:
      /^(?:heap|stack|global|dynamic-stack)-buffer-(?:overflow|underflow)$|^stack-buffer-underflow$|^container-overflow$|^intra-object-overflow$/,
    kind: 'out-of-bounds',
    why: 'access to a redzone next to a live object',
  },
  {
    id: 'negative-size',
    pattern: /^negative-size-param$/,
    kind: 'out-of-bounds',
    why: 'a negative length passed to a memory routine',
  },
  {
    id: 'double-free',
    pattern: /^attempting double-free$|^double-free$/,
    kind: 'double-free',
    why: 'free of a chunk already freed',
  },
  {
    id: 'invalid-free',
    pattern:
      /^attempting free on address which was not malloc\(\)-ed$|^invalid-free$|^alloc-dealloc-mismatch$|^new-delete-type-mismatch$|^bad-free$/,
    kind: 'invalid-free',
    why: 'free of something the allocator did not hand out, or through the wrong deallocator',
  },
  {
    id: 'tail-overwritten',
    pattern: /^allocation-tail-overwritten$/,
    kind: 'out-of-bounds',
    why: 'HWASan found bytes past the end of the object changed when it was freed',
  },
  {
    id: 'stack-overflow',
    pattern: /^stack-overflow$/,
    kind: 'stack-overflow',
    why: 'guard page below the stack hit',
  },
  {
    id: 'uninit',
    pattern: /^use-of-uninitialized-value$/,
    kind: 'uninit-value',
    why: 'MSan: a branch or pointer used uninitialised bits',
  },
  {
    id: 'leak',
    pattern: /^detected memory leaks$/,
    kind: 'memory-leak',
    why: 'LSan found unreachable chunks at exit',
  },
  {
    id: 'data-race',
    pattern: /^data race/,
    kind: 'data-race',
    why: 'TSan: two unsynchronised accesses, one a write',
  },
  {
    id: 'deadlock',
    pattern: /^lock-order-inversion/,
    kind: 'deadlock',
    why: 'TSan: a cycle in the lock-order graph',
  },
  {
    id: 'mutex-misuse',
    pattern: /mutex|^double lock|^unlock of an unlocked/,
    kind: 'lock-bug',
    why: 'TSan: destroy of a locked mutex, double lock, unlock of an unlocked mutex, invalid mutex',
  },
  {
    id: 'tsan-uaf',
    pattern: /^heap-use-after-free/,
    kind: 'use-after-free',
    why: 'TSan: access racing with free',
  },
  {
    id: 'wild',
    pattern: /^(?:SEGV|BUS|unknown-crash|wild-addr(?:-read|-write)?)$/,
    kind: 'bad-access',
    why: 'fault on an address the runtime knows nothing of; NULL-page faults become null-deref in code',
  },
  {
    id: 'fpe',
    pattern: /^FPE$/,
    kind: 'undefined-behavior',
    why: 'SIGFPE is integer division by zero or overflow',
  },
  {
    id: 'abrt',
    pattern: /^(?:ABRT|ILL|TRAP)$/,
    kind: 'bug',
    why: 'abort or trap instruction: an explicit failure check',
  },
  {
    id: 'alloc-failure',
    pattern:
      /^(?:allocation-size-too-big|calloc-overflow|out-of-memory|rss-limit-exceeded|malloc-limit-exceeded|pvalloc-overflow|reallocarray-overflow|invalid-allocation-alignment|invalid-aligned-alloc-alignment|invalid-posix-memalign-alignment)$/,
    kind: 'bug',
    why: 'allocation request the allocator refuses; the bug is the size computation',
  },
  {
    id: 'overlap',
    pattern: /^[a-z]+-param-overlap$/,
    kind: 'bug',
    why: 'overlapping memcpy/strcpy arguments',
  },
  {
    id: 'odr',
    pattern: /^odr-violation$|^initialization-order-fiasco$/,
    kind: 'bug',
    why: 'link-time or init-order mistakes',
  },
  {
    id: 'thread-leak',
    pattern: /^thread leak$/,
    kind: 'bug',
    why: 'TSan: a joinable thread was never joined',
  },
  {
    id: 'signal',
    pattern: /^signal/,
    kind: 'bug',
    why: 'TSan: signal-unsafe call or errno spoiled in a handler',
  },
];

/** Bug types printed as a sentence: rewritten to the short name ClusterFuzz and the docs use. */
export const BUG_TYPE_ALIASES: readonly { pattern: RegExp; name: string; why: string }[] = [
  {
    pattern: /^attempting free on address which was not malloc\(\)-ed/,
    name: 'attempting free on address which was not malloc()-ed',
    why: 'the sentence contains " on address", which would cut it',
  },
  {
    pattern: /^requested allocation size/,
    name: 'allocation-size-too-big',
    why: 'ASan prints the sizes in the sentence',
  },
  {
    pattern: /^calloc parameters overflow/,
    name: 'calloc-overflow',
    why: 'sentence form of calloc-overflow',
  },
  { pattern: /^(?:allocator is )?out of memory/, name: 'out-of-memory', why: 'sentence form of OOM' },
  {
    pattern: /^bad parameters to __sanitizer_annotate_contiguous_container/,
    name: 'bad-container-annotation',
    why: 'sentence form',
  },
];

/** ASan shadow byte legend (compiler-rt asan_internal.h magics as printed in the legend). */
export const ASAN_SHADOW_LEGEND: Readonly<Record<string, string>> = {
  fa: 'heap left redzone',
  fb: 'heap right redzone',
  fd: 'freed heap region',
  f1: 'stack left redzone',
  f2: 'stack mid redzone',
  f3: 'stack right redzone',
  f4: 'stack partial redzone',
  f5: 'stack after return',
  f8: 'stack use after scope',
  f9: 'global redzone',
  f6: 'global init order',
  f7: 'poisoned by user',
  fc: 'container overflow',
  ac: 'array cookie',
  bb: 'intra object redzone',
  fe: 'ASan internal',
  ca: 'left alloca redzone',
  cb: 'right alloca redzone',
};

/** Frames that are not the bug: sanitizer runtimes, libc, allocator entry points, C++ runtime. */
export interface FrameSkipRule {
  id: string;
  /** Which part of the frame the pattern is tested against. */
  on: 'function' | 'file' | 'module';
  pattern: RegExp;
  why: string;
}

export const FRAME_SKIP_RULES: readonly FrameSkipRule[] = [
  {
    id: 'sanitizer-runtime',
    on: 'function',
    pattern:
      /^_{1,3}(?:asan|msan|tsan|ubsan|lsan|hwasan|sanitizer|dfsan|scudo|interceptor|interceptor_trampoline)[_:]/,
    why: 'sanitizer runtime and interceptors report the bug, they are not it',
  },
  {
    id: 'sanitizer-ns',
    on: 'function',
    pattern: /^(?:__sanitizer|__asan|__tsan|__hwasan|scudo|__scudo)::/,
    why: 'runtime internals',
  },
  {
    id: 'libc-internal',
    on: 'function',
    pattern: /^__(?:libc|GI|GI___libc|pthread_kill|sigsetjmp|longjmp|clone|clone3)(?:_|$)/,
    why: 'glibc internals',
  },
  {
    id: 'process-exit',
    on: 'function',
    pattern:
      /^(?:abort|raise|exit|_exit|gsignal|pthread_kill|tgkill|__chk_fail|__fortify_fail|__stack_chk_fail|__assert_fail|__assert_fail_base|__assert_rtn|__assert|_assert|__assert2|__cxa_pure_virtual|__cxa_throw|__cxa_rethrow)$/,
    why: 'abort/assert plumbing below the failing check',
  },
  // Lenient pass (see frames.ts) ignores this row so a crash directly in main is still named.
  {
    id: 'startup',
    on: 'function',
    pattern: /^(?:_start|__start|start_thread|clone|clone3|thread_start|_dl_start_user|main)$/,
    why: 'process/thread entry: in every stack',
  },
  {
    id: 'allocator',
    on: 'function',
    pattern:
      /^(?:malloc|calloc|realloc|reallocarray|free|cfree|valloc|pvalloc|memalign|posix_memalign|aligned_alloc|malloc_usable_size|strdup|strndup|operator new(?:\[\])?|operator delete(?:\[\])?|new|delete|_Znwm|_Znam|_ZdlPv|_ZdaPv|_Znwj|_Znaj)$/,
    why: 'allocator entry points: the caller allocated or freed',
  },
  {
    id: 'mem-str',
    on: 'function',
    pattern:
      /^(?:mem(?:cpy|move|set|cmp|chr|rchr|mem|pcpy)|bcmp|bcopy|bzero|wmem(?:cpy|move|set|cmp)|str(?:len|nlen|cpy|ncpy|cat|ncat|cmp|ncmp|casecmp|ncasecmp|chr|rchr|str|casestr|dup|ndup|tok|tok_r|spn|cspn|pbrk|lcpy|lcat|tol|toul|toll|toull|tod)|stpcpy|stpncpy|wcs(?:len|nlen|cpy|ncpy|cat|cmp|chr)|(?:v?s?n?|f|vf|d|vd)printf|(?:s|f|vs|vf)?scanf|fwrite|fread|fputs|puts|read|write|pread|pwrite|recv|send|recvfrom|sendto)$/,
    why: 'libc memory/string/stdio routines the sanitizer intercepts: the caller passed the bad range',
  },
  {
    id: 'libc-ifunc',
    on: 'function',
    pattern: /^__(?:mem|str|stp|wmem|wcs)[a-z]{1,12}_(?:avx|sse|evex|erms|unaligned|aligned|ssse3|generic)/,
    why: 'glibc ifunc variants of mem*/str*',
  },
  {
    id: 'cxx-runtime',
    on: 'function',
    pattern:
      /^(?:__cxa_|__cxxabiv1::|__gnu_cxx::|_Unwind_|__gxx_personality|std::(?:__1::)?(?:terminate|__terminate|__throw_|__invoke|_Function_handler|__function::|function::operator\(\)|default_delete|allocator|__libcpp_|_Sp_counted|__shared_count|__shared_weak_count)|__libcpp_)/,
    why: 'C++ runtime and standard-library plumbing (ClusterFuzz skips the same)',
  },
  {
    id: 'fuzzer',
    on: 'function',
    pattern: /^(?:fuzzer::|LLVMFuzzerTestOneInput$|ExecuteFilesOnyByOne|RunOneTest|afl_)/,
    why: 'fuzzing harness driver frames',
  },
  {
    id: 'unknown',
    on: 'function',
    pattern: /^(?:\?\?|<unknown>|<null>|<signal handler called>|\?)$/,
    why: 'unsymbolised or pseudo frames',
  },
  {
    id: 'runtime-files',
    on: 'file',
    pattern:
      /(?:\/sanitizer_common\/|\/compiler-rt\/lib\/|\/libsanitizer\/|\/llvm-build\/|\/glibc-[^/]*\/|\/libc\/|\/libc\+\+\/|\/libcxx\/|\/libcxxabi\/|\/usr\/include\/c\+\+\/|\/gcc\/|\/tcmalloc\/|\/jemalloc\/|\/googletest\/|^\.\/nptl\/|^nptl\/|^\.\.\/sysdeps\/|^\.\/stdlib\/|^\.\/assert\/|^\.\/signal\/|^\.\/string\/|^\.\.\/csu\/|^\.\/csu\/)/,
    why: 'frames located in libc, libc++, the sanitizer runtime or a test framework',
  },
  {
    id: 'runtime-modules',
    on: 'module',
    pattern:
      /(?:^|\/)(?:libc[.-]|libc\.so|libstdc\+\+|libc\+\+|libc\+\+abi|libpthread|ld-linux|ld-musl|libasan|libtsan|libmsan|libhwasan|libubsan|liblsan|libclang_rt\.|vgpreload_|libgcc_s|\[vdso\]|linux-vdso|libdl[.-]|libm[.-])/,
    why: 'shared objects of libc, the C++ runtime, the sanitizer runtime or valgrind preloads',
  },
];

/** UBSan `runtime error:` message prefix → check name (clang's -fsanitize= names). First match wins. */
export const UBSAN_CHECKS: readonly { pattern: RegExp; check: string; why: string }[] = [
  {
    pattern: /^signed integer overflow|^negation of .{1,64} cannot be represented/,
    check: 'signed-integer-overflow',
    why: '-fsanitize=signed-integer-overflow',
  },
  {
    pattern: /^unsigned integer overflow/,
    check: 'unsigned-integer-overflow',
    why: '-fsanitize=unsigned-integer-overflow',
  },
  { pattern: /^shift exponent/, check: 'shift-exponent', why: 'shift by negative or >= width' },
  { pattern: /^left shift of/, check: 'shift-base', why: 'left shift of negative or overflowing value' },
  {
    pattern: /^division by zero|^integer divide by zero/,
    check: 'integer-divide-by-zero',
    why: '-fsanitize=integer-divide-by-zero',
  },
  { pattern: /^index .{1,64} out of bounds for type/, check: 'array-bounds', why: '-fsanitize=bounds' },
  { pattern: /misaligned address/, check: 'misaligned-pointer-use', why: '-fsanitize=alignment' },
  {
    pattern:
      /null pointer of type|^(?:load|store|member access|member call|reference binding|upcast|downcast) (?:of|to|within|on) null pointer/,
    check: 'null-pointer-use',
    why: '-fsanitize=null',
  },
  {
    pattern:
      /^(?:applying (?:non-)?zero offset|pointer index expression|addition of unsigned offset|subtraction of unsigned offset)/,
    check: 'pointer-overflow',
    why: '-fsanitize=pointer-overflow',
  },
  {
    pattern: /^load of value .{1,64} which is not a valid value for type 'bool'/,
    check: 'invalid-bool-load',
    why: '-fsanitize=bool',
  },
  {
    pattern: /^load of value .{1,64} which is not a valid value for type/,
    check: 'invalid-enum-load',
    why: '-fsanitize=enum',
  },
  {
    pattern: /^execution reached an unreachable program point/,
    check: 'unreachable',
    why: '__builtin_unreachable reached',
  },
  {
    pattern: /^execution reached the end of a value-returning function/,
    check: 'missing-return',
    why: '-fsanitize=return',
  },
  {
    pattern: /^null pointer passed as argument/,
    check: 'nonnull-attribute',
    why: '-fsanitize=nonnull-attribute',
  },
  {
    pattern: /^null pointer returned from function/,
    check: 'returns-nonnull-attribute',
    why: '-fsanitize=returns-nonnull-attribute',
  },
  {
    pattern: /through pointer to incorrect function type/,
    check: 'function-type-mismatch',
    why: '-fsanitize=function',
  },
  {
    pattern: /which does not point to an object of type|^downcast of address|^upcast of address/,
    check: 'bad-cast',
    why: '-fsanitize=vptr',
  },
  { pattern: /^variable length array bound/, check: 'vla-bound', why: '-fsanitize=vla-bound' },
  {
    pattern: /is outside the range of representable values/,
    check: 'float-cast-overflow',
    why: '-fsanitize=float-cast-overflow',
  },
  {
    pattern: /^implicit conversion from type/,
    check: 'implicit-conversion',
    why: '-fsanitize=implicit-conversion',
  },
  { pattern: /^passing zero to/, check: 'invalid-builtin-use', why: '-fsanitize=builtin' },
  {
    pattern: /^assumption of .{1,32} byte alignment/,
    check: 'alignment-assumption',
    why: '__builtin_assume_aligned violated',
  },
  { pattern: /^invalid ObjC cast/, check: 'invalid-objc-cast', why: '-fsanitize=objc-cast' },
];

/** gdb/valgrind signal → kind. */
export const SIGNAL_KINDS: Readonly<Record<string, CrashKind>> = {
  SIGSEGV: 'bad-access',
  SIGBUS: 'bad-access',
  SIGFPE: 'undefined-behavior',
  SIGABRT: 'bug',
  SIGILL: 'bug',
  SIGTRAP: 'bug',
  SIGSYS: 'bug',
};
