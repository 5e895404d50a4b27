// The literal group scan must say, for each group, exactly what the regex alternation of the
// group's literals says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { prepareLines } from '../../src/core/parse/envelope';
import {
  lineMarks,
  MARK_KERNEL_HEADER,
  GATHER_LITERALS,
  MARK_GATHER,
  MARK_INFO_WITH_STACK,
  MARK_KERNEL_REPORT,
  MARK_SLAB_FACT,
  MARK_VM_DISCONNECTED,
  VM_DISCONNECTED_LITERAL,
  MARK_POISON,
  MARK_SANITIZER_HEADER,
  MARK_UBSAN_HEADER,
  POISON_PREFILTER_LITERALS,
  SANITIZER_HEADER_LITERAL,
  UBSAN_HEADER_LITERAL,
} from '../../src/core/parse/line-marks';
import { literalGroups, literalSet } from '../../src/core/parse/literals';
import { WALK_LITERAL_GROUPS } from '../../src/core/parse/userspace/crash-state';
import { KERNEL_REPORT_RULES } from '../../src/core/rules/kernel-reports';
import { INFO_WITH_STACK, KERNEL_OOPS_FAMILIES } from '../../src/core/rules/kernel-titles';
import { SLAB_FACT_RULES } from '../../src/core/rules/slab-facts';
import { FIXTURES_DIR, SEED_DIR, textFilesUnder } from '../support/paths';

