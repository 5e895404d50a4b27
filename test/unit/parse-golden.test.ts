// Golden files: every test/fixtures/<family>/<scenario>.txt is parsed and compared with
// <scenario>.expected.json under subset semantics (test/fixtures/README.md).
// UPDATE_GOLDEN=1 prints the actual subset for review; it never rewrites a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDump } from '../../src/core/parse/index';
import { FIXTURES_DIR } from '../support/paths';

/** Keys in expected.json that describe the fixture, not the parser output. */
const META_KEYS = new Set(['sameBugAs', 'comment', 'source']);

export function listFixtures(dir: string = FIXTURES_DIR): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFixtures(p));
    else if (name.endsWith('.txt') && existsSync(p.slice(0, -4) + '.expected.json')) out.push(p);
  }
  return out;
}

/** Returns null when `actual` matches `expected`, else the path and reason of the first mismatch. */
export function subsetMismatch(expected: unknown, actual: unknown, path = '$'): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length === 0)
      return actual.length === 0 ? null : `${path}: expected [], got ${actual.length} element(s)`;
    if (actual.length < expected.length)
      return `${path}: expected at least ${expected.length} element(s), got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      if (path === '$' && META_KEYS.has(k)) continue;
      const m = subsetMismatch(v, (actual as Record<string, unknown>)[k], `${path}.${k}`);
      if (m) return m;
    }
    return null;
  }
  if (expected === actual) return null;
  // `null` in expected also accepts a missing optional field.
  if (expected === null && actual === undefined) return null;
  return `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** The actual output restricted to the keys the expected file names (for UPDATE_GOLDEN review). */
function restrict(expected: unknown, actual: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((a, i) => (i < expected.length ? restrict(expected[i], a) : a));
  }
  if (
    expected &&
    typeof expected === 'object' &&
    actual &&
    typeof actual === 'object' &&
    !Array.isArray(actual)
  ) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(expected))
      out[k] = restrict((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k]);
    return out;
  }
  return actual;
}

const fixtures = listFixtures();

test('the fixture corpus is present', () => {
  assert.ok(fixtures.length > 0, `no fixtures under ${FIXTURES_DIR}`);
});

for (const file of fixtures) {
  const name = relative(FIXTURES_DIR, file);
  test(`golden: ${name}`, () => {
    const expected = JSON.parse(readFileSync(file.slice(0, -4) + '.expected.json', 'utf8')) as unknown;
    const actual = parseDump(readFileSync(file, 'utf8'));
    const mismatch = subsetMismatch(expected, actual);
    if (mismatch && process.env.UPDATE_GOLDEN === '1') {
      console.log(
        `--- ${name}: actual subset for review\n${JSON.stringify(restrict(expected, actual), null, 2)}`,
      );
    }
    assert.equal(mismatch, null, `${name}: ${mismatch}`);
  });
}
