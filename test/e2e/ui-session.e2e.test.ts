// The web page's login over the real HTTP stack: an API key exchanged for an http-only,
// SameSite=Strict session cookie; CSRF token on changes; logout; expiry; revocation; and the
// Bearer API key for bots working exactly as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/app';

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const set = res.headers['set-cookie'] as string[] | undefined;
  assert.ok(set && set.length === 1, `one Set-Cookie, got ${JSON.stringify(set)}`);
  return set[0];
}

describe('web page login (session cookie)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t?.close();
  });

  async function login(key = ADMIN_KEY) {
    const res = await t.http.post('/api/v1/session').send({ key }).expect(201);
    const setCookie = cookieOf(res);
    return { cookie: setCookie.split(';')[0], setCookie, body: res.body };
  }

  test('a key is exchanged for an http-only, SameSite=Strict cookie and a CSRF token', async () => {
    const { setCookie, cookie, body } = await login();
    assert.match(setCookie, /^crashkb_session=[A-Za-z0-9_-]{40,}/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.match(setCookie, /Max-Age=43200/, 'twelve hours by default');
    assert.ok(!setCookie.includes(ADMIN_KEY), 'the key itself is never the cookie');
    assert.deepEqual(body.scopes, ['admin']);
    assert.match(body.csrfToken, /^[A-Za-z0-9_-]{40,}$/);
    const me = await t.http.get('/api/v1/session').set('cookie', cookie).expect(200);
    assert.equal(me.body.csrfToken, body.csrfToken);
    assert.equal(me.body.name, 'CRASHKB_ADMIN_KEY');
    // The session reads like a key does.
    const list = await t.http.get('/api/v1/signatures').set('cookie', cookie).expect(200);
    assert.equal(typeof list.body.total, 'number');
    const ds = t.app.get(DataSource);
    const rows = await ds.query(`SELECT token_hash FROM ui_sessions`);
    assert.ok(rows.length >= 1);
    assert.ok(
      rows.every((r: { token_hash: string }) => r.token_hash !== cookie.split('=')[1]),
      'only the hash is stored',
    );
  });

  test('a wrong key, a missing key or a non-JSON body is a 4xx with a message', async () => {
    let res = await t.http.post('/api/v1/session').send({ key: 'nope-nope-nope' }).expect(401);
    assert.match(res.body.detail, /unknown or revoked API key/);
    assert.equal(res.headers['set-cookie'], undefined);
    res = await t.http.post('/api/v1/session').send({}).expect(400);
    assert.match(res.body.detail, /key/);
    res = await t.http.post('/api/v1/session').set('content-type', 'text/plain').send(ADMIN_KEY);
    assert.equal(res.status, 400);
    res = await t.http.get('/api/v1/session').expect(401);
    assert.match(res.body.detail, /not logged in/);
    res = await t.http
      .get('/api/v1/signatures')
      .set('cookie', 'crashkb_session=' + 'x'.repeat(43))
      .expect(401);
    assert.match(res.body.detail, /session expired or logged out/);
  });

  test('changes with the cookie need the CSRF token and the same origin', async () => {
    const { cookie, body } = await login();
    const sig = {
      title: 'csrf test signature',
      kind: 'warning',
      matcher: { frames: ['csrf_test_frame'] },
    };
    let res = await t.http.post('/api/v1/signatures').set('cookie', cookie).send(sig).expect(403);
    assert.match(res.body.detail, /X-CSRF-Token/);
    res = await t.http
      .post('/api/v1/signatures')
      .set('cookie', cookie)
      .set('x-csrf-token', body.csrfToken.slice(0, -2) + 'AA')
      .send(sig)
      .expect(403);
    res = await t.http
      .post('/api/v1/signatures')
      .set('cookie', cookie)
      .set('x-csrf-token', body.csrfToken)
      .set('origin', 'https://evil.example')
      .send(sig)
      .expect(403);
    assert.match(res.body.detail, /cross-origin/);
    res = await t.http
      .post('/api/v1/signatures')
      .set('cookie', cookie)
      .set('x-csrf-token', body.csrfToken)
      .send(sig)
      .expect(201);
    assert.equal(res.body.createdBy, 'CRASHKB_ADMIN_KEY');
    // A login from another origin is refused too (login CSRF).
    await t.http
      .post('/api/v1/session')
      .set('origin', 'https://evil.example')
      .send({ key: ADMIN_KEY })
      .expect(403);
  });

  test('the session has the scopes of its key; revoking the key ends it', async () => {
    const created = await t.http
      .post('/api/v1/api-keys')
      .set(t.admin)
      .send({ name: 'reader', scopes: ['read'] })
      .expect(201);
    const { cookie, body } = await login(created.body.key);
    assert.deepEqual(body.scopes, ['read']);
    await t.http.get('/api/v1/buckets').set('cookie', cookie).expect(200);
    const res = await t.http
      .post('/api/v1/signatures')
      .set('cookie', cookie)
      .set('x-csrf-token', body.csrfToken)
      .send({ title: 'x', kind: 'warning', matcher: { frames: ['f'] } })
      .expect(403);
    assert.match(res.body.detail, /lacks the "write" scope/);
    await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(t.admin).expect(204);
    await t.http.get('/api/v1/buckets').set('cookie', cookie).expect(401);
  });

  test('logout needs the CSRF token, ends the session and clears the cookie', async () => {
    const { cookie, body } = await login();
    await t.http.delete('/api/v1/session').set('cookie', cookie).expect(403);
    await t.http.get('/api/v1/session').set('cookie', cookie).expect(200);
    const res = await t.http
      .delete('/api/v1/session')
      .set('cookie', cookie)
      .set('x-csrf-token', body.csrfToken)
      .expect(204);
    assert.match(cookieOf(res), /crashkb_session=;.*Expires=Thu, 01 Jan 1970/);
    await t.http.get('/api/v1/session').set('cookie', cookie).expect(401);
    await t.http.get('/api/v1/signatures').set('cookie', cookie).expect(401);
  });

  test('an expired session is refused', async () => {
    const { cookie } = await login();
    await t.http.get('/api/v1/signatures').set('cookie', cookie).expect(200);
    await t.app.get(DataSource).query(`UPDATE ui_sessions SET expires_at = now() - interval '1 second'`);
    const res = await t.http.get('/api/v1/signatures').set('cookie', cookie).expect(401);
    assert.match(res.body.detail, /session expired/);
  });

  test('Bearer keys work as before, and win over a cookie', async () => {
    await t.http.get('/api/v1/signatures').set(t.admin).expect(200);
    await t.http.get('/api/v1/signatures').expect(401);
    const res = await t.http
      .get('/api/v1/signatures')
      .set('authorization', 'Bearer wrong-key-123')
      .set('cookie', (await login()).cookie)
      .expect(401);
    assert.match(res.body.detail, /unknown or revoked API key/);
    // No CSRF token is asked of a Bearer caller.
    await t.http
      .post('/api/v1/signatures')
      .set(t.admin)
      .send({ title: 'bearer ok', kind: 'warning', matcher: { frames: ['bearer_frame'] } })
      .expect(201);
  });
});
