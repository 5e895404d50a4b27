// Frame-line grammar for kernel console traces and `crash` bt output (REFERENCE.md §3.4, §4),
// and the name normalisation every frame goes through.
import type { Frame } from '../types';

/** `foo.isra.0`, `foo.constprop.3`, `foo.part.1`, `foo.cold`, `foo.llvm.123`: kernel symbols have no dots otherwise. */
export function normaliseKernelFunction(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

const CONTEXT_MARKERS: Readonly<Record<string, string | null>> = {
  '<IRQ>': 'irq',
  '</IRQ>': 'task',
  '<NMI>': 'nmi',
  '</NMI>': 'task',
  '<SOFTIRQ>': 'softirq',
  '</SOFTIRQ>': 'task',
  '<TASK>': 'task',
  '</TASK>': 'task',
  '<#DF>': 'exception',
  '</#DF>': 'task',
  '<EOI>': 'task',
  '<<EOE>>': 'task',
  '<EOE>': 'task',
};

/** `<IRQ>`, `</TASK>`... : the context that starts after the marker, or undefined if the line is not one. */
export function contextMarker(trimmed: string): string | null | undefined {
  if (trimmed.length > 9 || trimmed.charCodeAt(0) !== 60) return undefined;
  return CONTEXT_MARKERS[trimmed];
}

// `[<ffffffff8105d6c0>]` (x86, arm) or `[c0000003f8e4ba50]` (powerpc stack pointer and pc).
const ADDRESS_PREFIX = /^\[<?(?:0x)?[0-9a-fA-F]{1,16}>?\] {1,2}/;
/** LKL (the kernel as a library) numbers its frames: `#4 [<0x0000000000a73a86>] func+0x1a/0x2f`. */
const LKL_FRAME_INDEX = /^#\d{1,4} (?=\[<)/;
const EOI_PREFIX = /^(?:<<?EO[IE]>>?|<IRQ>|<NMI>|<#DF>) {1,2}/;
const OFFSET_FRAME =
  /^(?<name>[A-Za-z_$][\w.$]{0,255})\+0x(?<off>[0-9a-fA-F]{1,10})\/0x[0-9a-fA-F]{1,10}(?: \[(?<mod>[\w-]{1,64})(?: [0-9a-f]{8,64})?\])?(?: \([PLC]\))?(?: (?<file>[\w./+-]{1,255}):(?<line>\d{1,7}))?(?<inl> \[inline\])?/;
const INLINE_FRAME =
  /^(?<name>[A-Za-z_$][\w.$]{0,255}) (?<file>[\w./+-]{1,255}):(?<line>\d{1,7})(?<inl> \[inline\])?$/;
const DECODED_FRAME =
  /^(?<name>[A-Za-z_$][\w.$]{0,255}) \((?<file>[\w./+-]{1,255}):(?<line>\d{1,7})(?<more>[^)]{0,400})\)(?: \[(?<mod>[\w-]{1,64})\])?/;
const MODULE_PREFIX = /^:([\w-]{1,64}):(?=[A-Za-z_])/;
const ARM32_FRAME =
  /^\((?<name>[A-Za-z_$][\w.$]{0,255})(?:\+0x[0-9a-f]{1,10}\/0x[0-9a-f]{1,10})?(?: \[(?<mod>[\w-]{1,64})\])?\)(?: from \[<[0-9a-f]{1,16}>\])?/;

/**
 * Parses one console frame line (`? foo+0x1c/0x40 [mod]`, `[<ffff..>] foo+0x..`, symbolised
 * `foo lib/x.c:12 [inline]`, decode_stacktrace `foo (lib/x.c:12)`, arm32 `(foo) from [<..>]`).
 * Returns null for anything else, so random text never becomes a frame.
 */
export function parseKernelFrame(line: string, context: string | null): Frame | null {
  let s = line.trim();
  if (s.length < 3) return null;
  if (s.charCodeAt(0) === 60 /* < */) {
    const m = EOI_PREFIX.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      context = m[0].startsWith('<IRQ') ? 'irq' : m[0].startsWith('<NMI') ? 'nmi' : 'task';
    }
  }
  let reliable = true;
  // s390 prints the frame taken from the return register in parentheses: `([<..>] func+0x2a/0x98)`.
  if (s.charCodeAt(0) === 40 /* ( */ && s.charCodeAt(1) === 91 && s.endsWith(')')) {
    s = s.slice(1, -1);
    reliable = false;
  }
  if (s.charCodeAt(0) === 35 /* # */) {
    const m = LKL_FRAME_INDEX.exec(s);
    if (m) s = s.slice(m[0].length);
  }
  for (let i = 0; i < 2 && s.charCodeAt(0) === 91 /* [ */; i++) {
    const m = ADDRESS_PREFIX.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
  }
  if (s.charCodeAt(0) === 63 /* ? */ && s.charCodeAt(1) === 32) {
    reliable = false;
    s = s.slice(2);
  }
  if (s.endsWith(' (unreliable)')) {
    reliable = false;
    s = s.slice(0, -13);
  }
  // ppc64 ELFv1 function descriptors print code symbols with a leading dot: `.ibmvfc_map_sg+0x44/0x260`.
  if (s.charCodeAt(0) === 46 /* . */ && /^\.[A-Za-z_]/.test(s)) s = s.slice(1);
  // 2.6.18 x86_64 prints a module's symbols as `:ext3:ext3_get_inode_block+0x53/0x1a0`.
  let prefixModule: string | undefined;
  if (s.charCodeAt(0) === 58 /* : */) {
    const pm = MODULE_PREFIX.exec(s);
    if (pm) {
      prefixModule = pm[1];
      s = s.slice(pm[0].length);
    }
  }
  // Each grammar needs a literal the line must contain: most lines of a report are not frames
  // and fail these tests before any regex runs.
  let m = s.includes('+0x') ? OFFSET_FRAME.exec(s) : null;
  if (m?.groups) {
    const g = m.groups;
    return frame(
      g.name,
      s.slice(0, m[0].length),
      g.mod ?? prefixModule,
      g.file,
      g.line,
      reliable,
      g.inl !== undefined,
      context,
    );
  }
  m = s.includes(' (') ? DECODED_FRAME.exec(s) : null;
  if (m?.groups) {
    const g = m.groups;
    return frame(g.name, s.slice(0, m[0].length), g.mod, g.file, g.line, reliable, false, context);
  }
  m = s.includes(':') ? INLINE_FRAME.exec(s) : null;
  if (m?.groups) {
    const g = m.groups;
    return frame(g.name, s, undefined, g.file, g.line, reliable, g.inl !== undefined, context);
  }
  m = s.charCodeAt(0) === 40 /* ( */ ? ARM32_FRAME.exec(s) : null;
  if (m?.groups)
    return frame(
      m.groups.name,
      s.slice(0, m[0].length),
      m.groups.mod,
      undefined,
      undefined,
      reliable,
      false,
      context,
    );
  return null;
}

