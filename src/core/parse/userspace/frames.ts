// Frame lines, function-name normalisation, the skip list and ClusterFuzz-style state, shared by
// every user-space parser. All regexes are anchored literals with bounded quantifiers and lines
// are capped first, so each line costs O(its capped length).
import type { FaultAddress, Frame } from '../../types';
import { FRAME_SKIP_RULES } from './rules';

/** Longest line prefix any rule looks at: pasted minified blobs must not cost quadratic time. */
export const MAX_LINE = 4096;

export function cap(line: string): string {
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
}

/** A parsed frame plus its program counter (kept apart: the PC is not part of the public frame). */
export interface PcFrame {
  frame: Frame;
  pc: string | null;
}

// `    #3 0x7f8a2c1d3d8f in foo file.c:1:2`, `    #5 0x7f..  (/lib/libc.so.6+0x29d8f)`, TSan `    #0 foo f.c:10:5 (bin+0x4a3c2)`
const SAN_FRAME_RE =
  /^\s{0,40}#(\d{1,5})\s{1,8}(?:(0x[0-9a-fA-F]{1,16})\s{1,8}|(0x[0-9a-fA-F]{1,16})$)?(.*)$/;
const FUCHSIA_MODULE_RE = /\s<(<application>|[^<>\s]{1,256})>\+0x[0-9a-fA-F]{1,16}$/;
const BUILD_ID_RE = /\s\(BuildId: [0-9a-fA-F]{1,128}\)$/;
const LOCATION_RE = /^(.{1,1024}?):(\d{1,7})(?::(\d{1,5}))?$/;
const HEX_RE = /^[0-9a-fA-F]{1,16}$/;

export function isSanitizerFrameLine(line: string): boolean {
  return /^\s{0,40}#\d{1,5}\s/.test(line);
}

/** Parses one sanitizer stack line (compiler-rt `    #%n %p %F %L` and TSan's PC-less variant). */
export function parseSanitizerFrame(raw: string): PcFrame | null {
  const line = cap(raw);
  const m = SAN_FRAME_RE.exec(line);
  if (!m) return null;
  const pc = (m[2] ?? m[3] ?? null)?.toLowerCase() ?? null;
  let rest = m[4].trim();
  // End-anchored patterns are tried at every space: only on lines holding their literal.
  if (rest.includes('(BuildId: ')) rest = rest.replace(BUILD_ID_RE, '');
  let module: string | null = null;
  // Fuchsia's symbolizer ends a frame with `<<application>>+0x4f10` or `<libc.so>+0x964de`.
  const fx = rest.includes('>+0x') ? FUCHSIA_MODULE_RE.exec(rest) : null;
  if (fx) {
    module = fx[1] === '<application>' ? null : fx[1];
    rest = rest.slice(0, fx.index).trim();
  }
  // Trailing `(module+0xoff)` or `(<unknown module>)`: the last parenthesised group, which must
  // start a word (function names such as `operator()(int)` also end with a parenthesis).
  if (rest.endsWith(')')) {
    const open = rest.lastIndexOf('(');
    if (open >= 0 && (open === 0 || rest[open - 1] === ' ')) {
      const inner = rest.slice(open + 1, -1);
      const plus = inner.lastIndexOf('+0x');
      if (inner === '<unknown module>') {
        rest = rest.slice(0, open).trim();
      } else if (plus > 0 && HEX_RE.test(inner.slice(plus + 3)) && !inner.includes(' ')) {
        module = inner.slice(0, plus);
        rest = rest.slice(0, open).trim();
      }
    }
  }
  if (rest.startsWith('in ')) rest = rest.slice(3).trim();
  let file: string | null = null;
  let lineNo: number | null = null;
  const sp = rest.lastIndexOf(' ');
  const lastTok = sp >= 0 ? rest.slice(sp + 1) : rest;
  const loc = LOCATION_RE.exec(lastTok);
  if (loc && (sp >= 0 || pc !== null) && /[/.\\]|^\?\?$/.test(loc[1])) {
    file = loc[1] === '??' ? null : loc[1];
    lineNo = file === null ? null : Number(loc[2]);
    rest = sp >= 0 ? rest.slice(0, sp).trim() : '';
  } else if (lastTok === '<null>' && sp >= 0) {
    rest = rest.slice(0, sp).trim(); // UBSan/TSan print `<null>` for an unknown file
  } else if (sp >= 0 && /^\/[^\s()<>]{1,1024}$/.test(lastTok) && !rest.slice(0, sp).endsWith('operator')) {
    file = lastTok; // `in foo /path/file.c` without a line number
    rest = rest.slice(0, sp).trim();
  }
  const rawName = rest === '' || rest === '<null>' ? '??' : rest;
  const frame: Frame = {
    function: normaliseFunction(rawName),
    raw: rawName,
    module,
    file,
    line: lineNo,
    reliable: true,
  };
  return { frame, pc };
}

