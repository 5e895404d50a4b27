// Collectors send stacks as structured frames; the parser reads text. Frames are rendered
// as a gdb backtrace (innermost first), the user-space format the parser already knows, with
// the signal as gdb's stop line when the collector names one.

export interface TextFrame {
  function: string | null;
  address?: string | number | null;
  file?: string | null;
  line?: number | null;
  /** The object the code lives in (a shared library, the executable). */
  module?: string | null;
}

const SIGNALS: Record<number, [string, string]> = {
  4: ['SIGILL', 'Illegal instruction'],
  5: ['SIGTRAP', 'Trace/breakpoint trap'],
  6: ['SIGABRT', 'Aborted'],
  7: ['SIGBUS', 'Bus error'],
  8: ['SIGFPE', 'Arithmetic exception'],
  11: ['SIGSEGV', 'Segmentation fault'],
  31: ['SIGSYS', 'Bad system call'],
};
const BY_NAME = new Map(Object.values(SIGNALS).map(([n, d]) => [n, d]));

/** `Program terminated with signal SIGSEGV, Segmentation fault.` from a number or a name. */
export function stopLine(signal: number | string | null | undefined): string | null {
  if (signal === null || signal === undefined || signal === '') return null;
  if (typeof signal === 'number' || /^\d+$/.test(signal)) {
    const s = SIGNALS[Number(signal)];
    return s
      ? `Program terminated with signal ${s[0]}, ${s[1]}.`
      : `Program terminated with signal ${signal}.`;
  }
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return `Program terminated with signal ${name}, ${BY_NAME.get(name) ?? name}.`;
}

function hexAddress(a: string | number | null | undefined): string | null {
  if (a === null || a === undefined || a === '') return null;
  const n = typeof a === 'number' ? BigInt(Math.trunc(a)) : /^0x[0-9a-f]+$/i.test(a) ? BigInt(a) : null;
  return n === null ? null : `0x${n.toString(16).padStart(16, '0')}`;
}

export function gdbBacktrace(
  frames: TextFrame[],
  signal?: number | string | null,
  header: string[] = [],
): string {
  const lines = [...header];
  const stop = stopLine(signal);
  if (stop) lines.push(stop);
  frames.forEach((f, i) => {
    const addr = hexAddress(f.address);
    const fn = f.function && f.function.trim() !== '' ? f.function.trim() : '??';
    let line = `#${i}  ${addr ? `${addr} in ` : ''}${fn} ()`;
    if (f.file) line += ` at ${f.file}${f.line ? `:${f.line}` : ''}`;
    else if (f.module) line += ` from ${f.module}`;
    lines.push(line);
  });
  return lines.join('\n') + '\n';
}
