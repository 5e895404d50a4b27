// The crash type and crash state the way ClusterFuzz states a report (its stack_analyzer):
// one pass over the lines, in order, where later evidence refines or replaces earlier evidence
// — an assertion message printed before the sanitizer's SEGV stays the state, a CHECK failure
// turns a following ABRT into a `CHECK failure`, a Go `panic: runtime error:` line names the
// type. The state is the assertion/CHECK message (if any) then the first identifying frames,
// three lines in all, each cut at 80 characters, with addresses and long numbers replaced.
//
// Facts learned from ClusterFuzz's stack_analyzer and its ignore lists; the code and the rule
// rows (state-rules.ts, crash-type-kinds.ts) are ours. Pure, linear: every line is capped,
// every pattern is either a literal test or an anchored regex with bounded quantifiers.
import type { Frame } from '../../types';
import { cap, normaliseFunction } from './frames';
import { literalGroups, literalSet, type LiteralGroup } from '../literals';
import { isVersionedLibc, STATE_IGNORE_RULES, type StateIgnoreRule } from './state-rules';

export const MAX_STATE_FRAMES = 3;
export const STATE_LINE_CAP = 80;
const MAX_CYCLE_LENGTH = 10;
const REPEATED_CYCLE_COUNT = 3;
const MAX_RAW_FRAMES = 512;
/** Frame lines examined per report once the state is full. */
const MAX_FRAMES_SEEN = 2048;

/** What the walk found. `crashType` is '' when the lines hold no crash ClusterFuzz would state. */
export interface CrashStateResult {
  crashType: string;
  state: string[];
  address: string;
  /** Which family the type came from (the report format for a report no other parser claims). */
  family:
    | 'sanitizer'
    | 'go'
    | 'rust'
    | 'python'
    | 'java'
    | 'js'
    | 'v8'
    | 'check'
    | 'android'
    | 'windows'
    | 'other'
    | null;
  /** Index (into the lines given) of the line that first set a crash type. */
  typeLine: number | null;
  /** Frames read after the crash type was set (first stack), for reports no other parser reads. */
  frames: Frame[];
  /** The message an assertion/CHECK/panic printed, when there is one. */
  message: string | null;
}

/** Types after which an ABRT/ILL/TRAP/breakpoint line is the consequence, not a new crash. */
const CHECK_LIKE_TYPES = new Set([
  'Arbitrary file open',
  'ASSERT',
  'CHECK failure',
  'Command injection',
  'DCHECK failure',
  'Fatal error',
  'Security CHECK failure',
  'Security DCHECK failure',
  'V8 API error',
  'Unreachable code',
]);

/** Addresses assert macros write to on purpose (WebKit's 0xbbadbeef family). */
const ASSERT_CRASH_ADDRESSES = new Set([0xbbadbeef, 0xfbadbeef, 0x1f75b7dd, 0x977537dd, 0x9f7537dd]);

/** Lines after which no more frames belong to the crash state (other stacks of the report). */
const STATE_STOP_MARKERS = [
  'Direct leak of',
  'Uninitialized value was stored to memory at',
  'allocated by thread',
  'created by main thread at',
  'located in stack of thread',
  'previously allocated by',
];

/**
 * Go runtime errors → type. Go prints them as `panic: runtime error: <what>`, or inside a log
 * line (`... Panic in m: runtime error: <what>`) when a recover handler logs them; the texts are
 * Go's own and never UBSan's (`index 5 out of bounds for type`).
 */
export const GO_RUNTIME_ERRORS: readonly { what: string; type: string }[] = [
  { what: 'integer divide by zero', type: 'Integer divide by zero' },
  { what: 'index out of range', type: 'Index out of range' },
  { what: 'invalid memory address', type: 'Invalid memory address' },
  { what: 'makeslice: len out of range', type: 'Makeslice: len out of range' },
  { what: 'slice bounds out of range', type: 'Slice bounds out of range' },
];

/** The Go runtime error a `runtime error: ` line names, or null. */
export function goRuntimeError(line: string): string | null {
  const at = line.indexOf('runtime error: ');
  if (at < 0) return null;
  const rest = line.slice(at + 'runtime error: '.length);
  for (const g of GO_RUNTIME_ERRORS) if (rest.startsWith(g.what)) return g.type;
  return null;
}

/**
 * UBSan `runtime error:` reason → ClusterFuzz type. Tested in order, each a substring test
 * (ClusterFuzz's `.*x.*`); the broad ones (enum, integer overflow) come last.
 */
const UBSAN_TYPES: readonly { test: (r: string) => boolean; type: string }[] = [
  { test: (r) => r.includes('division by zero'), type: 'Divide-by-zero' },
  { test: (r) => r.includes('outside the range of representable values'), type: 'Float-cast-overflow' },
  { test: (r) => r.includes('implicit conversion from type'), type: 'Implicit-conversion' },
  {
    test: (r) =>
      /^call to function [^\s]{1,1024} through pointer to incorrect function type/.test(r) ||
      (r.includes('call to function ') && r.includes(' through pointer to incorrect function type')),
    type: 'Incorrect-function-pointer-type',
  },
  { test: (r) => r.includes('out of bounds for type'), type: 'Index-out-of-bounds' },
  {
    test: (r) =>
      r.includes("not a valid value for type 'bool'") || r.includes("not a valid value for type 'BOOL'"),
    type: 'Invalid-bool-value',
  },
  { test: (r) => r.includes(', which is not a valid argument'), type: 'Invalid-builtin-use' },
  { test: (r) => r.includes('misaligned address'), type: 'Misaligned-address' },
  { test: (r) => r.includes('reached the end of a value-returning function'), type: 'No-return-value' },
  {
    test: (r) => r.includes('null pointer passed as ') && r.includes(', which is declared to never be null'),
    type: 'Invalid-null-argument',
  },
  { test: (r) => r.includes('load of null pointer'), type: 'Null-dereference READ' },
  { test: (r) => /(?:binding to|access within|call on) null pointer/.test(r), type: 'Null-dereference' },
  { test: (r) => r.includes('store to null pointer'), type: 'Null-dereference WRITE' },
  { test: (r) => r.includes(' with insufficient space for an object of type'), type: 'Object-size' },
  {
    test: (r) =>
      /(?:addition|subtraction) of unsigned offset |pointer index expression with base |applying non-zero offset [0-9]{1,24} to null pointer|applying zero offset to null pointer/.test(
        r,
      ),
    type: 'Pointer-overflow',
  },
  {
    test: (r) => r.includes('null pointer returned from function declared to never return null'),
    type: 'Invalid-null-return',
  },
  { test: (r) => r.includes('shift'), type: 'Undefined-shift' },
  { test: (r) => r.includes('execution reached an unreachable program point'), type: 'Unreachable code' },
  { test: (r) => r.includes('unsigned integer overflow'), type: 'Unsigned-integer-overflow' },
  {
    test: (r) => r.includes('variable length array bound evaluates to non-positive value'),
    type: 'Non-positive-vla-bound-value',
  },
  { test: (r) => r.includes('not a valid value for type'), type: 'Invalid-enum-value' },
  {
    test: (r) =>
      r.includes('integer overflow') ||
      /(?:negation|division) of .{0,512}cannot be represented in type/.test(r),
    type: 'Integer-overflow',
  },
];

const RUNTIME_ERROR = ': runtime error: ';

// ---------------------------------------------------------------------------------------------
// String helpers (ClusterFuzz's clean-ups, written as plain string operations)

const STRIP_CHARS = ' .\'"[]';
function stripChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** `../../src/objects-debug.cc, line 12` / `'frameworks/a/B.cpp:3301` → `objects-debug.cc` / `B.cpp`. */
export function fixFilename(s: string): string {
  let f = stripChars(s, STRIP_CHARS);
  f = f.split(':')[0].split('(')[0].split('\\').join('/');
  const slash = f.lastIndexOf('/');
  return slash >= 0 ? f.slice(slash + 1) : f;
}

