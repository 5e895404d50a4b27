// Real-world kernel oopses, the way people paste them: reads the reports in bench/oopses/ (our
// own writing: x86, i386, arm, arm64, ppc64, s390, mips, riscv; kernels 2.6 to 5.x; syslog,
// dmesg, `dmesg -T`, serial log levels, mail quoting, commit-message indentation, wrapped lines,
// CRLF, ABRT pastes) with what a reader would call each one (expected.json), parses each with
// parseDump and prints how many get a title, a kind, three frames and a top frame that occurs in
// the text (issue 8's criterion, all four together), and how many agree with the expectation.
// Run: npx tsc -p tsconfig.json && node dist/bench/oopses.js [dir] [--floor 0.90] [--out file]
// --floor F exits 1 when the share meeting all four criteria is below F.
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDump } from '../src/core/parse/index';
import type { ParsedDump } from '../src/core/types';

interface Expected {
  title: string;
  kind: string;
  /** The function the title names; null when the title names none. */
  top: string | null;
  /** Why the expectation is what it is, where syzbot's convention is not what a reader would guess. */
  note?: string;
  arch: string;
  kernel: string;
  family: string;
  envelope: string;
}

/** `name` occurs in `text` as a whole identifier (not inside a longer one). */
function occursAsName(text: string, name: string): boolean {
  if (name.length === 0) return false;
  const ident = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!ident(text[at - 1]) && !ident(text[at + name.length])) return true;
  }
  return false;
}

/** The function the parser's title names: its guilty frame, or the text after the last " in ". */
function namedFunction(p: ParsedDump): string | null {
  if (p.guiltyFrame !== null && p.frames[p.guiltyFrame]) return p.frames[p.guiltyFrame].function;
  if (!p.title) return null;
  const i = p.title.lastIndexOf(' in ');
  return i < 0 ? null : p.title.slice(i + 4);
}

interface Row {
  name: string;
  exp: Expected;
  titled: boolean;
  kind: boolean;
  frames: boolean;
  realTop: boolean;
  all: boolean;
  exact: boolean;
  kindOk: boolean;
  topOk: boolean;
  corrupted: boolean;
  parsed: ParsedDump;
}

function main(): void {
  const args = process.argv.slice(2);
  let dir = resolve(__dirname, '..', '..', 'bench', 'oopses');
  let floor: number | null = null;
  let out = resolve(__dirname, '..', '..', '.cache', 'bench-oopses-mismatches.txt');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--floor') floor = Number(args[++i]);
    else if (args[i] === '--out') out = resolve(args[++i]);
    else dir = resolve(args[i]);
  }
  const expFile = join(dir, 'expected.json');
  if (!existsSync(expFile)) {
    console.error(`bench/oopses: no expected.json in ${dir}`);
    process.exit(2);
  }
  const expected = (JSON.parse(readFileSync(expFile, 'utf8')) as { reports: Record<string, Expected> })
    .reports;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const unlisted = files.filter((f) => !expected[f]);
  const missing = Object.keys(expected).filter((f) => !files.includes(f));
  if (unlisted.length || missing.length) {
    console.error(
      `bench/oopses: expected.json and the .txt files disagree: unlisted ${unlisted.join(', ')}; missing ${missing.join(', ')}`,
    );
    process.exit(2);
  }
  const rows: Row[] = [];
  const t0 = process.hrtime.bigint();
  for (const name of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    const p = parseDump(text);
    const exp = expected[name];
    const titled = p.title !== null;
    const kind = p.kind !== 'unknown';
    const frames = p.frames.length >= 3;
    const realTop = p.frames.length > 0 && occursAsName(text, p.frames[0].function);
    const named = namedFunction(p);
    rows.push({
      name,
      exp,
      titled,
      kind,
      frames,
      realTop,
      all: titled && kind && frames && realTop,
      exact: p.title === exp.title,
      kindOk: p.kind === exp.kind,
      // The title may name the frame shortened (`newfstat` for SyS_newfstat): either counts.
      topOk:
        exp.top === null
          ? named === null || p.title === exp.title
          : named === exp.top || (p.title?.endsWith(' in ' + exp.top) ?? false),
      // Titled `in corrupted` on purpose (expected.json says why): being corrupted is right there.
      corrupted: Boolean(p.corrupted) && !exp.title.endsWith(' in corrupted'),
      parsed: p,
    });
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const n = rows.length;
  const count = (f: (r: Row) => boolean): number => rows.filter(f).length;
  const pct = (a: number, b: number): string =>
    b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;
  console.log(`bench/oopses: ${n} reports from ${dir} (${ms.toFixed(0)} ms)`);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(
    `| with a title | ${pct(
      count((r) => r.titled),
      n,
    )} |`,
  );
  console.log(
    `| with a kind other than unknown | ${pct(
      count((r) => r.kind),
      n,
    )} |`,
  );
  console.log(
    `| with ≥ 3 frames | ${pct(
      count((r) => r.frames),
      n,
    )} |`,
  );
  console.log(
    `| top frame occurs in the text | ${pct(
      count((r) => r.realTop),
      n,
    )} |`,
  );
  console.log(
    `| **all four (issue 8's criterion)** | **${pct(
      count((r) => r.all),
      n,
    )}** |`,
  );
  console.log(
    `| exact title as expected | ${pct(
      count((r) => r.exact),
      n,
    )} |`,
  );
  console.log(
    `| kind as expected | ${pct(
      count((r) => r.kindOk),
      n,
    )} |`,
  );
  console.log(
    `| function the title names as expected | ${pct(
      count((r) => r.topOk),
      n,
    )} |`,
  );
  console.log(`| marked corrupted where not expected | ${count((r) => r.corrupted)} |`);
  // The combined criterion per architecture: where the parser is weak shows here first.
  const byArch = new Map<string, Row[]>();
  for (const r of rows) byArch.set(r.exp.arch, [...(byArch.get(r.exp.arch) ?? []), r]);
  console.log('\n| arch | reports | all four | exact title |');
  console.log('|---|---:|---:|---:|');
  for (const [arch, rs] of [...byArch].sort((a, b) => b[1].length - a[1].length)) {
    const all = rs.filter((r) => r.all).length;
    const exact = rs.filter((r) => r.exact).length;
    console.log(`| ${arch} | ${rs.length} | ${all} | ${exact} |`);
  }
  const mismatches: string[] = [];
  for (const r of rows) {
    if (r.all && r.exact && r.kindOk && r.topOk && !r.corrupted) continue;
    const failed = [
      r.titled ? '' : 'no title',
      r.kind ? '' : 'kind unknown',
      r.frames ? '' : `${r.parsed.frames.length} frames`,
      r.realTop ? '' : 'top frame not in text',
      r.corrupted ? `corrupted (${r.parsed.corruptedReason ?? ''})` : '',
    ].filter(Boolean);
    const top = r.parsed.frames
      .slice(0, 4)
      .map((f) => f.function)
      .join(' | ');
    mismatches.push(
      `${r.name}${failed.length ? '  [' + failed.join('; ') + ']' : ''}\n` +
        `  want: ${r.exp.title}  (${r.exp.kind})\n` +
        `  got:  ${r.parsed.title}  (${r.parsed.kind})\n` +
        `  frames: ${top}`,
    );
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, mismatches.join('\n') + '\n');
  console.log(`\n${mismatches.length} mismatches written to ${out}`);
  const share = count((r) => r.all) / n;
  if (floor !== null && share < floor) {
    console.error(`bench/oopses: ${share.toFixed(3)} meet all four criteria, below the floor ${floor}`);
    process.exit(1);
  }
}

main();
