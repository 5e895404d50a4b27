import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CRASH_KINDS } from '../../src/core/types';

test('the kinds API.md names are all known, and only those', () => {
  assert.equal(CRASH_KINDS.length, 23);
  assert.ok(CRASH_KINDS.includes('use-after-free'));
  assert.ok(CRASH_KINDS.includes('unknown'));
});