/** A CHECK/assert message without its `Check failed: ` prefix, operand values and trailing dots. */
export function fixCheckMessage(s: string): string {
  let m = s.startsWith('Check failed: ') ? s.slice('Check failed: '.length) : s;
  // Android: `CHECK_EQ(a,b) failed: 25 vs. 1` → `CHECK_EQ(a,b) failed`.
  const failed = m.indexOf('failed: ');
  if (failed >= 0 && /\svs\.\s/.test(m.slice(failed))) m = m.slice(0, failed + 'failed'.length);
  // `len > 0 (-1 vs. 0)`: the operand values differ per run.
  const paren = m.indexOf(' (');
  if (paren >= 0 && /\svs\.\s/.test(m.slice(paren + 2))) m = m.slice(0, paren);
  // `x == y: "abc"` / `x = 'v'`: a quoted value at the end.
  const last = m[m.length - 1];
  if (last === '"' || last === "'") {
    for (let i = 0; i < m.length - 1; i++) {
      if (m[i] !== ':' && m[i] !== '=') continue;
      let j = i + 1;
      while (j < m.length - 1 && /\s/.test(m[j])) j++;
      if (m[j] === last && j < m.length - 1) {
        let k = i;
        while (k > 0 && /\s/.test(m[k - 1])) k--;
        m = m.slice(0, k);
        break;
      }
    }
  }
  return stripChars(m, STRIP_CHARS);
}

