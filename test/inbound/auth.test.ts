// Every authentication mode of a source with good and bad credentials: none, basic, header,
// hmac (signed with the standardwebhooks library, over the raw bytes, 5-minute tolerance) and
// oauth2 (JWTs from a real oauth2-mock-server process, checked against its JWKS, issuer,
// audience and expiry). Refusals are 401 problem+json with a WWW-Authenticate challenge and
// store nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { TestApp } from '../helpers/app.js';
import { createSource, inboundApp, listRequests, send, startOAuth2Server, type OAuth2Process, type SourceJson } from './support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_b3RoZXItc2VjcmV0LW9mLWFub3RoZXItc2VuZGVy';

let t: TestApp;
before(async () => {
  t = await inboundApp();
});
after(() => t.close());

async function refused(sourceId: string, options: Parameters<typeof send>[2], challenge: RegExp): Promise<string> {
  const res = await send(t, sourceId, options);
  assert.equal(res.status, 401, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.match(String(res.headers['www-authenticate']), challenge);
  return String(res.json?.detail);
}

describe('none', () => {
  it('accepts anyone', async () => {
    const s = await createSource(t, { auth: { type: 'none' } });
    assert.equal((await send(t, s.id, { body: '{}' })).status, 200);
  });
});

describe('basic', () => {
  let s: SourceJson;
  const basic = (user: string, pass: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
  before(async () => {
    s = await createSource(t, { auth: { type: 'basic', username: 'partner', password: 'p@ss:word' } });
  });

  it('accepts the right username and password (a colon in the password included)', async () => {
    assert.equal((await send(t, s.id, { body: '{}', headers: basic('partner', 'p@ss:word') })).status, 200);
  });

  it('refuses a wrong password, a wrong user, another scheme, or nothing', async () => {
    await refused(s.id, { body: '{}', headers: basic('partner', 'wrong') }, /^Basic realm="hookrelay"/);
    await refused(s.id, { body: '{}', headers: basic('someone', 'p@ss:word') }, /^Basic/);
    await refused(s.id, { body: '{}', headers: { authorization: 'Bearer p@ss:word' } }, /^Basic/);
    const detail = await refused(s.id, { body: '{}' }, /^Basic/);
    assert.match(detail, /Authorization: Basic/);
    assert.equal((await listRequests(t, s.id)).length, 1, 'only the accepted request was stored');
  });
});

describe('header token', () => {
  let s: SourceJson;
  before(async () => {
    s = await createSource(t, { auth: { type: 'header', headerName: 'X-Webhook-Token', token: 'tok_abc' } });
  });

  it('accepts the token in the named header (any case)', async () => {
    assert.equal((await send(t, s.id, { body: '{}', headers: { 'X-WEBHOOK-TOKEN': 'tok_abc' } })).status, 200);
  });

  it('refuses a wrong, missing or misplaced token, naming the header', async () => {
    await refused(s.id, { body: '{}', headers: { 'x-webhook-token': 'tok_abd' } }, /header="X-Webhook-Token"/);
    await refused(s.id, { body: '{}', headers: { 'x-webhook-token': 'tok_abc ' } }, /^Token/);
    const detail = await refused(s.id, { body: '{}', headers: { authorization: 'tok_abc' } }, /^Token/);
    assert.match(detail, /X-Webhook-Token/);
  });

  it('refuses before reading the body: a bad token with a body over the limit is still a 401', async () => {
    const small = await createSource(t, { auth: { type: 'header', headerName: 'X-Token', token: 't' }, maxBodyBytes: 10 });
    await refused(small.id, { body: JSON.stringify({ p: 'x'.repeat(100) }), headers: { 'x-token': 'nope' } }, /^Token/);
  });
});

describe('hmac (Standard Webhooks)', () => {
  let s: SourceJson;
  const signer = new Webhook(SECRET);
  const signed = (id: string, body: string, at = new Date(), secret = signer): Record<string, string> => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secret.sign(id, at, body),
  });
  before(async () => {
    s = await createSource(t, { auth: { type: 'hmac', secret: SECRET } });
  });

  it('accepts a signature over the exact raw bytes (whitespace, key order and unicode as sent)', async () => {
    const body = '{"z":1,  "a":"caf\u00e9",\n "n":1.0}';
    const res = await send(t, s.id, { body, headers: signed('msg_ok_1', body) });
    assert.equal(res.status, 200, res.body);
    const [row] = await listRequests(t, s.id);
    assert.equal(row?.dedupKey, 'webhook-id:msg_ok_1');
  });

  it('accepts svix-* header names and one valid signature among several', async () => {
    const body = '{"svix":true}';
    const at = new Date();
    const res = await send(t, s.id, {
      body,
      headers: {
        'svix-id': 'msg_svix', 'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
        'svix-signature': `${new Webhook(OTHER_SECRET).sign('msg_svix', at, body)} ${signer.sign('msg_svix', at, body)}`,
      },
    });
    assert.equal(res.status, 200, res.body);
  });

  it('accepts timestamps within 5 minutes either way, refuses older or newer ones', async () => {
    const body = '{}';
    const now = Date.now();
    assert.equal((await send(t, s.id, { body, headers: signed('msg_old_ok', body, new Date(now - 290_000)) })).status, 200);
    assert.equal((await send(t, s.id, { body, headers: signed('msg_new_ok', body, new Date(now + 290_000)) })).status, 200);
    const detail = await refused(s.id, { body, headers: signed('msg_old', body, new Date(now - 310_000)) }, /^Signature/);
    assert.match(detail, /5 minutes/);
    await refused(s.id, { body, headers: signed('msg_future', body, new Date(now + 310_000)) }, /^Signature/);
  });

  it('refuses another secret, a changed body, a changed id, and missing or malformed headers', async () => {
    const body = '{"amount":100}';
    await refused(s.id, { body, headers: signed('msg_x', body, new Date(), new Webhook(OTHER_SECRET)) }, /^Signature/);
    await refused(s.id, { body: '{"amount":1000}', headers: signed('msg_x', body) }, /^Signature/);
    await refused(s.id, { body: `${body} `, headers: signed('msg_x', body) }, /^Signature/);
    await refused(s.id, { body, headers: { ...signed('msg_x', body), 'webhook-id': 'msg_y' } }, /^Signature/);
    const { 'webhook-signature': _omitted, ...unsigned } = signed('msg_x', body);
    assert.match(await refused(s.id, { body, headers: unsigned }, /^Signature/), /webhook-signature/);
    await refused(s.id, { body, headers: { ...signed('msg_x', body), 'webhook-timestamp': 'yesterday' } }, /^Signature/);
    await refused(s.id, { body, headers: { ...signed('msg_x', body), 'webhook-signature': 'v2,abc' } }, /^Signature/);
    assert.ok(!(await listRequests(t, s.id)).some((r) => r.dedupKey === 'webhook-id:msg_x'), 'nothing refused was stored');
  });

  it('a retried delivery (same webhook-id, fresh signature) is a duplicate, not a second request', async () => {
    const body = '{"retry":true}';
    assert.equal((await send(t, s.id, { body, headers: signed('msg_retry', body, new Date(Date.now() - 60_000)) })).status, 200);
    const again = await send(t, s.id, { body, headers: signed('msg_retry', body) });
    assert.equal(again.status, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
  });
});

describe('oauth2 (JWT bearer checked against the issuer JWKS)', () => {
  let issuer: OAuth2Process;
  let stranger: OAuth2Process;
  let s: SourceJson;
  const AUDIENCE = 'https://hookrelay.example/in';
  before(async () => {
    [issuer, stranger] = await Promise.all([startOAuth2Server(), startOAuth2Server()]);
    s = await createSource(t, { auth: { type: 'oauth2', jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: AUDIENCE } });
  });
  after(async () => {
    await Promise.all([issuer.stop(), stranger.stop()]);
  });
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

  it('accepts a token from the issuer for this audience', async () => {
    const res = await send(t, s.id, { body: '{}', headers: bearer(await issuer.token(AUDIENCE)) });
    assert.equal(res.status, 200, res.body);
    const [row] = await listRequests(t, s.id);
    const detail = await t.call<{ headers: Record<string, string> }>('GET', `/api/v1/sources/${s.id}/requests/${row?.id ?? ''}`);
    assert.equal(detail.body.headers.authorization, '[redacted]');
  });

  it('refuses an expired token, another audience, another issuer, a tampered token, garbage, or none (401 + Bearer challenge)', async () => {
    const expired = await refused(s.id, { body: '{}', headers: bearer(await issuer.token(AUDIENCE, -3600)) }, /^Bearer realm="hookrelay", error="invalid_token"/);
    assert.match(expired, /expired/);
    assert.match(await refused(s.id, { body: '{}', headers: bearer(await issuer.token('https://someone-else')) }, /invalid_token/), /aud/);
    await refused(s.id, { body: '{}', headers: bearer(await stranger.token(AUDIENCE)) }, /invalid_token/);
    const good = await issuer.token(AUDIENCE);
    const [h, p] = good.split('.');
    const forged = `${h ?? ''}.${Buffer.from(JSON.stringify({ iss: issuer.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.${good.split('.')[2] ?? ''}`;
    assert.notEqual(p, forged.split('.')[1]);
    assert.match(await refused(s.id, { body: '{}', headers: bearer(forged) }, /invalid_token/), /signature/);
    await refused(s.id, { body: '{}', headers: bearer('not-a-jwt') }, /invalid_token/);
    const none = await refused(s.id, { body: '{}' }, /^Bearer realm="hookrelay"$/);
    assert.match(none, /Authorization: Bearer/);
    assert.equal((await listRequests(t, s.id)).length, 1);
  });

  it('answers 503 with Retry-After (not 401) when the key set cannot be fetched', async () => {
    const down = await startOAuth2Server();
    const token = await down.token(AUDIENCE);
    const src = await createSource(t, { auth: { type: 'oauth2', jwksUrl: down.jwksUrl, issuer: down.issuer, audience: AUDIENCE } });
    await down.stop();
    const res = await send(t, src.id, { body: '{}', headers: bearer(token) });
    assert.equal(res.status, 503, res.body);
    assert.equal(res.headers['retry-after'], '5');
  });
});
