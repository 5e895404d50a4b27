// The literal scanner must say exactly what the regex alternation of the same literals says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { literalScanner, literalSet } from '../../src/core/parse/literals';

/** A small deterministic generator (the same strings every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('literalScanner agrees with the regex alternation on random lines built from the literals', () => {
  const sets: { values: string[]; ignoreCase: boolean }[] = [
    { values: ['SUMMARY:', ' of size ', 'ERROR: ', 'CSA_', 'heck failed', 'HECK failed'], ignoreCase: false },
    { values: ['ssert', 'panic: '], ignoreCase: true },
    { values: ['dead', '6b6b', '6b 6b', 'a5a5'], ignoreCase: true },
    { values: [' ? ', '<EOI>'], ignoreCase: false },
    { values: ['ab', 'ba', 'zz'], ignoreCase: false },
    { values: ['x', 'yz'], ignoreCase: false },
  ];
  const next = rng(7);
  for (const { values, ignoreCase } of sets) {
    const scan = literalScanner(values, { ignoreCase })!;
    const re = literalSet(values)!;
    // eslint-disable-next-line no-restricted-syntax -- the oracle: our own escaped literals
    const oracle = ignoreCase ? new RegExp(re.source, 'i') : re;
    const alphabet = [...new Set(values.join('') + 'AaBbEeSsx ?:é\u212a\u017f')];
    let hits = 0;
    for (let n = 0; n < 4000; n++) {
      let s = '';
      const len = Math.floor(next() * 40);
      while (s.length < len) {
        const r = next();
        if (r < 0.08) {
          const v = values[Math.floor(next() * values.length)];
          // Literals cut at either end, or with their case changed, test the edges.
          const cut = v.slice(next() < 0.5 ? 1 : 0, next() < 0.5 ? -1 : undefined);
          s += next() < 0.3 ? cut.toUpperCase() : cut;
        } else s += alphabet[Math.floor(next() * alphabet.length)];
      }
      const want = oracle.test(s);
      if (want) hits++;
      assert.equal(scan.test(s), want, `${JSON.stringify(values)} on ${JSON.stringify(s)}`);
    }
    // Both outcomes occur often enough for the comparison to mean something.
    assert.ok(hits > 200 && hits < 3800, `${hits} hits of 4000 for ${JSON.stringify(values)}`);
  }
  assert.equal(literalScanner([]), null);
});