/** Marks all but the last of consecutive frames with one PC as inlined (llvm-symbolizer's output). */
export function markInlined(frames: PcFrame[]): Frame[] {
  for (let i = 0; i + 1 < frames.length; i++) {
    const pc = frames[i].pc;
    if (pc !== null && pc === frames[i + 1].pc) frames[i].frame.inlined = true;
  }
  return frames.map((f) => f.frame);
}

const COMPILER_SUFFIX_RE =
  /(?:\.(?:isra|constprop|part|cold|llvm|lto_priv|localalias|clone|specialized)(?:\.\d{1,12})?)+$/;
const OFFSET_RE = /\+0x[0-9a-fA-F]{1,16}$/;

/**
 * Normalised function name: no argument list, template arguments, `(anonymous namespace)::`,
 * return type, `+0x..` offset or compiler clone suffix. Offsets and clones differ per build;
 * template arguments and argument lists make one bug look like many.
 */
export function normaliseFunction(raw: string): string {
  let s = raw.length > 1024 ? raw.slice(0, 1024) : raw;
  s = s.trim().replace(OFFSET_RE, '');
  if (s === '' || s === '??' || s.startsWith('<')) return s === '' ? '??' : s;
  if (s.includes('anonymous namespace)::')) s = s.split('(anonymous namespace)::').join('');
  if (s.includes('{anonymous}::')) s = s.split('{anonymous}::').join('');
  if (s.includes('thunk to ')) s = s.replace(/^(?:non-virtual |virtual )?thunk to /, '');
  const bang = s.indexOf('!');
  if (bang > 0 && !s.includes('operator!')) s = s.slice(bang + 1); // Windows `module!function`
  // Copy the name outside template brackets, up to the argument list; runs of kept characters
  // are sliced, not appended one by one.
  let out = '';
  let angle = 0;
  let run = 0; // start of the run of kept characters (meaningful while angle is 0)
  let cut = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 111 /* o */ && s.startsWith('operator', i) && (i === 0 || /[\s:~]/.test(s[i - 1]))) {
      // Operator names contain the characters we cut on: copy the operator token verbatim.
      let j = i + 8;
      const opm =
        /^(?:\s?(?:new|delete)(?:\[\])?|\(\)|\[\]|->\*?|<=>|<<=?|>>=?|[-+*/%^&|~!=<>,]=?|&&|\|\||\+\+|--|""\s?\w{1,64}|\s[\w:]{1,128}(?:\s?[*&]{1,2})?)/.exec(
          s.slice(j, j + 140),
        );
      if (opm) j += opm[0].length;
      if (angle === 0) out += s.slice(run, j);
      i = j - 1;
      run = j;
      continue;
    }
    if (c === 60 /* < */) {
      if (angle === 0) out += s.slice(run, i);
      angle++;
      continue;
    }
    if (c === 62 /* > */) {
      if (angle === 0) out += s.slice(run, i);
      else angle--;
      run = i + 1;
      continue;
    }
    if (angle > 0) continue;
    if (c === 40 /* ( */) {
      // argument list, ` const`, `[abi:...]` follow
      out += s.slice(run, i);
      cut = true;
      break;
    }
  }
  if (!cut && angle === 0) out += s.slice(run);
  s = out.replace(/\[abi:[^\]]{0,64}\]/g, '').trim();
  // Leading return type (`void foo`, `int* ns::f`): keep the last space-separated word unless the
  // name itself contains a space (`operator new`, `operator delete[]`).
  const opIdx = s.indexOf('operator');
  if (opIdx > 0) {
    const before = s.lastIndexOf(' ', opIdx - 1);
    if (before >= 0) s = s.slice(before + 1);
  } else if (opIdx < 0 && s.includes(' ')) {
    s = s.slice(s.lastIndexOf(' ') + 1);
  }
  s = s.replace(/^[*&]+/, '').replace(COMPILER_SUFFIX_RE, '');
  return s === '' ? '??' : s;
}

export function skipReason(frame: Frame, lenient = false): string | null {
  for (const rule of FRAME_SKIP_RULES) {
    if (lenient && (rule.id === 'startup' || rule.id === 'fuzzer')) continue;
    const target = rule.on === 'function' ? frame.function : rule.on === 'file' ? frame.file : frame.module;
    if (!target) continue;
    // A symbolised user function inside libc's module is still libc; a module rule does not
    // skip a frame that has a source file outside the runtime (static binaries list themselves).
    if (rule.pattern.test(target)) return rule.id;
  }
  return null;
}

export interface StateResult {
  state: string[];
  guiltyFrame: number | null;
  notes: string[];
}

/**
 * ClusterFuzz crash_state: the first three frames after skipping runtime frames; when the crash
 * stack has fewer, frames of `fill` (free stack, previous access) complete it.
 */
