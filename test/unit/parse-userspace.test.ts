import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanUserspaceReports } from '../../src/core/parse/userspace';
import { normaliseFunction, parseSanitizerFrame } from '../../src/core/parse/userspace/frames';
import { parseGdbFrame } from '../../src/core/parse/userspace/gdb';
import { parseValgrindFrame } from '../../src/core/parse/userspace/valgrind';
import { FIXTURES_DIR } from '../support/paths';

const FAMILIES = ['asan', 'hwasan', 'msan', 'tsan', 'ubsan', 'lsan', 'gdb', 'valgrind'];
const SEED_FILES = ['spdk-nvmf-rdma-heap-use-after-free', 'nanomq-tls-heap-use-after-free'];

function linesOf(text: string): string[] {
  return text.replace(/\r/g, '').split('\n');
}

/** The golden test's subset semantics: objects by key, arrays as prefixes, `[]` means empty. */
function subsetMismatch(expected: unknown, actual: unknown, path: string): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length === 0 && actual.length !== 0)
      return `${path}: expected empty, got ${JSON.stringify(actual)}`;
    if (actual.length < expected.length)
      return `${path}: expected at least ${expected.length} items, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object')
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const m = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (m) return m;
    }
    return null;
  }
  return expected === actual
    ? null
    : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function fixtures(): { name: string; txt: string; expected: string }[] {
  const out: { name: string; txt: string; expected: string }[] = [];
  for (const fam of FAMILIES) {
    const dir = join(FIXTURES_DIR, fam);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.txt')) continue;
      const base = f.slice(0, -4);
      out.push({ name: `${fam}/${base}`, txt: join(dir, f), expected: join(dir, `${base}.expected.json`) });
    }
  }
  for (const s of SEED_FILES) {
    out.push({
      name: `seeds/${s}`,
      txt: join(FIXTURES_DIR, 'seeds', `${s}.txt`),
      expected: join(FIXTURES_DIR, 'seeds', `${s}.expected.json`),
    });
  }
  return out;
}

for (const fx of fixtures()) {
  test(`golden (scanner): ${fx.name}`, () => {
    assert.ok(existsSync(fx.expected), `missing ${fx.expected}`);
    const found = scanUserspaceReports(linesOf(readFileSync(fx.txt, 'utf8')));
    assert.ok(found.length > 0, 'no report found');
    const expected = JSON.parse(readFileSync(fx.expected, 'utf8')) as Record<string, unknown>;
    // Top-level keys describe the first report; `reports` (if given) lists them all.
    const { reports, ...main } = expected;
    const m1 = subsetMismatch(main, found[0].report, '$');
    assert.equal(m1, null, m1 ?? '');
    if (Array.isArray(reports)) {
      const m2 = subsetMismatch(
        reports,
        found.map((c) => c.report),
        '$.reports',
      );
      assert.equal(m2, null, m2 ?? '');
    }
  });
}

test('at least 25 user-space fixtures across the families', () => {
  assert.ok(fixtures().length >= 25, `only ${fixtures().length}`);
});

test('sanitizer frame lines: symbolised, module-only, BuildId, TSan without PC', () => {
  const a = parseSanitizerFrame(
    '    #0 0x481e83 in nni_atomic_dec_nv /home/x/nng/src/platform/posix/posix_atomic.c:120',
  );
  assert.equal(a?.frame.function, 'nni_atomic_dec_nv');
  assert.equal(a?.frame.file, '/home/x/nng/src/platform/posix/posix_atomic.c');
  assert.equal(a?.frame.line, 120);
  assert.equal(a?.pc, '0x481e83');
  const b = parseSanitizerFrame(
    '    #5 0x7f20d8253ac2  (/lib/x86_64-linux-gnu/libc.so.6+0x94ac2) (BuildId: 4f7b0c1d)',
  );
  assert.equal(b?.frame.function, '??');
  assert.equal(b?.frame.module, '/lib/x86_64-linux-gnu/libc.so.6');
  const c = parseSanitizerFrame('    #1 0x4b8442 in free (/nanomq/build/nanomq/nanomq+0x4b8442)');
  assert.equal(c?.frame.function, 'free');
  assert.equal(c?.frame.module, '/nanomq/build/nanomq/nanomq');
  const d = parseSanitizerFrame('    #0 Thread1(void*) /tmp/race.c:6:10 (race+0x4b1a2c)');
  assert.equal(d?.frame.function, 'Thread1');
  assert.equal(d?.frame.line, 6);
  assert.equal(d?.frame.module, 'race');
  const e = parseSanitizerFrame(
    '    #2 0x55 in std::function<void ()>::operator()() const /usr/include/c++/12/bits/std_function.h:591:9',
  );
  assert.equal(e?.frame.function, 'std::function::operator()');
});

test('function names lose arguments, templates, anonymous namespaces, clone suffixes, return types', () => {
  assert.equal(
    normaliseFunction('ns::(anonymous namespace)::Foo<int, std::vector<char> >::bar(int) const'),
    'ns::Foo::bar',
  );
  assert.equal(normaliseFunction('compress_block.isra.0'), 'compress_block');
  assert.equal(normaliseFunction('parse_opts.cold'), 'parse_opts');
  assert.equal(normaliseFunction('void std::__sort<int*>(int*, int*)'), 'std::__sort');
  assert.equal(normaliseFunction('operator new[](unsigned long)'), 'operator new[]');
  assert.equal(normaliseFunction('operator delete(void*, unsigned long)'), 'operator delete');
  assert.equal(normaliseFunction('Matrix::operator<<(int)'), 'Matrix::operator<<');
  assert.equal(normaliseFunction('Vec::operator[](unsigned long)'), 'Vec::operator[]');
  assert.equal(normaliseFunction('foo+0x1c'), 'foo');
  assert.equal(
    normaliseFunction('std::basic_string<char>::_M_create[abi:cxx11](unsigned long&, unsigned long)'),
    'std::basic_string::_M_create',
  );
});

test('gdb and valgrind frame lines', () => {
  const g = parseGdbFrame('#1  0x00007ffff7c287f3 in __GI_abort () at ./stdlib/abort.c:79');
  assert.equal(g?.function, '__GI_abort');
  assert.equal(g?.file, './stdlib/abort.c');
  const g2 = parseGdbFrame(
    '#3  0x00007ffff7e4a1b2 in std::vector<int, std::allocator<int> >::at (this=0x0, __n=3) from /lib/x86_64-linux-gnu/libstdc++.so.6',
  );
  assert.equal(g2?.function, 'std::vector::at');
  assert.equal(g2?.module, '/lib/x86_64-linux-gnu/libstdc++.so.6');
  const v = parseValgrindFrame('   by 0x10865B: main (test.c:4)');
  assert.equal(v?.function, 'main');
  assert.equal(v?.line, 4);
  const v2 = parseValgrindFrame(
    '   at 0x4C30D3B: free (in /usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so)',
  );
  assert.equal(v2?.module, '/usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so');
});

test('garbage in, nothing out; never throws', () => {
  assert.deepEqual(scanUserspaceReports([]), []);
  assert.deepEqual(scanUserspaceReports(['hello', '', 'world ==1== nothing']), []);
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = [
    '==1==ERROR: AddressSanitizer: ',
    '#0 ',
    '    #1 0x',
    ' in ',
    'WRITE of size ',
    '(',
    ')',
    ':',
    'runtime error: ',
    'Program received signal SIGSEGV, x.',
    '==2== Invalid read of size 4',
    'WARNING: ThreadSanitizer: data race',
    '\u0000',
    '[fd]',
    '0x',
  ];
  for (let n = 0; n < 300; n++) {
    const lines: string[] = [];
    for (let l = 0; l < 20; l++) {
      let s = '';
      for (let k = 0; k < 6; k++)
        s +=
          rnd() < 0.5
            ? pieces[Math.floor(rnd() * pieces.length)]
            : String.fromCharCode(32 + Math.floor(rnd() * 95));
      lines.push(s);
    }
    assert.doesNotThrow(() => scanUserspaceReports(lines));
  }
});

test('huge lines and 100k frame lines finish (linear scan)', () => {
  const long = `==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1 ${'('.repeat(200000)}`;
  assert.doesNotThrow(() => scanUserspaceReports([long, `    #0 0x1 in ${'a<'.repeat(100000)}`]));
  const lines = [
    '==9==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3',
    'READ of size 1 at 0x602000000010 thread T0',
  ];
  for (let i = 0; i < 100000; i++) lines.push(`    #${i} 0x4005d${i % 10} in f${i % 7} /src/a.c:${i}:1`);
  const t0 = Date.now();
  const r = scanUserspaceReports(lines);
  assert.equal(r.length, 1);
  assert.equal(r[0].report.frames.length, 100000);
  assert.ok(Date.now() - t0 < 20000);
});

test('several reports in one input come back in order with spans', () => {
  const dir = join(FIXTURES_DIR, 'asan');
  const a = linesOf(readFileSync(join(dir, 'double-free.txt'), 'utf8'));
  const b = linesOf(
    readFileSync(join(FIXTURES_DIR, 'ubsan', 'signed-integer-overflow-no-stack.txt'), 'utf8'),
  );
  const found = scanUserspaceReports(['program output', ...b, ...a]);
  assert.equal(found.length, 2);
  assert.equal(found[0].report.format, 'ubsan');
  assert.equal(found[1].report.format, 'asan');
  assert.ok(found[0].endLine <= found[1].startLine);
  assert.equal(found[0].startLine, 1);
});
