// Every value of the poison table is found wherever a log prints it: as a hex word (upper or lower
// case, with or without 0x, plus a small field offset), and every fill byte as a dump row. Guards
// the per-line prefilter in indicators.ts, which must never rule out a line holding a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectSlabFacts, scanPoison } from '../../src/core/parse/indicators';
import { lineMarks } from '../../src/core/parse/line-marks';
import { SLAB_FACT_RULES } from '../../src/core/rules/slab-facts';
import { BYTE_FILLS, POINTER_POISONS } from '../../src/core/rules/poison';

function found(line: string, family: 'kernel' | 'userspace' = 'kernel'): string[] {
  return scanPoison([line], 0, 1, family).map((p) => p.name);
}

test('every pointer poison is found as a word, in either case and with an offset', () => {
  for (const p of POINTER_POISONS) {
    const plus8 = (BigInt('0x' + p.value) + 8n).toString(16).padStart(p.value.length, '0');
    for (const word of [p.value, '0x' + p.value, p.value.toUpperCase(), plus8]) {
      const line = `RAX: ${word} RBX: 0000000000000001`;
      assert.ok(found(line).includes(p.name), `${p.name} not found in ${line}`);
    }
  }
});

test('every fill byte is found as a fill word and as a memory dump row', () => {
  for (const f of BYTE_FILLS) {
    const family = f.families?.includes('kernel') === false ? 'userspace' : 'kernel';
    const word = f.byte.repeat(8);
    assert.ok(found(`  ptr = 0x${word}`, family).includes(f.name), `${f.name} word`);
    assert.ok(found(`  ptr = 0x${word.toUpperCase()}`, family).includes(f.name), `${f.name} WORD`);
    const row = `Object 00000000a1b2c3d4: ${Array(16).fill(f.byte).join(' ')}  ................`;
    assert.ok(found(row, family).includes(f.name), `${f.name} dump row: ${row}`);
  }
});

test('lines without any table value yield nothing', () => {
  const lines = [
    ' __kasan_report+0x1a2/0x200 mm/kasan/report.c:562',
    'RIP: 0010:ffffffff81234567',
    'CPU: 1 PID: 4242 Comm: syz-executor.0 Not tainted 6.1.0 #1',
  ];
  assert.deepEqual(scanPoison(lines, 0, lines.length), []);
});

test('every slab-fact row reads its own example, and its literal is on it', () => {
  for (const rule of SLAB_FACT_RULES) {
    assert.ok(rule.example.includes(rule.literal), rule.literal);
    const caches = new Set<string>();
    const sizes = new Set<number>();
    collectSlabFacts(rule.example, caches, sizes);
    assert.equal(caches.size, rule.caches.length, `${rule.literal}: caches ${[...caches]}`);
    assert.equal(sizes.size, rule.size === null ? 0 : 1, `${rule.literal}: sizes ${[...sizes]}`);
    // The shared scan's mark says the same.
    const none = new Set<string>();
    collectSlabFacts(rule.example, none, new Set(), lineMarks([rule.example])[0]);
    assert.equal(none.size, caches.size);
  }
});
