// Property tests: whatever the input, parseDump returns a well-formed ParsedDump and never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDump } from '../../src/core/parse/index';
import { CRASH_KINDS, type ParsedDump } from '../../src/core/types';

function assertWellFormed(d: ParsedDump): void {
  assert.ok(CRASH_KINDS.includes(d.kind));
  assert.ok(
    Array.isArray(d.frames) && Array.isArray(d.state) && Array.isArray(d.reports) && Array.isArray(d.notes),
  );
  assert.ok(Array.isArray(d.indicators.poisonValues));
  assert.ok(d.state.length <= 3);
  assert.ok(d.title === null || typeof d.title === 'string');
  for (const r of d.reports)
    assert.ok(r.secondaryOf === null || (r.secondaryOf >= 0 && r.secondaryOf < d.reports.length));
}

test('arbitrary strings never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => assertWellFormed(parseDump(s))),
    { numRuns: 300 },
  );
});

test('random bytes decoded as latin1/utf8 never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), (b) => {
      assertWellFormed(parseDump(Buffer.from(b).toString('utf8')));
      assertWellFormed(parseDump(Buffer.from(b).toString('latin1')));
    }),
    { numRuns: 200 },
  );
});

test('fragments of report grammar in random order never throw', () => {
  const pieces = [
    'BUG: KASAN: slab-use-after-free in foo+0x1/0x2',
    'Call Trace:',
    ' <IRQ>',
    ' bar+0x10/0x20 [mod]',
    ' ? baz+0x1/0x2',
    'Oops: 0000 [#2] SMP',
    'RIP: 0010:qux+0x5/0x9',
    '=====================',
    'crash> bt',
    '#0 [ffff] foo at ffff',
    '[exception RIP: foo+12]',
    'PANIC: "BUG: unable to handle kernel NULL pointer dereference at (null)"',
    'struct x {',
    '  next = 0xdead000000000100,',
    '}',
    'Kernel panic - not syncing: Fatal exception',
    'list_del corruption, x->next is LIST_POISON1 (dead000000000100)',
    '>ffff8880: fb fb fb',
    '   ^',
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 200 }), (ls) =>
      assertWellFormed(parseDump(ls.join('\n'))),
    ),
    { numRuns: 300 },
  );
});

test('huge lines and 100k repeated frame lines parse without throwing', () => {
  assertWellFormed(parseDump('x'.repeat(3 * 1024 * 1024)));
  assertWellFormed(parseDump('BUG: KASAN: use-after-free in f+0x1/0x2 ' + 'a'.repeat(2 * 1024 * 1024)));
  const frames = ' foo_bar+0x1c/0x40 [mod]\n'.repeat(100_000);
  const d = parseDump(
    'BUG: kernel NULL pointer dereference, address: 0000000000000008\nCall Trace:\n' + frames,
  );
  assertWellFormed(d);
  assert.equal(d.kind, 'null-deref');
});
