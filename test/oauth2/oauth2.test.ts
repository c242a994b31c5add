// OAuth2 client credentials for outbound deliveries, against a real authorization server
// process, with the endpoint verifying every bearer JWT against its JWKS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { startOAuthServer, type OAuthServer } from '../helpers/oauth-server.js';
import { createWebhook, engineApp, getDelivery, ingest, listDeliveries, waitForAll, waitForDelivery, waitUntil } from '../engine/support.js';
import { startProtectedEndpoint } from './support.js';

const AUDIENCE = 'https://billing.example.com';

describe('OAuth2-protected webhooks', () => {
  let oauth: OAuthServer;
  before(async () => {
    oauth = await startOAuthServer();
  });
  after(async () => {
    await oauth.stop();
  });

  const authFor = (extra: Record<string, unknown> = {}) => ({ type: 'oauth2', tokenUrl: oauth.tokenUrl, clientId: 'hookrelay', clientSecret: 's3cret-value', audience: AUDIENCE, scope: 'webhooks', ...extra });

  it('1,000 deliveries cause one token request; every JWT verifies at the endpoint', async () => {
    await oauth.setMode('ok', 3600);
    const before = (await oauth.stats()).tokenRequests;
    const t = await engineApp();
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor(), maxConcurrency: 50 });
      await ingest(t, Array.from({ length: 1000 }, (_, i) => ({ type: 'o.x', id: `o${i}` })));
      await waitForAll(t, w.id, 1000, ['delivered'], 60_000);
      assert.equal(ep.accepted, 1000);
      assert.equal(ep.rejected, 0);
      const stats = await oauth.stats();
      assert.equal(stats.tokenRequests - before, 1, 'one token for all deliveries');
      assert.ok(stats.audiences.includes(AUDIENCE));
      const metrics = (await t.call<string>('GET', '/metrics', undefined, null)).raw;
      assert.match(metrics, /^hookrelay_oauth2_token_requests_total\{outcome="success"\} 1$/m);
      // Neither the client secret nor the token is ever shown.
      const view = await t.call('GET', `/api/v1/webhooks/${w.id}`);
      assert.doesNotMatch(view.raw, /s3cret-value/);
      const [d] = await listDeliveries(t, { webhookId: w.id });
      const detail = await getDelivery(t, d!.id);
      assert.equal(detail.attemptLog[0]?.requestHeaders.authorization, 'Bearer [redacted]');
    } finally {
      await ep.close();
      await t.close();
    }
  });

  it('refreshes about 30 minutes before expiry, in the background, while the old token still serves', async () => {
    await oauth.setMode('ok', 3600);
    const clock = new ManualClock(Date.now());
    const t = await engineApp({ clock });
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor({ clientAuth: 'post' }) });
      const start = (await oauth.stats()).tokenRequests;
      await ingest(t, [{ type: 'r.x', id: 'r0' }]);
      await waitForDelivery(t, w.id, 'r0', ['delivered']);
      clock.advance(29 * 60_000);
      await ingest(t, [{ type: 'r.x', id: 'r1' }]);
      await waitForDelivery(t, w.id, 'r1', ['delivered']);
      assert.equal((await oauth.stats()).tokenRequests - start, 1, 'still the first token at 29 min');
      clock.advance(2 * 60_000);
      await ingest(t, [{ type: 'r.x', id: 'r2' }]);
      await waitForDelivery(t, w.id, 'r2', ['delivered']);
      await waitUntil('background refresh', async () => (await oauth.stats()).tokenRequests - start === 2);
      assert.equal(ep.tokens[2], ep.tokens[0], 'the delivery at 31 min used the still-valid token');
      assert.ok((await oauth.stats()).postAuth >= 2, 'clientAuth post sends the credentials in the body');
      const health = await t.call<{ token: { validUntil: string; lastError: string | null } }>('GET', `/api/v1/webhooks/${w.id}/health`);
      assert.ok(Date.parse(health.body.token.validUntil) > clock.now() + 55 * 60_000, 'the refreshed token is valid for another hour');
      assert.equal(health.body.token.lastError, null);
      assert.doesNotMatch(health.raw, /eyJ/, 'the token itself is never shown');
    } finally {
      await ep.close();
      await t.close();
    }
  });

  it('a token living less than an hour is refreshed at half its life, with a warning recommending an hour', async () => {
    await oauth.setMode('ok', 600);
    const clock = new ManualClock(Date.now());
    const lines: string[] = [];
    const log = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const t = await engineApp({ clock, log });
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor() });
      const start = (await oauth.stats()).tokenRequests;
      await ingest(t, [{ type: 's.x', id: 's0' }]);
      await waitForDelivery(t, w.id, 's0', ['delivered']);
      clock.advance(299_000);
      await ingest(t, [{ type: 's.x', id: 's1' }]);
      await waitForDelivery(t, w.id, 's1', ['delivered']);
      assert.equal((await oauth.stats()).tokenRequests - start, 1, 'no refresh before 300 s');
      clock.advance(2000);
      await ingest(t, [{ type: 's.x', id: 's2' }]);
      await waitForDelivery(t, w.id, 's2', ['delivered']);
      await waitUntil('refresh at half life', async () => (await oauth.stats()).tokenRequests - start === 2);
      assert.ok(lines.some((l) => l.includes('at least one hour is recommended')), 'a warning recommends tokens of an hour or more');
      assert.ok(lines.every((l) => !l.includes('s3cret-value') && !/eyJ[\w-]+\.eyJ/.test(l)), 'logs carry neither the secret nor a token');
    } finally {
      await oauth.setMode('ok', 3600);
      await ep.close();
      await t.close();
    }
  });

  it('a 401 from the endpoint fetches a new token and retries at once', async () => {
    await oauth.setMode('ok', 3600);
    const t = await engineApp();
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor() });
      await ingest(t, [{ type: 'u.x', id: 'u0' }]);
      await waitForDelivery(t, w.id, 'u0', ['delivered']);
      ep.revoke(ep.tokens[0] ?? '');
      const start = (await oauth.stats()).tokenRequests;
      await ingest(t, [{ type: 'u.x', id: 'u1' }]);
      const d = await waitForDelivery(t, w.id, 'u1', ['delivered']);
      assert.equal((await oauth.stats()).tokenRequests - start, 1, 'one new token');
      assert.deepEqual(d.attemptLog.map((a) => a.status), [200, 401], 'the 401 and the immediate resend are both in the log');
      assert.equal(d.attempts, 1, 'it counts as one attempt of the delivery');
    } finally {
      await ep.close();
      await t.close();
    }
  });

  it('token server failing → token_unavailable in the failed queue, not retried; reprocessing after the fix delivers', async () => {
    await oauth.setMode('error');
    const t = await engineApp();
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor(), retry: { initialDelayMs: 100, maxDelayMs: 100, maxDurationSeconds: 3600 } });
      await ingest(t, [{ type: 'd.x', id: 'd0' }, { type: 'd.x', id: 'd1' }]);
      const failed = await waitForAll(t, w.id, 2, ['failed']);
      for (const d of failed) assert.equal(d.failedReason, 'token_unavailable');
      assert.equal(ep.tokens.length, 0, 'the endpoint was never called without a token');
      const health = await t.call<{ token: { lastError: string } }>('GET', `/api/v1/webhooks/${w.id}/health`);
      assert.match(health.body.token.lastError, /500|server_error/);

      await oauth.setMode('ok');
      const res = await t.call<{ requeued: number }>('POST', '/api/v1/deliveries/retry', { webhookId: w.id });
      assert.equal(res.body.requeued, 2);
      await waitForAll(t, w.id, 2, ['delivered']);
    } finally {
      await ep.close();
      await t.close();
    }
  });

  it('invalid_client from the token endpoint → token_unavailable naming it', async () => {
    await oauth.setMode('invalid_client');
    const t = await engineApp();
    const ep = await startProtectedEndpoint(oauth.issuer, AUDIENCE);
    try {
      const w = await createWebhook(t, { url: ep.url, auth: authFor({ clientSecret: 'wrong' }) });
      await ingest(t, [{ type: 'i.x', id: 'i0' }]);
      const d = await waitForDelivery(t, w.id, 'i0', ['failed']);
      assert.equal(d.failedReason, 'token_unavailable');
      assert.match(d.lastError ?? '', /invalid_client/);
      assert.equal(d.attemptLog[0]?.errorClass, 'token_unavailable');
    } finally {
      await oauth.setMode('ok');
      await ep.close();
      await t.close();
    }
  });
});