function frame(
  name: string,
  raw: string,
  mod: string | undefined,
  file: string | undefined,
  line: string | undefined,
  reliable: boolean,
  inlined: boolean,
  context: string | null,
): Frame {
  const f: Frame = { function: normaliseKernelFunction(name), raw, module: mod ?? null, reliable, context };
  if (file) {
    f.file = file;
    f.line = line ? Number(line) : null;
  }
  if (inlined) f.inlined = true;
  return f;
}

/** A reliable frame from a match with a `name` group and an optional `mod` group. */
function frameFromMatch(m: RegExpExecArray, context: string | null): Frame | null {
  if (!m.groups) return null;
  return {
    function: normaliseKernelFunction(m.groups.name),
    raw: m[0],
    module: m.groups.mod ?? null,
    reliable: true,
    context,
  };
}

/** `func+0x1a/0x40 [mod]` as printed after `RIP: 0010:`, `pc : `, `PC is at`, `IP: [<..>]`. */
const SYMBOL_WITH_OFFSET =
  /(?<name>[A-Za-z_$][\w.$]{0,255})\+0x[0-9a-fA-F]{1,10}\/0x[0-9a-fA-F]{1,10}(?: \[(?<mod>[\w-]{1,64})[^\]]{0,70}\])?/;

export function parseSymbolWithOffset(text: string, context: string | null): Frame | null {
  const m = SYMBOL_WITH_OFFSET.exec(text.length > 600 ? text.slice(0, 600) : text);
  return m ? frameFromMatch(m, context) : null;
}

const CRASH_BT_FRAME =
  /^#(?<n>\d{1,5}) {1,3}\[(?<sp>[0-9a-f]{1,16})\] (?<name>[^\s]{1,255}) at (?<pc>[0-9a-f]{1,16})(?: \[(?<mod>[\w-]{1,64})\])?/;

/** `#10 [ffff9d1f9a0dba28] mlx5_alloc_cmd_msg at ffffffffc03e10e3 [mlx5_core]` (crash `bt`). */
export function parseCrashBtFrame(trimmed: string, context: string | null): Frame | null {
  if (trimmed.charCodeAt(0) !== 35 /* # */) return null;
  const m = CRASH_BT_FRAME.exec(trimmed);
  return m ? frameFromMatch(m, context) : null;
}

const CRASH_EXCEPTION_RIP = /^\[exception RIP: (?<name>[A-Za-z_$][\w.$]{0,255})(?:\+(?<off>\d{1,10}))?\]/;
const CRASH_PC =
  /^(?:PC|RIP|NIP|PSW): [0-9a-f]{1,16} {1,2}\[(?<name>[A-Za-z_$][\w.$]{0,255})(?:\+(?<off>\d{1,10}))?\]/;

/** `[exception RIP: dma_pool_alloc+427]` or arm64 `PC: ffff000008268b5c [kmem_cache_free+252]` (decimal offsets). */
export function parseCrashExceptionFrame(trimmed: string): Frame | null {
  const m = CRASH_EXCEPTION_RIP.exec(trimmed) ?? CRASH_PC.exec(trimmed);
  return m ? frameFromMatch(m, 'exception') : null;
}
