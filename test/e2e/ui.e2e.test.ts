// The triage page, driven in a real browser (Debian's Chromium through playwright-core)
// against the real service with the seed knowledge base: log in and out, paste the mlx5 dump
// and read LIST_POISON1 explained, search and open a bug's page, promote an unknown bug from
// the buckets page, open a stored dump. A screenshot of every page goes to test-output/ui/
// (gitignored); CRASHKB_UI_DOCS=1 also refreshes docs/ui-paste.png for the README.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app';
import { kasanUseAfterFree } from '../support/dumps';
import { REPO_ROOT } from '../support/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `!!! no Chromium at ${CHROMIUM}: the browser test is SKIPPED (apt-get install chromium)`;
if (skip) console.error(skip);

const SHOTS = join(REPO_ROOT, 'test-output', 'ui');
const EXT4 = readFileSync(
  join(REPO_ROOT, 'seed/signatures/linux-ext4-inode-double-free-arm64/example.txt'),
  'utf8',
);
const MLX5 = readFileSync(
  join(REPO_ROOT, 'seed/signatures/linux-mlx5-dma-pool-uaf-on-reboot/example.txt'),
  'utf8',
);

describe('web page', { skip }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
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

  /** A page that reports script errors and CSP violations (they arrive as console errors). */
  async function open(ctx: BrowserContext, path: string): Promise<Page> {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`));
    page.on(
      'console',
      (m) =>
        m.type() === 'error' && !/status of 40[13]/.test(m.text()) && errors.push(`${path}: ${m.text()}`),
    );
    await page.goto(base + path);
    return page;
  }

  /** A browser context logged in through the login form. */
  async function loggedIn(key = ADMIN_KEY): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await open(ctx, '/login');
    await page.fill('#key', key);
    await page.click('#login-button');
    await page.waitForURL(base + '/');
    await page.locator('#who-name').waitFor();
    await page.close();
    return ctx;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  test('every page path serves the shell with a strict CSP and no inline script', async () => {
    for (const p of [
      '/',
      '/search',
      '/buckets',
      '/login',
      `/signatures/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
    ]) {
      const res = await t.http.get(p).expect(200);
      assert.match(res.headers['content-type'], /text\/html/);
      assert.match(res.headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
      assert.doesNotMatch(
        res.text,
        /<script>[^<]|\sstyle=|\son[a-z]+=/,
        'no inline script, style or handler',
      );
    }
    const js = await t.http
      .get('/ui.js')
      .expect(200)
      .expect('content-type', /javascript/);
    assert.ok(js.text.length < 100_000, `small bundle: ${js.text.length} bytes`);
    assert.doesNotMatch(js.text, /innerHTML|insertAdjacentHTML|document\.write|eval\(/, 'no HTML sinks');
    assert.doesNotMatch(js.text, /https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/i, 'no external URL');
    await t.http
      .get('/ui.css')
      .expect(200)
      .expect('content-type', /text\/css/);
  });

  test('login with a key, an http-only SameSite=Strict cookie, then logout', async () => {
    const ctx = await browser.newContext();
    let page = await open(ctx, '/');
    await page.locator('#login-first').waitFor();
    assert.match(await page.locator('h1').innerText(), /Log in to use crashkb/);
    await page.click('#login-first');
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.fill('#key', 'not-a-key-at-all');
    await page.press('#key', 'Enter');
    const err = page.locator('#login-error [role=alert]');
    await err.waitFor();
    assert.match(await err.innerText(), /unknown or revoked API key/);
    assert.equal(
      await page.evaluate('document.activeElement && document.activeElement.id'),
      'key',
      'focus back on the field',
    );
    await shot(page, 'login');
    await page.fill('#key', ADMIN_KEY);
    await page.click('#login-button');
    await page.waitForURL(base + '/');
    assert.match(await page.locator('#who').innerText(), /Signed in as CRASHKB_ADMIN_KEY \(admin\)/);
    const [cookie] = await ctx.cookies();
    assert.equal(cookie.name, 'crashkb_session');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'the script cannot read the session');
    assert.equal(
      await page.evaluate('JSON.stringify(sessionStorage) + JSON.stringify(localStorage)'),
      '{}{}',
    );
    await page.click('#logout-button');
    await page.waitForURL(/\/login\?out=1$/);
    assert.match(await page.locator('[role=status]').innerText(), /logged out/);
    await page.close();
    page = await open(ctx, '/search');
    await page.locator('#login-first').waitFor();
    // The old cookie, replayed after logout, is worthless.
    const res = await t.http.get('/api/v1/signatures').set('cookie', `crashkb_session=${cookie.value}`);
    assert.equal(res.status, 401);
    await ctx.close();
  });

  test('pasting the mlx5 dump names the known bug and explains LIST_POISON1', async () => {
    const ctx = await loggedIn();
    const page = await open(ctx, '/');
    await page.fill('#dump', MLX5);
    await page.click('#match-button');
    const known = page.locator('#matches .verdict-match').first();
    await known.waitFor({ timeout: 10_000 });
    const text = await known.innerText();
    assert.match(text, /Known bug:/);
    assert.match(
      await page.locator('#match-status[role=status]').innerText(),
      /^Known bug: BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc/,
      'a short status is announced',
    );
    assert.match(text, /4cca96a8d9da/, 'the fix commit is shown');
    assert.match(text, /stack/, 'the evidence is shown');
    const summary = await page.locator('#match-result .summary').innerText();
    assert.match(summary, /BUG: unable to handle kernel NULL pointer dereference in dma_pool_alloc/);
    assert.match(summary, /kmalloc-128/);
    const lp1 = page.locator('#indicators li.ind', { hasText: 'LIST_POISON1 0xdead000000000100' });
    await lp1.waitFor({ timeout: 10_000 });
    const why = await lp1.innerText();
    assert.match(why, /at field dma_pool\.pools\.next/);
    assert.match(why, /deleted list entry \(list_del poisons ->next\)/, 'the meaning from rules/poison.ts');
    assert.match(why, /struct dma_pool.*freed or unlinked/);
    assert.match(why, /So: list_del\(\) removed this entry/);
    assert.match(why, /include\/linux\/poison\.h/);
    // The lines the match rests on are marked in the dump itself.
    const marked = await page.locator('#raw mark.hl').allInnerTexts();
    assert.ok(
      marked.some((l) => /BUG: unable to handle kernel NULL pointer dereference/.test(l)),
      'headline',
    );
    assert.ok(
      marked.some((l) => /dead000000000100/.test(l)),
      'the poisoned field',
    );
    assert.ok(
      marked.some((l) => /dma_pool_alloc/.test(l)),
      'a state frame',
    );
    const lines = await page.locator('#raw .row').count();
    assert.ok(marked.length < lines / 2, `${marked.length} of ${lines} lines marked`);
    await shot(page, 'paste');
    if (process.env.CRASHKB_UI_DOCS === '1') {
      // The README's picture: the paste box, the verdict with its fixes and evidence, and the
      // indicators explained.
      await page.screenshot({
        path: join(REPO_ROOT, 'docs', 'ui-paste.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1200, height: 2250 },
      });
    }
    // Store it: the dump is kept and its own page opens, with the same analysis.
    await page.fill('#dump', EXT4);
    await page.click('#store-button');
    await page.waitForURL(/\/dumps\/[0-9a-f-]{36}$/);
    await page.locator('#matches .verdict-match').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('h1').innerText(), /ext4|double-free|free/i);
    assert.match(await page.locator('main dl.facts').first().innerText(), /source\s+web/);
    await ctx.close();
  });

  test('search with filters, then a signature page with fixes, notes, history and chart', async () => {
    // A stored occurrence from a host, so the history has something to show.
    await t.http.post('/api/v1/dumps').set(t.admin).send({ content: MLX5, host: 'node-17' }).expect(201);
    const ctx = await loggedIn();
    const page = await open(ctx, '/search');
    await page.fill('#q', 'dma_pol_alloc');
    await page.press('#q', 'Enter');
    await page.waitForURL(/\/search\?q=dma_pol_alloc/);
    const first = page.locator('#search-result a.sig').first();
    await first.waitFor({ timeout: 10_000 });
    assert.match(await first.innerText(), /dma_pool_alloc|mlx5/);
    const row = await page.locator('#search-result tbody tr').first().innerText();
    assert.match(
      row,
      /use-after-free\s+open\s+3\s+1\s+20\d\d-/,
      'kind, status, fixes, seen count and last seen',
    );
    // Filters: kind and fixed narrow the list, and the form keeps them.
    await page.goto(base + '/search?q=&kind=double-free&status=&fixed=true&module=');
    await page.locator('#search-result caption').waitFor();
    const kinds = await page.locator('#search-result tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(kinds.length >= 1 && kinds.every((k) => k === 'double-free'), kinds.join(','));
    assert.equal(await page.locator('#kind').inputValue(), 'double-free');
    assert.equal(await page.locator('#fixed').inputValue(), 'true');
    await shot(page, 'search');
    await page.goto(base + '/search?q=dma_pool_alloc');
    await page.locator('#search-result a.sig').first().click();
    await page.waitForURL(/\/signatures\/[0-9a-f-]{36}$/);
    await page.locator('#fixes').waitFor();
    assert.match(await page.locator('#fixes').innerText(), /4cca96a8d9da/);
    const notes = page.locator('#notes');
    assert.match(await notes.locator('h3').first().innerText(), /Root cause/, 'markdown heading rendered');
    assert.ok((await notes.locator('code').count()) > 3, 'inline code rendered');
    assert.ok((await notes.locator('pre.code').count()) >= 1, 'fenced code rendered');
    assert.doesNotMatch(await notes.innerText(), /^## /m, 'no raw markdown');
    const hist = await page.locator('#history').innerText();
    assert.match(hist, /occurrences\s+1 \(1 distinct dump\)/);
    assert.match(hist, /node-17/);
    assert.match(hist, /3\.10\.0-1062\.18\.1\.el7\.x86_64/);
    assert.equal(await page.locator('#occurrence-chart rect.bar').count(), 1);
    assert.match(
      (await page.locator('#occurrence-chart').getAttribute('aria-label')) ?? '',
      /1 occurrences in the last 90 days/,
    );
    assert.match(await page.locator('#recent').innerText(), /node-17/);
    assert.match(await page.locator('#references').innerText(), /lore\.kernel\.org|PATCH/);
    assert.match(await page.locator('#matcher').innerText(), /mlx5_alloc_cmd_msg/);
    await shot(page, 'signature');
    // Edits from the page: a markdown note (markup in it stays text) and a status change.
    await page.fill(
      '#note-body',
      '**Seen again** on `node-17`. <img src=x onerror=alert(1)> [lore](https://lore.kernel.org/r/x)',
    );
    await page.click('#note-button');
    await page.locator('#note-status .notice').waitFor();
    const added = page.locator('#notes-list article').last();
    assert.equal(await added.locator('strong').innerText(), 'Seen again');
    assert.equal(await added.locator('code').innerText(), 'node-17');
    assert.equal(await added.locator('a').getAttribute('href'), 'https://lore.kernel.org/r/x');
    assert.equal(await page.locator('#notes img').count(), 0, 'no element from the note text');
    assert.match(await added.innerText(), /<img src=x onerror=alert\(1\)>/);
    await page.selectOption('#status-select', 'fixed');
    await page.click('#status-button');
    await page.locator('#status-msg', { hasText: 'saved: fixed' }).waitFor();
    const sigId = page.url().split('/').pop();
    const after = await t.http.get(`/api/v1/signatures/${sigId}`).set(t.admin).expect(200);
    assert.equal(after.body.status, 'fixed');
    assert.equal(after.body.notes.at(-1).author, 'CRASHKB_ADMIN_KEY');
    // The stored dump's page: marks, parsed view, matches with evidence.
    await page.locator('#recent a').first().click();
    await page.waitForURL(/\/dumps\/[0-9a-f-]{36}$/);
    await page.locator('#indicators li.ind').first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#matches').innerText(), /Known bug:[\s\S]*Evidence/);
    assert.ok((await page.locator('#raw mark.hl').count()) >= 3);
    assert.match(await page.locator('#parsed').innerText(), /dma_pool_alloc[\s\S]*guilty frame/);
    await shot(page, 'dump');
    await page.close();
    await ctx.close();
  });

  test('an unknown dump submitted through the API can be promoted from the buckets page', async () => {
    const content = kasanUseAfterFree({
      frames: ['ckb_ui_widget_poll', 'ckb_ui_widget_work', 'process_one_work', 'worker_thread', 'kthread'],
      freeFrames: ['kfree', 'ckb_ui_widget_release'],
      allocFrames: ['kmalloc_trace', 'ckb_ui_widget_open'],
      cache: 'kmalloc-192',
      size: 192,
      module: 'ckb_widget',
    });
    const sub = await t.http.post('/api/v1/dumps').set(t.admin).send({ content, host: 'lab-3' }).expect(201);
    assert.equal(sub.body.signatureId, null, 'unknown to the seed');
    const bucketId = sub.body.bucket.id;
    const title = sub.body.parsed.title as string;
    assert.match(title, /ckb_ui_widget_poll/);

    // A reader sees the bucket but no promote action.
    const reader = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'reader', scopes: ['read'] })
      .expect(201);
    let ctx = await loggedIn(reader.body.key);
    let page = await open(ctx, '/buckets?sort=recent');
    let row = page.locator(`#bucket-${bucketId}`);
    await row.waitFor();
    assert.match(await row.innerText(), /promoting needs the write scope/);
    assert.equal(await row.locator('button').count(), 0);
    await ctx.close();

    ctx = await loggedIn();
    page = await open(ctx, '/buckets');
    row = page.locator(`#bucket-${bucketId}`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(
      cells.slice(0, 4),
      [title, 'use-after-free', '1', '1'],
      'title, kind, occurrences, dumps',
    );
    await shot(page, 'buckets');
    // Keyboard only: focus the button, open the form, type, submit.
    await row.locator('button.promote').focus();
    await page.keyboard.press('Enter');
    const input = row.locator('input[name=title]');
    await input.waitFor();
    assert.equal(
      await page.evaluate("document.activeElement && document.activeElement.getAttribute('name')"),
      'title',
    );
    await input.fill('ckb widget poll use-after-free');
    await page.keyboard.press('Enter');
    const done = row.locator('a.promoted');
    await done.waitFor({ timeout: 10_000 });
    assert.match(await done.innerText(), /Promoted: ckb widget poll use-after-free/);
    assert.match(await page.locator('#bucket-status').innerText(), /1 dumps labelled/);
    const bucket = await t.http.get(`/api/v1/buckets/${bucketId}`).set(t.admin).expect(200);
    assert.ok(bucket.body.signatureId, 'the bucket now belongs to a signature');
    const sig = await t.http.get(`/api/v1/signatures/${bucket.body.signatureId}`).set(t.admin).expect(200);
    assert.equal(sig.body.title, 'ckb widget poll use-after-free');
    // The next dump like it is a known bug now.
    const again = await t.http
      .post('/api/v1/match')
      .set(t.admin)
      .set('content-type', 'text/plain')
      .send(content.replace(/lab-3/g, 'lab-4'))
      .expect(200);
    assert.equal(again.body.matches[0]?.signatureId, bucket.body.signatureId);
    await done.click();
    await page.waitForURL(/\/signatures\//);
    assert.match(await page.locator('h1').innerText(), /ckb widget poll use-after-free/);
    await ctx.close();
  });

  test('landmarks, labels and keyboard: skip link first, every field labelled', async () => {
    const ctx = await loggedIn();
    const found = await t.http.get('/api/v1/signatures?q=dma_pool_alloc&limit=1').set(t.admin).expect(200);
    const dumps = await t.http.get('/api/v1/dumps?limit=1').set(t.admin).expect(200);
    const pages = [
      '/',
      '/search',
      '/buckets',
      `/signatures/${found.body.items[0].id}`,
      `/dumps/${dumps.body.items[0].id}`,
      '/login',
    ];
    for (const p of pages) {
      const page = await open(ctx, p);
      await page.locator('h1').waitFor();
      if (p === '/login') {
        // The login page puts the cursor in its one field.
        assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'key');
      } else {
        await page.keyboard.press('Tab');
        assert.equal(
          await page.evaluate('document.activeElement && document.activeElement.className'),
          'skip',
          p,
        );
      }
      const unlabelled = await page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')].filter((e) => !(e.labels && e.labels.length)).map((e) => e.id)",
      );
      assert.deepEqual(unlabelled, [], p);
      assert.equal(await page.locator('main').count(), 1);
      assert.equal(await page.locator('nav[aria-label=Main]').count(), 1);
      await page.close();
    }
    await ctx.close();
  });

  test('no script error or CSP violation on any page', () => {
    assert.deepEqual(errors, []);
  });
});