/** ClusterFuzz's frame filter: no anonymous namespace or thunk prefix, no module, no arguments. */
export function filterFrameName(frame: string): string {
  let s = frame;
  for (const ns of ['non-virtual thunk to ', '(anonymous namespace)::', "`anonymous namespace'::"])
    if (s.includes(ns)) s = s.split(ns).join('');
  const bang = s.lastIndexOf('!');
  if (bang >= 0) s = s.slice(bang + 1);
  const cut = s.search(/[([]/);
  if (cut > 0) return s.slice(0, cut).trim();
  const t = s.trim();
  const sp = t.indexOf(' ');
  return sp >= 0 ? t.slice(0, sp) : t;
}

interface CompiledIgnoreRules {
  exact: ReadonlySet<string>;
  prefix: RegExp | null;
  contains: RegExp | null;
}

/** The ignore table compiled once: a set of exact frames, one prefix and one substring regex. */
function compileIgnoreRules(symbolizedOnly: boolean): CompiledIgnoreRules {
  const rows = STATE_IGNORE_RULES.filter((r) => (r.symbolizedOnly ?? false) === symbolizedOnly);
  const of = (m: StateIgnoreRule['match']) => rows.filter((r) => r.match === m).flatMap((r) => r.values);
  return {
    exact: new Set(of('exact')),
    prefix: literalSet(of('prefix'), 'start'),
    contains: literalSet(of('contains')),
  };
}
const IGNORE_ALWAYS = compileIgnoreRules(false);
const IGNORE_SYMBOLIZED = compileIgnoreRules(true);

function ignoredBy(rules: CompiledIgnoreRules, f: string): boolean {
  return rules.exact.has(f) || (rules.prefix?.test(f) ?? false) || (rules.contains?.test(f) ?? false);
}

/** Whether a frame (as printed: function, file, module) never identifies the bug. */
export function isIgnoredStateFrame(frame: string, symbolized = true): boolean {
  if (frame.length < 3) return true;
  const f = frame.includes('\\') ? frame.split('\\').join('/') : frame;
  if (ignoredBy(IGNORE_ALWAYS, f)) return true;
  return symbolized && (ignoredBy(IGNORE_SYMBOLIZED, f) || isVersionedLibc(f));
}

/** Addresses become ADDRESS, long numbers NUMBER, a trailing `+0x..` offset goes (per line). */
export function filterAddressesAndNumbers(line: string): string {
  let s = line.replace(/\+0x[0-9a-fA-F]{1,16}$/, '');
  s = s.replace(/0x[a-fA-F0-9]{4,32}U{0,4}/g, 'ADDRESS');
  s = s.replace(/(?<![:0-9.])(?:[0-9.]{4,64}|(?<=[@#])[0-9]{1,64})(?![A-Za-z0-9.])/g, 'NUMBER');
  return s;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1).toLowerCase();
}

/** `heap_use_after_free` / `SEGV` → `Heap-use-after-free` / `Segv`; int-divide-by-zero is Divide-by-zero. */
export function fixSanitizerType(t: string): string {
  return capitalize(t.toLowerCase().split('_').join('-')).replace('Int-divide-by-zero', 'Divide-by-zero');
}

/**
 * `[1:2:0324/233644:FATAL:latency_info.cc(299)] Check failed` → `latency_info.cc`: the file of the
 * last `[...]` group that holds a colon, before the keyword. Chromium's newer `file.cc:467]` form
 * puts the line after a colon: then the part before it is the file.
 */
function bracketFile(prefix: string): string | null {
  for (
    let open = prefix.lastIndexOf('[');
    open >= 0;
    open = open > 0 ? prefix.lastIndexOf('[', open - 1) : -1
  ) {
    const close = prefix.indexOf(']', open);
    if (close < 0) continue;
    const inner = prefix.slice(open + 1, close);
    const colon = inner.lastIndexOf(':');
    if (colon < 0) continue;
    let file = inner.slice(colon + 1);
    if (/^\d{1,7}$/.test(file)) {
      const prev = inner.lastIndexOf(':', colon - 1);
      file = inner.slice(prev + 1, colon);
    }
    const paren = file.indexOf('(');
    return paren >= 0 ? file.slice(0, paren) : file;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

interface Walk {
  type: string;
  state: string;
  frameCount: number;
  address: string;
  processDied: boolean;
  fatalError: boolean;
  checkFile: string;
  java: boolean;
  badCastEnded: boolean;
  goCrash: boolean;
  pyCrash: boolean;
  processName: string | null;
  /**
   * Every frame after the type was set, in order, for the stack-overflow cycle: whether it is
   * ignored is decided only if the report turns out to be a stack overflow (`checked` frames
   * were decided on the way, for the state).
   */
  rawFrames: RawFrame[];
  /** Frame lines read only if the report is a stack overflow (see addFrameFromLine). */
  deferred: string[];
  /** Per deferred line, whether Java frames were being read when it was seen. */
  deferredJava: boolean[];
  /** Reading deferred lines: each is a frame past the full state, whatever frameCount is now. */
  replaying: boolean;
  frameCtx: FrameCtx;
  /** ignoredFrame's answers by frame (a stack overflow prints the same few frames hundreds of times). */
  ignored: Map<string, boolean>;
  frames: Frame[];
  /** Frames kept in `frames` (0 when the caller wants only the type and state). */
  frameLimit: number;
  framesSeen: number;
  symbolized: boolean;
  typeLine: number | null;
  family: CrashStateResult['family'];
  message: string | null;
}

/** The literals that mark what kind of input the walk reads (one scan per line, then each). */
const INPUT_MARKS = [
  '.go:',
  '.py", line',
  'Uncaught Exception: Jazzer.js',
  'Trusted App crash stacktrace',
  'KASAN',
  'SCARINESS: ',
];

export interface CrashStateOptions {
  /** false keeps module-only frames (an unsymbolised report has nothing else). Default true. */
  symbolized?: boolean;
  /**
   * false leaves `frames` empty: a family parser that has its own frames wants only the type and
   * the state, and normalising every frame is a large part of the cost. Default true.
   */
  collectFrames?: boolean;
  /** Every line through every rule, without the LINE_TRIGGERS filter (tests compare the two). */
  exhaustive?: boolean;
  /**
   * `input`'s lines already scanned for WALK_LITERAL_GROUPS (their bits first, as lineMarks in
   * line-marks.ts gives them); absent, the walk scans its lines itself.
   */
  lineMarks?: ArrayLike<number>;
}

interface RawFrame {
  frame: string;
  printed: string | undefined;
  filter: ((s: string) => string) | null;
  /** The filtered name, once computed. */
  filtered: string | null;
  /** Already known not to be ignored. */
  kept: boolean;
}

const RANKS: Readonly<Record<string, number>> = { 'V8 sandbox violation': 2, Timeout: 1 };
const rank = (t: string) => RANKS[t] ?? 0;

/**
 * States the lines [start, end) the way ClusterFuzz would. Never throws on odd input; lines are
 * capped at 4 KiB.
 */
export function clusterfuzzState(
  input: readonly string[],
  start = 0,
  end = input.length,
  opts: CrashStateOptions = {},
): CrashStateResult {
  const symbolized = opts.symbolized ?? true;
  const collectFrames = opts.collectFrames ?? true;
  let lines: string[] = [];
  for (let i = Math.max(0, start); i < Math.min(end, input.length); i++) lines.push(cap(input[i] ?? ''));
  const offset = Math.max(0, start);
  let isGo = false;
  let isPython = false;
  let isJs = false;
  let isTrusty = false;
  let isKasan = false;
  let signalScariness = false;
  // Each line scanned once for every literal the walk tests it for (LINE_SETS), unless the
  // caller's scan of the whole input did it already (a capped line is scanned again as cut).
  const shared = opts.lineMarks;
  let marks: number[] = lines.map((l, k) =>
    shared && l === input[offset + k] ? shared[offset + k] & WALK_MARK_BITS : LINE_SETS.scan(l),
  );
  for (let i = 0; i < lines.length; i++) {
    if ((marks[i] & HAS_INPUT_MARK) === 0) continue;
    const l = lines[i];
    if (!isGo && l.includes('.go:')) isGo = true;
    if (!isPython && l.includes('.py", line')) isPython = true;
    if (!isJs && l.includes('Uncaught Exception: Jazzer.js')) isJs = true;
    if (!isTrusty && l.includes('Trusted App crash stacktrace')) isTrusty = true;
    if (!isKasan && l.includes('KASAN')) isKasan = true;
    if (!signalScariness && l.includes('SCARINESS: ') && /SCARINESS: \d{1,4} \(signal\)/.test(l))
      signalScariness = true;
  }
  let lineIndex: number[] | null = null;
  if (isPython) {
    // A Python traceback prints the innermost call last: take it from the title line, reversed,
    // up to the sanitizer report that follows it.
    const r = reversePythonTrace(lines);
    if (r) {
      lines = r.lines;
      lineIndex = r.index;
      const before = marks;
      marks = r.index.map((i) => before[i]);
    }
  }

  const w: Walk = {
    type: '',
    state: '',
    frameCount: 0,
    address: '',
    processDied: false,
    fatalError: false,
    checkFile: '',
    java: false,
    badCastEnded: false,
    goCrash: false,
    pyCrash: false,
    processName: null,
    rawFrames: [],
    ignored: new Map(),
    deferred: [],
    deferredJava: [],
    replaying: false,
    frameCtx: { isGo, isPython, isJs, isTrusty, symbolized },
    frames: [],
    frameLimit: collectFrames ? MAX_RAW_FRAMES : 0,
    framesSeen: 0,
    symbolized,
    typeLine: null,
    family: null,
    message: null,
  };
  let current = 0;
  let rustPending = false;
  const setType = (t: string, family: CrashStateResult['family']) => {
    if (rank(t) >= rank(w.type)) {
      w.type = t;
      if (w.typeLine === null) w.typeLine = offset + (lineIndex ? (lineIndex[current] ?? current) : current);
      if (family) w.family = family;
    }
  };
  const reset = () => {
    w.address = '';
    w.state = '';
    w.frameCount = 0;
  };
  const checkFailure = (type: string, file: string, message: string, family: CrashStateResult['family']) => {
    reset();
    setType(type, family);
    w.frameCount = 1;
    const msg = fixCheckMessage(message);
    w.message = msg;
    w.state = `${msg} in ${fixFilename(file)}\n`;
  };
  const matchAssert = (message: string | null, family: CrashStateResult['family']) => {
    setType('ASSERT', family);
    w.frameCount = 1;
    if (message) {
      w.state = message + '\n';
      w.message = message;
    }
  };

  for (current = 0; current < lines.length; current++) {
    const line = splitDeadlySignal(lines[current]);
    const mark = line === lines[current] ? marks[current] : LINE_SETS.scan(line);
    if (w.processDied) break;
    // Most lines of a report are frames and text that no type rule reads (every rule needs one
    // of the LINE_TRIGGERS literals, or a walk state below): they skip the rules at once.
    const quiet =
      !opts.exhaustive &&
      !rustPending &&
      !w.fatalError &&
      !(w.type === 'Bad-cast' && !w.badCastEnded) &&
      !mayNameCrash(line, mark);
    if (quiet) {
      if (isTrusty && w.type !== 'Trusted app crash') setType('Trusted app crash', 'other');
      if (w.type === 'Unknown-crash') w.type = 'UNKNOWN';
    } else {
      if (ignoreLine(line)) continue;

      if (CHECK_LIKE_TYPES.has(w.type) && /[a-zA-Z]Sanitizer: (?:ABRT|breakpoint|ILL|TRAP) /.test(line))
        continue;

      // Assertions come before the crash they cause.
      if (!w.type.startsWith('Kernel failure')) {
        const a = assertMessage(line);
        if (a) matchAssert(a.message, a.family);
        // Rust 1.73+: `thread 'main' panicked at src/lib.rs:1:2:` and the message on the next line.
        if (rustPending && line.trim() !== '') {
          rustPending = false;
          if (!line.startsWith('note: ')) matchAssert(line.trim(), 'rust');
        }
        if (
          line.startsWith('thread ') &&
          /^thread '[^']{0,256}' panicked at [^'\s]{1,1024}:\d{1,7}:\d{1,5}:$/.test(line)
        )
          rustPending = true;
      }
      if (/^\s{0,64}SHOULD NEVER BE REACHED\s{0,64}$/.test(line)) {
        reset();
        setType('ASSERT_NOT_REACHED', 'check');
      }
      let m: RegExpExecArray | null;
      if ((m = /^Program received signal ([a-zA-Z]{1,16}),/.exec(line))) setType(m[1].toUpperCase(), 'other');
      if ((m = /^Attempt to (.{1,64}) [^ ]{0,64} address (.{0,64})/.exec(line))) {
        setType(m[1].toUpperCase(), 'windows');
        w.address = '0x' + m[2].trim();
      }

      // MSan/TSan header: `WARNING: ThreadSanitizer: data race (pid=1)`.
      if (!line.includes(' suppressions') && !line.includes(' warnings')) {
        const at = Math.max(line.indexOf('ThreadSanitizer:'), line.indexOf('MemorySanitizer:'));
        if (
          at >= 0 &&
          (m = /^(?:Thread|Memory)Sanitizer:\s{1,8}(?!ABRT)(?!ILL)([^(:]{1,256})/.exec(line.slice(at)))
        ) {
          reset();
          setType(capitalize(m[1].trim()), 'sanitizer');
        }
      }
      if (line.startsWith('Direct leak of ') && (w.type === '' || w.type === 'Indirect-leak')) {
        reset();
        setType('Direct-leak', 'sanitizer');
      }
      if (line.startsWith('Indirect leak of ') && w.type === '') {
        reset();
        setType('Indirect-leak', 'sanitizer');
      }

      // UBSan -fsanitize=vptr and CFI: `Bad-cast to T from U`.
      const rt = line.indexOf(RUNTIME_ERROR);
      if (w.type === '' && rt >= 0) {
        const reason = line.slice(rt + RUNTIME_ERROR.length);
        if (
          (m = /^(?:member access within|member call on|downcast of) address ([xX0-9a-fA-F]{1,18}) /.exec(
            reason,
          ))
        ) {
          const ofType = reason.lastIndexOf(' of type ');
          if (ofType >= 0) {
            setType('Bad-cast', 'sanitizer');
            w.frameCount = 0;
            w.address = m[1];
            w.state = 'Bad-cast to ' + stripChars(reason.slice(ofType + 9), "'");
            w.badCastEnded = false;
          }
        }
      }
      if (w.type === 'Bad-cast' && !w.badCastEnded) {
        let ended = false;
        const note = line.indexOf('note: ');
        if (note >= 0) {
          const n = line.slice(note);
          if ((m = /^note: (?:object|vtable) is of type (.{1,1024})$/.exec(n))) {
            w.state += ' from ' + stripChars(m[1], "'");
            ended = true;
          }
          if (n.startsWith('note: object has invalid vptr') || n === 'note: invalid vtable') {
            w.state += ' from invalid vptr';
            ended = true;
          }
          if (n.endsWith(' defined here') && n.length > 19) ended = true;
        }
        if ((m = /at offset (\d{1,12}) within object of type /.exec(line))) {
          w.state += ` from base class subobject at offset ${m[1]}`;
          ended = true;
        }
        if (ended) {
          w.badCastEnded = true;
          w.state += '\n';
          w.frameCount += 1;
        }
      }
      if (w.type === '' && rt >= 0) {
        const reason = line.slice(rt + RUNTIME_ERROR.length);
        const pre = 'control flow integrity check for type ';
        const during = reason.lastIndexOf(' failed during ');
        if (reason.startsWith(pre) && during > pre.length) {
          setType('Bad-cast', 'sanitizer');
          w.frameCount = 0;
          w.state = 'Bad-cast to ' + stripChars(reason.slice(pre.length, during), "'");
          const vt = /vtable address ([xX0-9a-fA-F]{1,18})/.exec(reason.slice(during));
          if (vt) w.address = vt[1];
          w.badCastEnded = false;
        }
      }
      if (w.type === '' && line.startsWith('CFI: Most likely a control flow integrity violation;')) {
        setType('Bad-cast', 'sanitizer');
        w.frameCount = 0;
      }

      if (isGo) {
        const g =
          goRuntimeError(line) ?? (line.startsWith('fatal error: stack overflow') ? 'Stack overflow' : null);
        if (g) {
          setType(g, 'go');
          w.goCrash = true;
          w.state = '';
          w.frameCount = 0;
        }
      }

      // Any other UBSan runtime error: the first one names the report.
      if (rt >= 0 && w.type === '') {
        const reason = line.slice(rt + RUNTIME_ERROR.length);
        let t = 'UNKNOWN';
        for (const u of UBSAN_TYPES)
          if (u.test(reason)) {
            t = u.type;
            break;
          }
        setType(t, 'sanitizer');
        w.address = '';
        w.state = '';
        w.frameCount = 0;
      }

      if (line.includes('memcpy-param-overlap') && line.includes('AddressSanitizer') && line.includes('[')) {
        reset();
        setType('Memcpy-param-overlap', 'sanitizer');
      }

      if (isPython) {
        if (
          /^\s{0,64}=== Uncaught Python exception: ===$/.test(line) ||
          line.startsWith('===BUG DETECTED: PySecSan:')
        ) {
          setType(line.includes('PySecSan') ? 'PySecSan' : 'Uncaught exception', 'python');
          w.pyCrash = true;
          w.state = '';
          w.frameCount = 0;
        }
      }
      if (isJs && /^\s{0,64}==\d{1,10}== Uncaught Exception: Jazzer\.js: /.test(line)) {
        setType('Uncaught exception', 'js');
        w.pyCrash = true;
        w.state = '';
        w.frameCount = 0;
        continue;
      }
      if (isTrusty && w.type !== 'Trusted app crash') setType('Trusted app crash', 'other');

      // Sanitizer SEGV on an unknown address: UNKNOWN (refined below by READ/WRITE and NULL).
      const san = line.indexOf('Sanitizer');
      if (san > 0) {
        const seg = /(?:SEGV|access-violation) on unknown address ([xX0-9a-fA-F]{1,18})/.exec(
          line.slice(san),
        );
        if (seg) {
          if (w.type.includes('ASSERT') && (ASSERT_CRASH_ADDRESSES.has(hexValue(seg[1])) || signalScariness))
            continue;
          setType('UNKNOWN', 'sanitizer');
          w.address = seg[1];
          w.state = '';
          w.frameCount = 0;
          continue;
        }
      }
      if (line.includes('AddressSanitizer: attempting free on address which was not malloc()-ed: ')) {
        reset();
        setType('Invalid-free', 'sanitizer');
        continue;
      }
      if (
        line.includes('AddressSanitizer') &&
        /double-free on (?:unknown address |address |)[xX0-9a-fA-F]/.test(line)
      ) {
        reset();
        setType('Heap-double-free', 'sanitizer');
        continue;
      }
      if (san > 0 && /^[a-zA-Z]{0,32}Sanitizer: FPE /.test(line.slice(Math.max(0, wordStart(line, san))))) {
        reset();
        setType('Floating-point-exception', 'sanitizer');
        continue;
      }
      if (!w.type.startsWith('Kernel failure') && !w.goCrash && !w.pyCrash) {
        const e = line.indexOf('ERROR: ');
        if (e >= 0) {
          const a =
            /^ERROR: [a-zA-Z]{1,40}Sanitizer[: ]{0,8}(.{0,1024}) on (?:unknown address |address |)([xX0-9a-fA-F]{1,18})/.exec(
              line.slice(e),
            );
          if (a) {
            reset();
            setType(fixSanitizerType(a[1]), 'sanitizer');
            w.address = a[2];
          }
        }
      }
      if (san > 0 && line.includes('Sanitizer: illegal-instruction')) setType('Ill', 'sanitizer');
      if (w.type === 'Unknown-crash') w.type = 'UNKNOWN';
      if (
        (m = /The signal is caused by a ([A-Z]{1,16}) memory access\./.exec(line)) &&
        w.type === 'UNKNOWN' &&
        m[1] !== 'UNKNOWN'
      )
        w.type += ' ' + m[1];
      if (
        !isKasan &&
        (m = /^ {0,64}(Atomic [^ ]{0,32}|[^ ]{0,32}) of size ([^ ]{0,32}) at ([^ ]{0,64})/.exec(line))
      ) {
        w.address = m[3];
        if (!w.type.startsWith('UNKNOWN')) w.type += `\n${m[1].toUpperCase()} ${m[2]}`;
      }

      // Android tombstones: the signal line, then `Abort message:`.
      const fa = line.indexOf('fault addr ');
      if (fa > 0 && (!w.type.startsWith('UNKNOWN') || !line.includes('Fatal signal'))) {
        const before = line.slice(0, fa);
        const sig = before.indexOf('signal');
        if (sig >= 0 && before.indexOf('(SIG', sig) > sig) {
          reset();
          setType('UNKNOWN', 'android');
          w.java = false;
          const rest = line.slice(fa + 'fault addr '.length);
          const sp = rest.indexOf(' ');
          const addr = sp >= 0 ? rest.slice(0, sp) : rest;
          const tail = sp >= 0 ? rest.slice(sp) : '';
          if (line.includes('SEGV_MTESERR')) w.type = 'Tag-mismatch';
          if (line.includes('SIGSEGV')) w.address = addr.startsWith('0x') ? addr : '0x' + addr;
          if (tail.endsWith(')')) {
            const open = tail.lastIndexOf('(');
            if (open >= 0) w.processName = capitalize(tail.slice(open + 1, -1));
          }
        }
      }
      if ((m = /^Abort message: (.{0,4096})$/.exec(line))) {
        setType('CHECK failure', 'android');
        w.address = '';
        w.java = true;
        const abort = m[1];
        const sp = abort.indexOf(' ');
        const msg =
          sp >= 0
            ? `${fixCheckMessage(abort.slice(sp + 1))} in ${fixFilename(abort.slice(0, sp).replace('FATAL:', ''))}`
            : fixCheckMessage(abort);
        w.message = msg;
        w.state = msg + '\n';
        w.frameCount = 1;
      }

      // Fuzzer "extra sanitizers" (command injection, file open, DNS) and PySecSan.
      if (line.startsWith('===BUG DETECTED: ')) {
        const what = line.slice('===BUG DETECTED: '.length);
        if (/^Shell (?:corruption|injection)===/.test(what)) setType('Command injection', 'other');
        else if (what.startsWith('Arbitrary file open===')) setType('Arbitrary file open', 'other');
        else if (what.startsWith('Arbitrary domain name resolution==='))
          setType('Arbitrary DNS resolution', 'other');
        else if (what.startsWith('PySecSan:')) setType('PySecSan', 'python');
      }

      // The sanitizer's own CHECK: nothing after it is the program's.
      const sc = line.indexOf('Sanitizer CHECK failed');
      if (sc >= 0) {
        const r = /^Sanitizer CHECK failed:?\s{0,8}[^ ]{0,1024}\s{0,8}(.{0,2048})$/.exec(line.slice(sc));
        if (r) {
          setType('Sanitizer CHECK failure', 'sanitizer');
          w.address = '';
          w.frameCount = MAX_STATE_FRAMES;
          w.state = r[1] + '\n';
          w.message = r[1];
          w.processDied = true;
          continue;
        }
      }
      for (const [key, type] of [
        ['Security CHECK failed:', 'Security CHECK failure'],
        ['Security DCHECK failed:', 'Security DCHECK failure'],
      ] as const) {
        const k = line.indexOf(key);
        if (k < 0) continue;
        const file = bracketFile(line.slice(0, k));
        const after = line.slice(k + key.length).replace(/^\s{1,64}/, '');
        const dot = after.lastIndexOf('.');
        if (file !== null && dot >= 0) checkFailure(type, file, after.slice(0, dot), 'check');
      }

      if (isV8SandboxViolation(line)) setType('V8 sandbox violation', 'v8');

      if (w.type === '') typeFromLogLine(line, w, setType, reset, checkFailure, isGo);

      if (w.fatalError) {
        if ((m = /^#\s{0,8}Fatal error in (.{1,1024}), line [0-9]{1,9}/.exec(line))) {
          setType('Fatal error', 'v8');
          w.checkFile = fixFilename(m[1]);
          w.state = w.checkFile + '\n';
          continue;
        }
        let cm = /^#\s{1,8}(Debug check failed: )(.{0,2048})$/.exec(line);
        if (cm) {
          reset();
          setType('DCHECK failure', 'v8');
        } else if (
          (cm = /^#\s{1,8}(Check failed: |RepresentationChangerError: node #\d{1,12}:)(.{0,2048})$/.exec(
            line,
          ))
        ) {
          reset();
          setType('CHECK failure', 'v8');
        } else if ((cm = /^#\s{1,8}()(.{0,2048})$/.exec(line))) {
          reset();
        }
        if (cm && cm[2].trim() !== '') {
          const msg = fixCheckMessage(cm[2]);
          w.message = msg;
          w.state = w.checkFile ? `${msg} in ${w.checkFile}\n` : `${msg}\n`;
          w.frameCount = 1;
        }
        if (/^# un(?:reachable|implemented) code/.test(line)) {
          reset();
          setType('Unreachable code', 'v8');
          if (w.checkFile) w.state = w.checkFile + '\n';
        }
      }
    }

    if ((mark & HAS_CDB_STACK_HEADER) !== 0) {
      w.state = '';
      w.frameCount = 0;
    }
    if (w.state !== '' && (mark & HAS_STOP_MARKER) !== 0) {
      w.frameCount = MAX_STATE_FRAMES;
      continue;
    }
    if (w.type === '') continue;
    if ((mark & HAS_ART_RUNTIME) !== 0 && w.state.includes('JNI DETECTED ERROR IN APPLICATION:')) continue;

    addFrameFromLine(line, w);
  }

  if (w.type === 'Stack-overflow' || w.type === 'Stack overflow') stackOverflowCycle(w);
  return finish(w);
}

/**
 * `...disengaged valueAddressSanitizer:DEADLYSIGNAL`: stderr interleaving glued the sanitizer's
 * marker to the end of the program's last line; the line is read without it.
 */
function splitDeadlySignal(line: string): string {
  if (!line.endsWith('Sanitizer:DEADLYSIGNAL')) return line;
  const m = /(?:Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL$/.exec(line.slice(-40));
  if (!m) return line;
  const head = line.slice(0, line.length - m[0].length);
  return head.trim() === '' ? line : head;
}

function hexValue(s: string): number {
  const v = Number.parseInt(s.replace(/^0[xX]/, ''), 16);
  return Number.isFinite(v) ? v : 0;
}

function wordStart(line: string, at: number): number {
  let i = at;
  while (i > 0 && /[a-zA-Z]/.test(line[i - 1])) i--;
  return i;
}

/**
 * Every literal a rule of the walk needs to see on a line, in the letter case the rule tests it
 * (the assertion rules ignore case: they have a pattern of their own). A line with none of them,
 * outside the walk states that read every line (a Rust panic message pending, a V8 fatal error, a
 * Bad-cast looking for its `note:`), cannot change the type or the state: only its frame is read.
 * A rule added to the walk adds its literal here; a test compares the walk with and without this
 * filter on every golden file, and the corpus benches show any difference.
 */
const LINE_TRIGGERS = [
  // ignoreLine
  ':INFO:CONSOLE',
  'SUMMARY:',
  'failed to mprotect',
  'text run at (',
  'Please include Java exception',
  // sanitizer headers, SEGV/FPE/ILL, double free, DEADLYSIGNAL, the sanitizer's own CHECK
  'Sanitizer',
  ' panicked at ',
  'SHOULD NEVER BE REACHED',
  'eceived signal ',
  'Attempt to ',
  'leak of ',
  'runtime error: ',
  'CFI: Most likely',
  'memcpy-param-overlap',
  '=== Uncaught Python exception',
  '===BUG DETECTED: ',
  'Uncaught Exception: Jazzer.js',
  'The signal is caused by a ',
  ' of size ',
  'fault addr ',
  'Abort message: ',
  'heck failed',
  'HECK failed',
  'V8 sandbox violation detected',
  'ERROR: ',
  // typeFromLogLine
  'ExceptionCode: ',
  'DEFAULT_BUCKET_ID',
  'GPU process exited unexpectedly',
  '== Java Exception: ',
  'FATAL EXCEPTION',
  'Fatal error',
  'fatal error',
  'CSA_',
  'V8 error: ',
  'V8 correctness failure',
  'libFuzzer:',
  ': library ',
  'error while loading shared libraries',
];
/** assertMessage's keys in any case: `ASSERTION FAILED`, `Assertion ... failed`, `panic: `. */
const ASSERT_TRIGGERS = ['ssert', 'panic: '];

/**
 * The walk's literal sets, in bit order (bit k: group k), scanned for together once per line (a
 * q-gram scan; on these sets about twice as fast as V8's regex on the triggers alone, which has
 * 25 first characters to try at each position). parseDump scans them in the same pass as the
 * kernel headlines and poison values (line-marks.ts), so they must stay the first groups there.
 */
export const WALK_LITERAL_GROUPS: readonly LiteralGroup[] = [
  { values: LINE_TRIGGERS },
  { values: ASSERT_TRIGGERS, ignoreCase: true },
  { values: STATE_STOP_MARKERS },
  { values: INPUT_MARKS },
  // Tested on every line past the type rules (a cdb stack header restarts the state; ART's own
  // frames after a JNI error are skipped).
  { values: ['ChildEBP RetAddr'] },
  { values: ['/art/runtime/'] },
];
const LINE_SETS = literalGroups(WALK_LITERAL_GROUPS);
const HAS_TRIGGER = 1;
const HAS_ASSERT_TRIGGER = 2;
const HAS_STOP_MARKER = 4;
const HAS_INPUT_MARK = 8;
const HAS_CDB_STACK_HEADER = 16;
const HAS_ART_RUNTIME = 32;
/** The bits of a shared line mark that are the walk's (WALK_LITERAL_GROUPS). */
const WALK_MARK_BITS = (1 << WALK_LITERAL_GROUPS.length) - 1;

/**
 * Whether a rule of the walk could read this line (see LINE_TRIGGERS; glog's `F0102 ...` lines
 * too), given the line's LINE_SETS scan.
 */
function mayNameCrash(line: string, mark: number): boolean {
  if (line.charCodeAt(0) === 70 /* F */ && line.charCodeAt(1) >= 48 && line.charCodeAt(1) <= 57) return true;
  return (mark & (HAS_TRIGGER | HAS_ASSERT_TRIGGER)) !== 0;
}

function ignoreLine(line: string): boolean {
  return (
    line.includes(':INFO:CONSOLE') ||
    line.includes('SUMMARY:') ||
    line.includes('WARNING: AddressSanitizer') ||
    line.includes('failed to mprotect 0x00010000') ||
    line.includes('text run at (') ||
    line.includes('Please include Java exception stack in crash report') ||
    (line.includes('Sanitizer:DEADLYSIGNAL') &&
      /(?:Address|Leak|Memory|UndefinedBehavior|Thread)Sanitizer:DEADLYSIGNAL/.test(line))
  );
}

function isV8SandboxViolation(line: string): boolean {
  return line.includes('V8 sandbox violation detected');
}

const ASSERT_KEY_RE = /(?:ASSERT(?:ION)? FAIL(?:URE|ED)|panic): /i;
const SOURCE_EXT_RE = /\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx):/;

/** The message of an assertion line (glibc, WebKit, libc++ hardening, Rust and Go panics, glog). */
export function assertMessage(
  line: string,
): { message: string | null; family: CrashStateResult['family'] } | null {
  const lower = line.length < 4096 ? line : line.slice(0, 4096);
  // `ASSERTION FAILED: x`, `file.cc:12: assertion failed: x`, `[..] panic: x`, Go's `panic: x`.
  const k = ASSERT_KEY_RE.exec(lower);
  if (k) {
    const prefix = lower.slice(0, k.index);
    const p = prefix.trim();
    const okPrefix = p === '' || (prefix.startsWith('[') && p.endsWith(']')) || SOURCE_EXT_RE.test(prefix);
    if (okPrefix) {
      const msg = lower.slice(k.index + k[0].length);
      return { message: msg === '' ? null : msg, family: /^panic: $/i.test(k[0]) ? 'go' : 'check' };
    }
  }
  // glibc: `prog: file.c:12: func: Assertion `x' failed.`
  if (/failed\.?$/i.test(lower) && /ssertion /i.test(lower)) {
    const g = /:\s{0,16}assertion [`'"]?(.{0,2048}?)[`'"]? failed\.?$/i.exec(lower);
    if (g) return { message: g[1] === '' ? null : g[1], family: 'check' };
  }
  // libc++ hardening: `/path/include/optional:123: assertion this->has_value() failed: why`.
  const sfx = lower.indexOf(' failed:');
  if (sfx > 0 && /ssertion /i.test(lower)) {
    const s =
      /^\s{0,64}\S.{0,2048}\/[^\s]{0,1024}:\d{1,7}:\s{0,16}assertion .{0,2048} failed:\s{0,16}(\S.{0,2048})$/i.exec(
        lower,
      );
    if (s) return { message: s[1], family: 'check' };
  }
  // Rust: `thread 'main' panicked at 'message', src/lib.rs:1:2`.
  const pk = lower.indexOf(" panicked at '");
  if (pk > 0 && /^thread\s/i.test(lower)) {
    const rest = lower.slice(pk + " panicked at '".length);
    const q = rest.indexOf("'");
    return { message: q > 0 ? rest.slice(0, q) : rest === '' || q === 0 ? null : rest, family: 'rust' };
  }
  return null;
}

type SetType = (t: string, family: CrashStateResult['family']) => void;

/** Types that only apply when nothing else named the crash yet (log-style fatal lines). */
function typeFromLogLine(
  line: string,
  w: Walk,
  setType: SetType,
  reset: () => void,
  checkFailure: (type: string, file: string, message: string, family: CrashStateResult['family']) => void,
  isGo: boolean,
): void {
  let m: RegExpExecArray | null;
  if (/ExceptionCode: .{0,256}\(Stack overflow\)/.test(line)) setType('Stack-overflow', 'windows');
  if ((m = /DEFAULT_BUCKET_ID {0,8}: {0,8}([a-zA-Z_]{1,128})/.exec(line))) {
    let t = m[1].endsWith('_AVRF') ? m[1].slice(0, -5) : m[1];
    t = capitalize(t.split('_').join('-').toLowerCase())
      .replace('Status-integer-overflow', 'Integer-overflow')
      .replace('Status-integer-divide-by-zero', 'Divide-by-zero');
    setType(t, 'windows');
  }
  const e = line.indexOf('ERROR: ');
  if (
    e >= 0 &&
    (m = /^ERROR: (?:HWAddressSanitizer|AddressSanitizer)[: ]{0,8}([^(:;]{1,256})/.exec(line.slice(e)))
  ) {
    reset();
    setType(fixSanitizerType(m[1].trim()), 'sanitizer');
  }
  if (line.includes('GPU process exited unexpectedly')) {
    reset();
    setType('GPU failure', 'other');
    w.state = '';
  }
  if (line.startsWith('== Java Exception: ')) {
    setType(line.includes('FuzzerSecurityIssue') ? 'Security exception' : 'Uncaught exception', 'java');
    w.java = true;
  }
  if (line.includes('FATAL EXCEPTION') && line.indexOf(':', line.indexOf('FATAL EXCEPTION')) > 0) {
    reset();
    setType('Fatal Exception', 'java');
    w.java = true;
  }
  // glog/absl: `F0102 03:04:05.678901  1234 file.cc:12] message`.
  if (
    (m =
      /^F\d{4}\s{1,8}\d{2}:\d{2}:\d{2}\.\d{1,9}\s{1,8}\d{1,10}\s{1,8}(.{1,1024}?):\d{1,7}\]\s{0,8}(.{0,2048})$/.exec(
        line,
      ))
  ) {
    const ck = /^Check failed:\s{0,8}(.{0,2048})$/.exec(m[2]);
    checkFailure(ck ? 'CHECK failure' : 'Fatal error', m[1], ck ? ck[1] : m[2], 'check');
  }
  // Chromium: `[pid:tid:time:FATAL:file.cc(12)] Check failed: x.` (and the newer `file.cc:12]`
  // with `CHECK failed:`/`DCHECK failed:`): the condition up to a `; ` that starts the streamed text.
  if (/^\s{0,64}\[/.test(line) && !/Security D?CHECK failed/.test(line)) {
    let k = -1;
    let key = '';
    for (const kw of ['Check failed:', 'CHECK failed:']) {
      const at = line.indexOf(kw);
      if (at >= 0 && (k < 0 || at < k)) {
        k = at;
        key = kw;
      }
    }
    const file = k > 0 && line.lastIndexOf(']', k) > 0 ? bracketFile(line.slice(0, k)) : null;
    if (file !== null) {
      let msg = line.slice(k + key.length).replace(/^\s{1,64}/, '');
      // `DCHECK failed: cond; streamed text`: the newer format separates the condition with `; `.
      const semi = msg.indexOf('; ');
      if (key === 'CHECK failed:' && semi > 0) msg = msg.slice(0, semi);
      checkFailure('CHECK failure', file, msg, 'check');
    }
  }
  if ((m = /^#\s{0,8}Fatal error(?: in (.{1,1024}))?\s{0,8}$/.exec(line))) {
    reset();
    setType('Fatal error', 'v8');
    w.fatalError = true;
    w.state = m[1] ? filterFrameName(m[1]) : '';
  }
  if (isGo && (m = /^fatal error: (.{1,2048})$/.exec(line))) {
    reset();
    setType('Fatal error', 'go');
    w.state = m[1] + '\n';
    w.message = m[1];
  }
  if ((m = /^abort: (CSA_(?:ASSERT|DCHECK) failed:.{0,2048})$/.exec(line))) {
    reset();
    setType('ASSERT', 'v8');
    const msg = m[1];
    const br = /^(.{1,2048}?) \[([^\]:]{1,1024}):\d{1,7}\]/.exec(msg);
    w.state = br ? `${br[1]}\n${fixFilename(br[2])}` : msg;
    w.message = br ? br[1] : msg;
    w.frameCount = MAX_STATE_FRAMES;
  }
  if ((m = /^\s{0,64}\[[^\]]{0,1024}\] V8 error: (.{1,2048})\.$/.exec(line))) {
    reset();
    setType('V8 API error', 'v8');
    w.state = m[1] + '\n';
    w.message = m[1];
  }
  if (/^#\s{0,8}V8 correctness failure/.test(line)) {
    reset();
    setType('V8 correctness failure', 'v8');
  }
  if ((m = /^Received signal 11 SEGV_[A-Z]{1,16} ([0-9a-f]{0,16})/.exec(line))) {
    reset();
    setType('UNKNOWN', 'other');
    w.address = '0x' + m[1];
  }
  const lf = line.indexOf('libFuzzer:');
  if (lf >= 0 && /ERROR:\s{0,8}libFuzzer:/.test(line)) {
    const what = line.slice(lf + 'libFuzzer:'.length).trim();
    const t = what.startsWith('deadly signal')
      ? 'Fatal-signal'
      : what.startsWith('fuzz target exited')
        ? 'Unexpected-exit'
        : what.startsWith('fuzz target overwrites its const input')
          ? 'Overwrites-const-input'
          : null;
    if (t) {
      reset();
      setType(t, 'other');
    }
  }
  if ((m = /: library ([`'"])(.{1,512})\1 not found/.exec(line))) {
    reset();
    setType('Missing-library', 'other');
    w.state = m[2];
  }
  if (
    (m = /error while loading shared libraries: ([^:]{1,512}): cannot open shared object file/.exec(line))
  ) {
    reset();
    setType('Missing-library', 'other');
    w.state = m[1];
  }
}

interface FrameCtx {
  isGo: boolean;
  isPython: boolean;
  isJs: boolean;
  isTrusty: boolean;
  symbolized: boolean;
}

const SAN_FRAME_RE = /^\s{0,64}#(\d{1,6})\s{1,16}([xX0-9a-fA-F]{1,18})\s{1,16}(.{1,4096})$/;
// PC-less, and ending in `(module+0xoffset)` (a build id may follow): tombstone `#00 pc 0005b8e4`
// lines are not this.
const TSAN_FRAME_RE =
  /^\s{0,64}#(\d{1,6})\s{1,16}(?!0x|pc\s)([^\s].{0,4096}\s\([^()\s]{1,1024}\+0x[0-9a-fA-F]{1,16}\)(?:\s\(BuildId: [0-9a-fA-F]{1,128}\))?)$/;
const TOMBSTONE_FRAME_RE =
  /^\s{0,64}#(\d{2,4}) pc [0-9a-fA-F]{4,16}\s{1,8}(\S{1,1024})(?: \((.{1,1024}?)\+\d{1,12}\))?(?: \(BuildId: [0-9a-fA-F]{1,128}\))?\s{0,8}$/;
const CHROME_FRAME_RE = /^ {0,64}#(\d{1,6}) ([xX0-9a-fA-F]{1,18}) ([^/\\]{1,4096})$/;
const CDB_FRAME_RE =
  /^([0-9a-zA-Z`]{1,32}) ([0-9a-zA-Z`]{1,32}) ([0-9a-zA-Z_]{1,256})!(.{1,2048})\+([xX0-9a-fA-F]{1,18})/;
const WIN_CHROME_FRAME_RE =
  /^ {0,64}([^/\\]{1,2048}) \[([xX0-9a-fA-F]{1,18})\+(\d{1,12})\](?: \((.{1,1024}):(\d{1,9})\))?/;
const GO_FRAME_RE = /^([0-9a-zA-Z.\-_\\/()*]{1,1024})\([x0-9a-f\s,.{}]{0,1024}\)$/;
const PY_FRAME_RE = /^\s{0,64}File "([^"]{1,1024})", line (\d{1,9}), in (.{1,1024})$/;
const JS_FRAME_RE = /^\s{0,64}at ([^\s]{1,1024}) \(.{0,2048}:\d{1,9}:\d{1,9}\)/;
const TRUSTY_FRAME_RE = /(?:uSP)\+([a-zA-Z0-9]{6}): (0x[a-fA-F0-9]{16}) in (\w{1,512})/;
const JAVA_FRAME_RE = /^\s{0,64}at (.{1,2048})\(.{0,1024}\)/;
const FILE_LINE_RE = /^(.{1,1024}?):(\d{1,9})(?::\d{1,6})?$/;

const JAVA_FRAME_TYPES: ReadonlySet<string> = new Set([
  'CHECK failure',
  'Fatal Exception',
  'Uncaught exception',
  'Security exception',
]);

function addFrameFromLine(line: string, w: Walk): void {
  // State full and enough frames looked at (stack-overflow cycles use the first ones): a long
  // stack costs nothing more.
  if (w.frameCount >= MAX_STATE_FRAMES && w.framesSeen >= MAX_FRAMES_SEEN) return;
  w.framesSeen++;
  const javaFrames = w.java && JAVA_FRAME_TYPES.has(w.type);
  // State full and no frames wanted: the line matters only if the report ends a stack overflow
  // (its cycle), so it is read then, in order (most reports are not one).
  if (w.frameCount >= MAX_STATE_FRAMES && w.frameLimit === 0) {
    w.deferred.push(line);
    w.deferredJava.push(javaFrames);
    return;
  }
  readDeferredFrames(w);
  readFrameLine(line, w, javaFrames);
}

/** Reads the frame lines put off while the state was full, as they would have been read then. */
function readDeferredFrames(w: Walk): void {
  if (w.deferred.length === 0) return;
  const pending = w.deferred;
  const java = w.deferredJava;
  w.deferred = [];
  w.deferredJava = [];
  w.replaying = true;
  for (let k = 0; k < pending.length; k++) readFrameLine(pending[k], w, java[k]);
  w.replaying = false;
}

function readFrameLine(line: string, w: Walk, javaFrames: boolean): void {
  const ctx = w.frameCtx;
  let m: RegExpExecArray | null;
  if (line.includes('!') && (m = CDB_FRAME_RE.exec(line)))
    return addFrame(w, m[4], { module: m[3], cxx: true });
  // The numbered formats (sanitizer, TSan, tombstone, Chrome) all start with `#N`: a line with
  // no `#` (most log lines) need not be tried against them.
  const numbered = line.includes('#');
  const san = numbered ? SAN_FRAME_RE.exec(line) : null;
  // TSan prints its frames without a PC: `#0 foo /src/f.c:10:5 (bin+0x4a3c2)`.
  if (!san && numbered && (m = TSAN_FRAME_RE.exec(line))) {
    const full = m[2].trim();
    const rest = stripModuleSuffix(full);
    if (rest !== '' && !rest.startsWith('('))
      return addFrame(w, 'in ' + rest, { cxx: true, file: fileOf(rest), printed: full });
  }
  if ((m = san)) {
    const full = m[3].trim();
    const rest = full.startsWith('in ') ? stripModuleSuffix(full) : full;
    if (rest.startsWith('in ') || rest.startsWith('(')) {
      let frame = rest;
      const file = rest.startsWith('in ') ? fileOf(rest) : null;
      // The libFuzzer entry point is named by its file: harnesses all share the symbol.
      if (frame.startsWith('in LLVMFuzzerTestOneInput') && file) {
        const base = file.split('\\').join('/').split('/').pop() ?? file;
        frame = 'in ' + base + frame.slice('in LLVMFuzzerTestOneInput'.length);
        return addFrame(w, frame, { cxx: true, file });
      }
      return addFrame(w, frame, { cxx: true, file, printed: full });
    }
  }
  // Android tombstone: `#00 pc 0005b8e4  /system/lib64/libfoo.so (Foo::bar()+164)`. ClusterFuzz
  // states no frame from these (its symbolizer rewrites them first); they are kept as frames.
  if (numbered && (m = TOMBSTONE_FRAME_RE.exec(line))) {
    if (w.frames.length < w.frameLimit) {
      const fn = m[3] ? normaliseFunction(m[3]) : '??';
      w.frames.push({ function: fn, raw: m[3] ?? m[2], module: m[2], file: null, reliable: true });
    }
    return;
  }
  if (numbered && (m = CHROME_FRAME_RE.exec(line))) return addFrame(w, m[3], { cxx: true });
  // (Its name group runs to the end of a long line before it backtracks to ` [`: most lines
  // have no `[` and need not be tried.)
  if (line.includes('[') && (m = WIN_CHROME_FRAME_RE.exec(line))) return addFrame(w, m[1], { cxx: true });
  if (javaFrames) {
    if ((m = JAVA_FRAME_RE.exec(line))) addFrame(w, m[1], {});
    return;
  }
  if ((m = /^#\s{0,8}V8 correctness ((?:configs|sources|suppression): .{0,2048})$/.exec(line)))
    return addFrame(w, m[1], { filter: (s) => s });
  if (ctx.isGo && line.endsWith(')') && (m = GO_FRAME_RE.exec(line)))
    return addFrame(w, m[1], { filter: (s) => s.split('/').pop() ?? s });
  if (ctx.isPython && (m = PY_FRAME_RE.exec(line))) return addFrame(w, m[3], {});
  if (ctx.isJs && (m = JS_FRAME_RE.exec(line))) return addFrame(w, m[1], {});
  if (ctx.isTrusty && (m = TRUSTY_FRAME_RE.exec(line))) return addFrame(w, m[3], {});
}

/** The source file of `foo /src/f.c:10:5` (the last `file:line` word, module suffixes after it allowed), or null. */
function fileOf(rest: string): string | null {
  const words = rest.split(' ');
  for (let i = words.length - 1; i > 0 && i >= words.length - 4; i--) {
    const loc = words[i].includes(':') ? FILE_LINE_RE.exec(words[i]) : null;
    if (loc && /[/.\\]/.test(loc[1])) return loc[1];
  }
  return null;
}

/**
 * `foo /src/f.c:10:5 (libfoo.so+0x1c2) (BuildId: ab12)` → `foo /src/f.c:10:5`: the module and
 * build id after a symbolised location say where the code was loaded, not what it is.
 */
function stripModuleSuffix(rest: string): string {
  let r = rest;
  for (let k = 0; k < 2 && r.endsWith(')'); k++) {
    const b = /\s\(BuildId: [0-9a-fA-F]{1,128}\)$/.exec(r);
    if (b) {
      r = r.slice(0, b.index);
      continue;
    }
    const mod = /\s\([^()\s]{1,1024}\+0x[0-9a-fA-F]{1,16}\)$/.exec(r);
    if (mod && mod.index > 3) r = r.slice(0, mod.index);
  }
  return r;
}

function addFrame(
  w: Walk,
  printed: string,
  opt: {
    cxx?: boolean;
    module?: string;
    file?: string | null;
    filter?: (s: string) => string;
    /** The frame as printed, module included, for the ignore rules (when `printed` was trimmed). */
    printed?: string;
  },
): void {
  let frame = printed.trim();
  if (frame.startsWith('in ')) frame = frame.slice(3);
  else if (frame.startsWith('(') && frame.endsWith(')')) frame = frame.slice(1, -1);
  const moduleOnly = printed.trim().startsWith('(');
  const filter = moduleOnly ? null : (opt.filter ?? filterFrameName);
  let filtered: string | null = null;
  if (w.frames.length < w.frameLimit && w.typeLine !== null) {
    filtered = filter ? filter(frame) : frame;
    const fn = opt.cxx && !moduleOnly ? normaliseFunction(filtered) : filtered;
    w.frames.push({
      function: fn === '' ? '??' : fn,
      raw: frame.slice(0, 1024),
      module: opt.module ?? null,
      file: opt.file ?? null,
      reliable: true,
    });
  }
  // Once the state is full, a frame matters only to a stack overflow's cycle: the ignore rules
  // (the costly part) run for it only if the report is one (stackOverflowCycle).
  if (w.replaying || w.frameCount >= MAX_STATE_FRAMES) {
    if (w.rawFrames.length < MAX_FRAMES_SEEN)
      w.rawFrames.push({ frame, printed: opt.printed, filter, filtered, kept: false });
    return;
  }
  if (ignoredFrameOnce(w, frame, opt.printed)) return;
  filtered ??= filter ? filter(frame) : frame;
  if (w.rawFrames.length < MAX_FRAMES_SEEN)
    w.rawFrames.push({ frame, printed: opt.printed, filter, filtered, kept: true });
  w.state += filtered + '\n';
  w.frameCount++;
}

/** The ignore rules on a frame and on the frame as printed (module included), when given. */
function ignoredFrame(frame: string, printed: string | undefined, symbolized: boolean): boolean {
  if (isIgnoredStateFrame(frame, symbolized)) return true;
  return (
    printed !== undefined &&
    isIgnoredStateFrame(printed.startsWith('in ') ? printed.slice(3) : printed, symbolized)
  );
}

/** ignoredFrame, each distinct frame decided once per walk. */
function ignoredFrameOnce(w: Walk, frame: string, printed: string | undefined): boolean {
  const key = printed === undefined ? frame : frame + '\n' + printed;
  let v = w.ignored.get(key);
  if (v === undefined) {
    v = ignoredFrame(frame, printed, w.symbolized);
    w.ignored.set(key, v);
  }
  return v;
}

/** The filtered names of the frames the ignore rules keep, in order, at most MAX_RAW_FRAMES. */
function keptRawFrames(w: Walk): string[] {
  readDeferredFrames(w);
  const out: string[] = [];
  for (const r of w.rawFrames) {
    if (out.length >= MAX_RAW_FRAMES) break;
    if (!r.kept && ignoredFrameOnce(w, r.frame, r.printed)) continue;
    out.push(r.filtered ?? (r.filter ? r.filter(r.frame) : r.frame));
  }
  return out;
}

/** Stack overflow: the recursion cycle (a run of frames repeated three times), not the top three. */
function stackOverflowCycle(w: Walk): void {
  const f = keptRawFrames(w);
  for (let start = 0; start < f.length; start++) {
    for (let len = 1; len <= MAX_CYCLE_LENGTH; len++) {
      if (start + REPEATED_CYCLE_COUNT * len >= f.length) break;
      let equal = true;
      for (let r = 1; r < REPEATED_CYCLE_COUNT && equal; r++)
        for (let k = 0; k < len; k++)
          if (f[start + k] !== f[start + r * len + k]) {
            equal = false;
            break;
          }
      if (equal) {
        w.state = f.slice(start, start + Math.min(len, MAX_STATE_FRAMES)).join('\n') + '\n';
        return;
      }
    }
  }
}

function reversePythonTrace(lines: string[]): { lines: string[]; index: number[] } | null {
  let title = -1;
  for (let i = 0; i < lines.length; i++) {
    if (
      /^\s{0,64}=== Uncaught Python exception: ===$/.test(lines[i]) ||
      lines[i].startsWith('===BUG DETECTED: PySecSan:')
    ) {
      title = i;
      break;
    }
  }
  if (title < 0) return null;
  const body: number[] = [];
  for (let i = title + 1; i < lines.length; i++) {
    if (lines[i].includes('=========') || lines[i].includes('== ERROR: ')) break;
    body.push(i);
  }
  body.reverse();
  const index = [title, ...body];
  return { lines: index.map((i) => lines[i]), index };
}

function finish(w: Walk): CrashStateResult {
  let type = w.type;
  let state = w.state;
  // Non-printable characters never reach the state.
  state = state.replace(/[^ -~\t\n\r\v\f]/g, '');
  state = state.split('JNI DETECTED ERROR IN APPLICATION:').join('JNI:');
  const lines: string[] = [];
  for (const raw of state.split('\n')) {
    if (raw === '') continue;
    const l = type === 'V8 correctness failure' ? raw : filterAddressesAndNumbers(raw);
    lines.push(l.startsWith('Bad-cast') ? l : l.slice(0, STATE_LINE_CAP));
  }
  if (type && lines.length === 0 && w.processName) lines.push(w.processName);
  // Access sizes above 16 bytes are one bucket.
  const size = /^([^0-9]{1,256})([0-9]{1,12})/.exec(type);
  if (size && Number(size[2]) > 16) type = size[1] + '{*}' + type.slice(size[0].length);
  if (w.address && type.startsWith('UNKNOWN') && hexValue(w.address) < 0x1000)
    type = type.replace('UNKNOWN', 'Null-dereference');
  return {
    crashType: type,
    state: lines,
    address: w.address,
    family: type ? w.family : null,
    typeLine: type ? w.typeLine : null,
    frames: w.frames,
    message: w.message,
  };
}