export function computeState(
  frames: readonly Frame[],
  fill: readonly (readonly Frame[])[] = [],
): StateResult {
  const notes: string[] = [];
  const state: string[] = [];
  let guilty: number | null = null;
  const take = (fs: readonly Frame[], lenient: boolean, setGuilty: boolean): void => {
    for (let i = 0; i < fs.length && state.length < 3; i++) {
      if (skipReason(fs[i], lenient) !== null) continue;
      if (setGuilty && guilty === null) guilty = i;
      state.push(fs[i].function.length > 80 ? fs[i].function.slice(0, 80) : fs[i].function);
    }
  };
  take(frames, false, true);
  if (state.length === 0 && frames.length > 0) {
    take(frames, true, true);
    if (state.length > 0) notes.push('only process-entry frames left after skipping runtime frames');
  }
  if (state.length > 0 && state.length < 3) {
    for (const f of fill) {
      if (state.length >= 3) break;
      take(f, false, false);
    }
  }
  if (frames.length > 0 && guilty === null) notes.push('every frame is a runtime or unsymbolised frame');
  return { state, guiltyFrame: guilty, notes };
}

/** Stack overflow: the recursion cycle, not three copies of the same frame (ClusterFuzz does the same). */
export function stackOverflowState(frames: readonly Frame[]): StateResult {
  const base = computeState(frames);
  if (base.guiltyFrame === null) return base;
  const seen = new Set<string>();
  const state: string[] = [];
  for (let i = base.guiltyFrame; i < frames.length && state.length < 3; i++) {
    const fn = frames[i].function;
    if (skipReason(frames[i]) !== null) continue;
    if (seen.has(fn)) break;
    seen.add(fn);
    state.push(fn.slice(0, 80));
  }
  return { state, guiltyFrame: base.guiltyFrame, notes: base.notes };
}

export { emptyReport } from '../empty';

/** `<headline> in <guilty function>`; the headline alone when no frame names the bug. */
export function makeTitle(
  headline: string,
  frames: readonly Frame[],
  guilty: number | null,
  fallback?: string | null,
): string {
  if (guilty !== null && frames[guilty]) return `${headline} in ${frames[guilty].function}`;
  if (fallback) return `${headline} in ${fallback}`;
  return headline;
}

const NULL_PAGE = 0x1000n;
const USER_TOP = 0x0000800000000000n;
const KERNEL_BOTTOM = 0xffff800000000000n;

/** Classifies a fault address (64-bit layout; user space lives below 0x800000000000). */
export function classifyAddress(hex: string): FaultAddress | null {
  const m = /^0x([0-9a-fA-F]{1,16})$/.exec(hex.trim());
  if (!m) return null;
  const v = BigInt(`0x${m[1]}`);
  const value = `0x${m[1].toLowerCase().replace(/^0+(?=.)/, '')}`;
  if (v === 0n) return { value, class: 'null', detail: 'NULL' };
  if (v < NULL_PAGE) return { value, class: 'null-offset', detail: `NULL + ${value}` };
  if (v < USER_TOP) return { value, class: 'user', detail: null };
  if (v >= KERNEL_BOTTOM) return { value, class: 'kernel', detail: null };
  return { value, class: 'non-canonical', detail: 'outside both canonical halves: a garbage pointer' };
}

/** Lines that tell the architecture, in order of precedence (the first that matches wins). */
const ARCH_MARKS: readonly { arch: string; re: RegExp }[] = [
  {
    arch: 'x86_64',
    re: /x86_64-linux-gnu|amd64-linux|\/linux\/x86_64\/|\/lib64\/ld-linux-x86-64|\brip\s?[=:]|\bRIP:/,
  },
  {
    arch: 'arm64',
    re: /aarch64-linux-gnu|arm64-linux|\/linux\/aarch64\/|\/system\/lib64\/|\/apex\/[^ ]{1,200}\/lib64\/|^\s{0,8}x(?:[12]?\d|30)\s{1,4}[0-9a-f]{16}/,
  },
  { arch: 'i386', re: /i386-linux-gnu|x86-linux\.so/ },
];
// All of them in one pattern: most lines have none and are ruled out in one pass, not three.
// eslint-disable-next-line no-restricted-syntax -- our own patterns above, compiled once
const ANY_ARCH_MARK = new RegExp(ARCH_MARKS.map((a) => a.re.source).join('|'));

/** Architecture from library paths and register names printed in the report. */
export function archFromLine(line: string): string | null {
  if (!ANY_ARCH_MARK.test(line)) return null;
  for (const a of ARCH_MARKS) if (a.re.test(line)) return a.arch;
  return null;
}

/** `thread T3 (reactor_2)` → {thread, name}. */
export function parseThread(text: string): { thread: string; name: string | null } | null {
  const m = /\b(?:thread )?(T\d{1,7})(?: \(([^()]{1,64})\))?/.exec(text);
  if (!m) return null;
  return { thread: m[1], name: m[2] ?? null };
}
