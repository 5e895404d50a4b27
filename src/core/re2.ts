// User-supplied patterns (signature `patterns`, search filters) go through RE2 only:
// re2js is a linear-time automaton port, so `(a+)+$` cannot hang the service the way a
// backtracking `RegExp` would. This file is the one place such patterns are compiled.
import { RE2JS, RE2JSException } from 're2js';

/** Longest pattern we accept. Signatures carry short anchors, not programs; a cap also bounds the compiled automaton. */
export const MAX_PATTERN_LENGTH = 1024;
/** Largest compiled program (RE2 instructions): `x{1000}{1000}`-style blow-ups are rejected at write time. */
export const MAX_PROGRAM_SIZE = 20_000;

/** A pattern RE2 refuses, too long, or too large once compiled. The service answers 400 with `message`. */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
  readonly code = 'InvalidPattern' as const;
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(
      `invalid pattern ${JSON.stringify(pattern.length > 80 ? pattern.slice(0, 80) + '…' : pattern)}: ${reason}`,
    );
  }
}

export interface PatternHit {
  /** UTF-16 offset of the match in the searched text. */
  index: number;
  /** The matched text, cut to 120 characters (it goes into evidence). */
  text: string;
}

export interface CompiledPattern {
  readonly source: string;
  /** True when the pattern occurs anywhere in `text`. */
  test(text: string): boolean;
  /** The first occurrence, or null. */
  find(text: string): PatternHit | null;
}

export interface CompileOptions {
  caseInsensitive?: boolean;
}

/**
 * Compiles a user pattern with RE2 semantics (no backreferences or lookaround), `^`/`$`
 * at line boundaries (patterns run over a whole multi-line dump). Throws InvalidPatternError.
 */
export function compilePattern(pattern: string, opts: CompileOptions = {}): CompiledPattern {
  if (typeof pattern !== 'string') throw new InvalidPatternError(String(pattern), 'pattern must be a string');
  if (pattern.length === 0) throw new InvalidPatternError(pattern, 'pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new InvalidPatternError(
      pattern,
      `pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`,
    );
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.MULTILINE | (opts.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0));
  } catch (err) {
    if (err instanceof RE2JSException) throw new InvalidPatternError(pattern, describeRe2Error(err));
    throw err;
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    throw new InvalidPatternError(
      pattern,
      `pattern compiles to ${size} instructions; at most ${MAX_PROGRAM_SIZE} are allowed`,
    );
  }
  return {
    source: pattern,
    test: (text) => re.test(text),
    find: (text) => {
      const m = re.matcher(text);
      if (!m.find()) return null;
      return { index: m.start(), text: (m.group() ?? '').slice(0, 120) };
    },
  };
}

/** Validation without keeping the compiled form: null when valid, else the reason. */
export function checkPattern(pattern: string): string | null {
  try {
    compilePattern(pattern);
    return null;
  } catch (err) {
    if (err instanceof InvalidPatternError) return err.message;
    throw err;
  }
}

function describeRe2Error(err: RE2JSException): string {
  const desc = (err as { getDescription?: () => string }).getDescription?.();
  const text = desc && desc.length > 0 ? desc : err.message;
  // RE2 rejects Perl-only syntax; say so, since that is the usual surprise.
  if (/invalid or unsupported Perl syntax|invalid escape|lookbehind|\(\?[=!<]/.test(text)) {
    return `${text} (RE2 syntax: no backreferences or lookaround)`;
  }
  return text;
}
