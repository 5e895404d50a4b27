// The web page, driven in a real browser (Debian's Chromium through playwright-core) against
// the real service with the seed knowledge base: paste a dump, search a misspelt function.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app';
import { FIXTURES_DIR } from '../support/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `!!! no Chromium at ${CHROMIUM}: the browser test is SKIPPED (apt-get install chromium)`;
if (skip) console.error(skip);

describe('web page', { skip }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  before(async () => {
    t = await createTestApp({ env: { CRASHKB_SEED: '1' } });
    const server = await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('the page is served with a strict CSP and no key needed', async () => {
    const res = await t.http.get('/').expect(200);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(res.text, /<script>[^<]/, 'no inline script');
    await t.http
      .get('/ui.js')
      .expect(200)
      .expect('content-type', /javascript/);
  });

  test('pasting the mlx5 crash session names the known bug with its fixes and evidence', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(base + '/');
    await page.fill('#key', ADMIN_KEY);
    await page.dispatchEvent('#key', 'change');
    await page.fill(
      '#dump',
      readFileSync(join(FIXTURES_DIR, 'seeds', 'mlx5-dma-pool-uaf-crash-session.txt'), 'utf8'),
    );
    await page.click('#match-button');
    const known = page.locator('#match-result .verdict-match').first();
    await known.waitFor({ timeout: 10_000 });
    const text = await known.innerText();
    assert.match(text, /Known bug:/);
    assert.match(text, /4cca96a8d9da/, 'the fix commit is shown');
    assert.match(text, /stack/, 'the evidence is shown');
    const parsed = await page.locator('#match-result .card').first().innerText();
    assert.match(parsed, /BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc/);
    assert.match(parsed, /LIST_POISON1/);
    assert.match(parsed, /kmalloc-128/);
    await page.screenshot({
      path: join(process.env.TMPDIR ?? '/tmp', 'crashkb-ui-match.png'),
      fullPage: true,
    });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('searching a misspelt function finds the bug, and opening it shows fixes and notes', async () => {
    const page = await browser.newPage();
    await page.goto(base + '/');
    await page.fill('#key', ADMIN_KEY);
    await page.dispatchEvent('#key', 'change');
    await page.fill('#q', 'dma_pol_alloc');
    await page.press('#q', 'Enter');
    const first = page.locator('#search-result a.sig').first();
    await first.waitFor({ timeout: 10_000 });
    assert.match(await first.innerText(), /dma_pool_alloc|mlx5/);
    await first.click();
    const card = page.locator('#signature .card');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.innerText();
    assert.match(text, /Fixes/);
    assert.match(text, /4cca96a8d9da/);
    assert.match(text, /Notes/);
    await page.close();
  });

  test('a wrong key is explained on the page, not a blank', async () => {
    const page = await browser.newPage();
    await page.goto(base + '/');
    await page.fill('#key', 'wrong-key');
    await page.dispatchEvent('#key', 'change');
    await page.fill('#dump', 'BUG: KASAN: slab-use-after-free in foo+0x1/0x2');
    await page.click('#match-button');
    const err = page.locator('#match-result .error');
    await err.waitFor({ timeout: 10_000 });
    assert.match(await err.innerText(), /unknown or revoked API key/);
    await page.close();
  });
});
