// The dashboard's HTTP contract, without a browser: escaping by default, the sign-in nonce,
// session cookie attributes, redirects that stay on this site, security headers, CSRF and
// Origin checks, and a revoked key signing its sessions out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { html, raw } from '../../src/dashboard/html.js';
import { safeNext } from '../../src/dashboard/pages/sign-in.js';
import { KEY_RECHECK_MS, parseCookies } from '../../src/dashboard/session.js';
import { testApp, type TestApp } from '../helpers/app.js';

describe('html templates', () => {
  it('escape every interpolation unless it is a trusted fragment', () => {
    const name = `<script>alert("x")</script>&'\``;
    assert.equal(html`<p title="${name}">${name}</p>`.value, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;</p>');
    assert.equal(html`<ul>${['<a>', html`<li>${'<b>'}</li>`, raw('<hr>'), 3, null, undefined, false]}</ul>`.value, '<ul>&lt;a&gt;<li>&lt;b&gt;</li><hr>3</ul>');
  });

  it('send people only to paths on this site after signing in', () => {
    for (const bad of ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', undefined, '/sign-in?next=/x']) assert.equal(safeNext(bad), '/');
    assert.equal(safeNext('/activity?state=failed'), '/activity?state=failed');
  });
});

describe('dashboard over HTTP', () => {
  let t: TestApp;
  const clock = new ManualClock(Date.now());

  before(async () => {
    t = await testApp({ clock });
  });
  after(() => t.close());

  async function signIn(key: string): Promise<{ cookie: string; csrf: string }> {
    const form = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const nonceCookie = (form.headers['set-cookie'] as string).split(';')[0] ?? '';
    const nonce = /name="nonce" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const res = await t.app.inject({ method: 'POST', url: '/sign-in', headers: { cookie: nonceCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ key, nonce, next: '/webhooks' }).toString() });
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/webhooks');
    const set = [res.headers['set-cookie']].flat().filter((c): c is string => typeof c === 'string');
    const session = set.find((c) => c.startsWith('hookrelay_session=')) ?? '';
    assert.match(session, /; HttpOnly; SameSite=Strict$/, 'HttpOnly and SameSite=Strict, not Secure over plain http');
    const cookie = session.split(';')[0] ?? '';
    const page = await t.app.inject({ method: 'GET', url: '/webhooks', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.ok(csrf.length > 20);
    return { cookie, csrf };
  }

  it('sends a visitor without a session to sign in, remembering where they were going', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/activity?state=failed' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/sign-in?next=${encodeURIComponent('/activity?state=failed')}`);
    const htmx = await t.app.inject({ method: 'GET', url: '/overview/panel', headers: { 'hx-request': 'true' } });
    assert.equal(htmx.headers['hx-redirect'], '/sign-in', 'htmx polling is told to leave the page, not to swap the sign-in form in');
  });

  it('refuses a sign-in without the nonce cookie, and a key that is not valid', async () => {
    const noNonce = await t.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=${t.adminKey}&nonce=abc` });
    assert.equal(noNonce.statusCode, 403);
    assert.ok(!noNonce.headers['set-cookie']?.includes('hookrelay_session=h'), 'no session was created');
    const form = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const cookies = parseCookies((form.headers['set-cookie'] as string).split(';')[0]);
    const nonce = cookies.get('hookrelay_sign_in') ?? '';
    const wrong = await t.app.inject({ method: 'POST', url: '/sign-in', headers: { cookie: `hookrelay_sign_in=${nonce}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: `key=hr_wrong&nonce=${nonce}` });
    assert.equal(wrong.statusCode, 401);
    assert.ok(wrong.body.includes('That API key is not valid.'));
  });

  it('serves pages with a strict Content-Security-Policy and without caching', async () => {
    const { cookie } = await signIn(t.adminKey);
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'; style-src 'self'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.ok(!res.body.includes(t.adminKey), 'the key never appears in a page');
    const htmx = await t.app.inject({ method: 'GET', url: '/static/vendor/htmx.min.js' });
    assert.equal(htmx.statusCode, 200);
    assert.match(String(htmx.headers['content-type']), /javascript/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/static/vendor/htmx.js' })).statusCode, 404, 'only htmx.min.js is served from node_modules');
  });

  it('checks the CSRF token and the Origin of every POST', async () => {
    const { cookie, csrf } = await signIn(t.adminKey);
    const post = (payload: string, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/tenants', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });
    assert.equal((await post('name=A&id=a1')).statusCode, 403, 'no token');
    assert.equal((await post(`name=A&id=a1&_csrf=${csrf}`, { origin: 'https://evil.example' })).statusCode, 403, 'another origin');
    assert.equal((await post('name=A&id=a1', { 'x-csrf-token': csrf, host: 'localhost:80', origin: 'http://localhost:80' })).statusCode, 303, 'the htmx header works too');
    assert.equal((await post(`name=B&id=a2&_csrf=${encodeURIComponent(csrf)}`)).statusCode, 303);
    assert.equal((await t.call<{ data: unknown[] }>('GET', '/api/v1/tenants')).body.data.length, 2);
  });

  it('signs a session out once its key is revoked elsewhere', async () => {
    const key = await t.key(['webhooks:read']);
    const { cookie } = await signIn(key);
    const id = (await t.call<{ data: { id: string; name: string }[] }>('GET', '/api/v1/api-keys')).body.data.find((k) => k.name === 'test')?.id ?? '';
    assert.equal((await t.call('DELETE', `/api/v1/api-keys/${id}`)).status, 204);
    clock.advance(KEY_RECHECK_MS + 1);
    const res = await t.app.inject({ method: 'GET', url: '/webhooks', headers: { cookie } });
    assert.equal(res.statusCode, 303);
    assert.match(String(res.headers.location), /^\/sign-in/);
  });

  it('renders problems from services as friendly pages, never stack traces', async () => {
    const { cookie } = await signIn(t.adminKey);
    const missing = await t.app.inject({ method: 'GET', url: '/webhooks/wh_nope', headers: { cookie } });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /text\/html/);
    assert.ok(missing.body.includes('No webhook with id'));
    const bad = await t.app.inject({ method: 'GET', url: '/activity?state=bogus&from=yesterday', headers: { cookie } });
    assert.equal(bad.statusCode, 200);
    assert.ok(bad.body.includes('Unknown state &quot;bogus&quot; ignored.'));
    assert.ok(!/at \S+ \(.*\.ts:\d+/.test(missing.body + bad.body));
  });
});