/** A small deterministic generator (the same strings every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('literalGroups agrees with the regex alternation of each group on random lines built from the literals', () => {
  const tables: { values: string[]; ignoreCase?: boolean }[][] = [
    [
      { values: ['SUMMARY:', ' of size ', 'ERROR: ', 'CSA_', 'heck failed', 'HECK failed'] },
      { values: ['ssert', 'panic: '], ignoreCase: true },
      { values: ['dead', '6b6b', '6b 6b', 'a5a5'], ignoreCase: true },
    ],
    [{ values: [' ? ', '<EOI>'] }, { values: ['[ ', 'SEGV'] }],
    [{ values: ['ab', 'ba'] }, { values: ['zz', 'AB'] }],
    // Triples probed every 3rd and every 4th position.
    [{ values: ['Sanitizer', 'of size'] }, { values: ['panic: ', 'ERROR:'], ignoreCase: true }],
    [{ values: ['xxxxxx', 'aBcDeF'] }, { values: ['zzzzzz'], ignoreCase: true }],
  ];
  const next = rng(7);
  for (const groups of tables) {
    const scan = literalGroups(groups);
    const oracles = groups.map((g) => {
      const re = literalSet(g.values)!;
      // eslint-disable-next-line no-restricted-syntax -- the oracle: our own escaped literals
      return g.ignoreCase ? new RegExp(re.source, 'i') : re;
    });
    const values = groups.flatMap((g) => g.values);
    const alphabet = [...new Set(values.join('') + 'AaBbEeSsx ?:[{é\u212a\u017f')];
    const hits = groups.map(() => 0);
    for (let n = 0; n < 4000; n++) {
      let s = '';
      const len = Math.floor(next() * 40);
      while (s.length < len) {
        if (next() < 0.08) {
          const v = values[Math.floor(next() * values.length)];
          // Literals cut at either end, or with their case changed, test the edges.
          const cut = v.slice(next() < 0.5 ? 1 : 0, next() < 0.5 ? -1 : undefined);
          s += next() < 0.3 ? cut.toUpperCase() : cut;
        } else s += alphabet[Math.floor(next() * alphabet.length)];
      }
      const got = scan.scan(s);
      oracles.forEach((re, k) => {
        const want = re.test(s);
        if (want) hits[k]++;
        assert.equal(
          (got & (1 << k)) !== 0,
          want,
          `group ${k} of ${JSON.stringify(groups)} on ${JSON.stringify(s)}`,
        );
      });
    }
    // Both outcomes occur often enough for the comparison to mean something.
    for (const h of hits) assert.ok(h > 200 && h < 3800, `${h} hits of 4000 in ${JSON.stringify(groups)}`);
  }
  assert.throws(() => literalGroups([{ values: ['x'] }]));
});

test('lineMarks: one scan says, per line, what each pass would have tested for itself', () => {
  const oracle = (values: readonly string[], ignoreCase = false): RegExp => {
    const re = literalSet(values)!;
    // eslint-disable-next-line no-restricted-syntax -- the oracle: our own escaped literals
    return ignoreCase ? new RegExp(re.source, 'i') : re;
  };
  const walk = WALK_LITERAL_GROUPS.map((g) => oracle(g.values, g.ignoreCase));
  const header = oracle(KERNEL_OOPS_FAMILIES.map((f) => f.header));
  const poison = oracle(POISON_PREFILTER_LITERALS, true);
  const reportRule = oracle(KERNEL_REPORT_RULES.map((r) => r.header));
  const others: [string, number, RegExp][] = [
    ['slab fact', MARK_SLAB_FACT, oracle(SLAB_FACT_RULES.map((r) => r.literal))],
    ['info with stack', MARK_INFO_WITH_STACK, oracle(INFO_WITH_STACK)],
    ['vm disconnected', MARK_VM_DISCONNECTED, oracle([VM_DISCONNECTED_LITERAL])],
    ['gather', MARK_GATHER, oracle(GATHER_LITERALS)],
  ];
  const counts = { walk: 0, header: 0, poison: 0, sanitizer: 0, ubsan: 0, reportRule: 0, lines: 0 };
  const files = [...textFilesUnder(FIXTURES_DIR), ...textFilesUnder(SEED_DIR)];
  // Each file as written and as a terminal or editor rewrites it (the marks are read in place
  // in the input: CR splits, a BOM, indentation, trailing blanks and cut lines move the bodies).
  const rewrites = (t: string) => [
    t,
    '\ufeff' +
      t
        .split('\n')
        .map((l) => '    ' + l + '  \r')
        .join('\n'),
    t.replace(/\n/g, '\r'),
    t.replace(/\n/, '\n' + 'x'.repeat(5000) + ' BUG: dead000000000100 Sanitizer: \n'),
  ];
  for (const f of files)
    for (const input of rewrites(readFileSync(f, 'utf8'))) {
      const { texts } = prepareLines(input);
      const marks = lineMarks(texts);
      assert.equal(lineMarks(texts), marks, 'computed once per prepared input');
      texts.forEach((line, i) => {
        counts.lines++;
        walk.forEach((re, k) => {
          assert.equal((marks[i] & (1 << k)) !== 0, re.test(line), `walk group ${k}: ${f}:${i}`);
          if (re.test(line)) counts.walk++;
        });
        assert.equal((marks[i] & MARK_KERNEL_HEADER) !== 0, header.test(line), `header: ${f}:${i}`);
        assert.equal((marks[i] & MARK_POISON) !== 0, poison.test(line), `poison: ${f}:${i}`);
        assert.equal((marks[i] & MARK_SANITIZER_HEADER) !== 0, line.includes(SANITIZER_HEADER_LITERAL));
        assert.equal((marks[i] & MARK_UBSAN_HEADER) !== 0, line.includes(UBSAN_HEADER_LITERAL));
        if (line.includes(SANITIZER_HEADER_LITERAL)) counts.sanitizer++;
        if (line.includes(UBSAN_HEADER_LITERAL)) counts.ubsan++;
        assert.equal((marks[i] & MARK_KERNEL_REPORT) !== 0, reportRule.test(line), `report rule: ${f}:${i}`);
        if (reportRule.test(line)) counts.reportRule++;
        for (const [what, bit, re] of others)
          assert.equal((marks[i] & bit) !== 0, re.test(line), `${what}: ${f}:${i}`);
        if (header.test(line)) counts.header++;
        if (poison.test(line)) counts.poison++;
      });
    }
  // Every bit is exercised by our own files.
  for (const [k, n] of Object.entries(counts)) assert.ok(n > 5, `${k}: ${n}`);
  assert.equal(
    lineMarks(['[  61.2] serialport: VM disconnected.'])[0] & MARK_VM_DISCONNECTED,
    MARK_VM_DISCONNECTED,
  );
  assert.equal(
    lineMarks(['FAULT_INJECTION: forcing a failure.'])[0] & MARK_INFO_WITH_STACK,
    MARK_INFO_WITH_STACK,
  );
  // Upper-case hex (Windows, some dumps) is a poison candidate too.
  assert.equal(lineMarks(['RAX: DEAD000000000100'])[0] & MARK_POISON, MARK_POISON);
});

test('scanRange reads a slice in place: the same bits as scanning the slice itself', () => {
  const scan = literalGroups([
    { values: ['dead', 'Sanitizer: ', 'BUG '] },
    { values: ['6b6b', 'panic: '], ignoreCase: true },
    { values: ['ab', 'zz'] },
  ]);
  const next = rng(11);
  const alphabet = 'dea6bB SanitzrUG:pckPz\n';
  for (let n = 0; n < 3000; n++) {
    let s = '';
    const len = Math.floor(next() * 60);
    while (s.length < len) s += next() < 0.1 ? 'Sanitizer: ' : alphabet[Math.floor(next() * alphabet.length)];
    const from = Math.floor(next() * (s.length + 1));
    const to = from + Math.floor(next() * (s.length - from + 1));
    assert.equal(scan.scanRange(s, from, to), scan.scan(s.slice(from, to)), JSON.stringify([s, from, to]));
  }
});
