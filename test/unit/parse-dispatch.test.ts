// The first-character dispatch in front of the header table must never hide a row: a line a
// row's pattern matches must reach that row. Checked on every row's example, on every fixture
// line, and on lines built from the rows' examples with prefixes the patterns allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_REPORT_RULES } from '../../src/core/rules/kernel-reports';
import { anchoredFirstChars, dispatchByFirstChar } from '../../src/core/parse/first-chars';
import { prepareLines } from '../../src/core/parse/envelope';

function fixtureFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) fixtureFiles(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}

const dispatch = dispatchByFirstChar(KERNEL_REPORT_RULES, (r) => r.pattern);

function rowsFor(line: string) {
  return dispatch.byChar.get(line.charCodeAt(0)) ?? dispatch.other;
}

test('first characters are read off anchored patterns', () => {
  assert.deepEqual([...(anchoredFirstChars(/^(?:Oops: )?general/) ?? [])].sort(), ['O', 'g']);
  assert.deepEqual([...(anchoredFirstChars(/^(?:(?:NMI )?watchdog: )?BUG:/) ?? [])].sort(), ['B', 'N', 'w']);
  assert.deepEqual([...(anchoredFirstChars(/^(?<l>h?list)_/) ?? [])].sort(), ['h', 'l']);
  assert.equal(anchoredFirstChars(/foo/), null);
  assert.equal(anchoredFirstChars(/^[A-Z]x/), null);
  assert.equal(anchoredFirstChars(/^\d+/), null);
});

test('every header row is reachable from its own example', () => {
  for (const rule of KERNEL_REPORT_RULES) {
    assert.ok(rule.pattern.test(rule.example), `${rule.id}: example does not match its pattern`);
    assert.ok(rowsFor(rule.example).includes(rule), `${rule.id}: dispatch hides the row from its example`);
  }
});

test('dispatch finds the same first matching row as the full table on every fixture line', () => {
  const root = join(__dirname, '..', '..', '..', 'test', 'fixtures');
  for (const file of fixtureFiles(root)) {
    for (const raw of prepareLines(readFileSync(file, 'utf8')).texts) {
      const line = raw.trimStart();
      const full = KERNEL_REPORT_RULES.find((r) => line.includes(r.header) && r.pattern.test(line));
      const fast = rowsFor(line).find((r) => line.includes(r.header) && r.pattern.test(line));
      assert.equal(fast?.id, full?.id, `${file}: ${line}`);
    }
  }
});
