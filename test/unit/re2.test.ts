import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, checkPattern, InvalidPatternError, MAX_PATTERN_LENGTH } from '../../src/core/re2';

test('a valid pattern compiles, tests and finds with ^/$ at line boundaries', () => {
  const p = compilePattern('^RIP: 0010:(dma_pool_alloc)\\+0x[0-9a-f]+');
  const text = 'Oops: 0000 [#1] SMP\nRIP: 0010:dma_pool_alloc+0x1ab/0x2c0\n';
  assert.equal(p.test(text), true);
  const hit = p.find(text);
  assert.ok(hit);
  assert.equal(hit.index, text.indexOf('RIP'));
  assert.match(hit.text, /^RIP: 0010:dma_pool_alloc\+0x1ab$/);
  assert.equal(p.find('nothing here'), null);
});

test('invalid patterns throw a typed error with a clear message', () => {
  for (const bad of ['(unclosed', '(a)\\1', '(?<=x)y', 'a**', '']) {
    assert.throws(
      () => compilePattern(bad),
      (err: unknown) =>
        err instanceof InvalidPatternError &&
        err.code === 'InvalidPattern' &&
        err.message.startsWith('invalid pattern'),
      bad,
    );
  }
  assert.throws(() => compilePattern('a'.repeat(MAX_PATTERN_LENGTH + 1)), /at most/);
  assert.match(checkPattern('(x') ?? '', /missing closing/);
  assert.equal(checkPattern('x+'), null);
});

test('a pattern that backtracks catastrophically with RegExp runs in linear time', () => {
  const p = compilePattern('(a+)+$');
  const input = 'a'.repeat(50_000) + '!';
  const t0 = process.hrtime.bigint();
  assert.equal(p.test(input), false);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
  const q = compilePattern('(x+x+)+y');
  assert.equal(q.test('x'.repeat(20_000)), false);
});

test('case-insensitive option', () => {
  assert.equal(compilePattern('kasan', { caseInsensitive: true }).test('BUG: KASAN: x'), true);
  assert.equal(compilePattern('kasan').test('BUG: KASAN: x'), false);
});
