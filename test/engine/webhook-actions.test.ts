// Webhook actions that talk to the endpoint: POST /webhooks/:id/test (the attempt is returned
// and recorded) and POST /webhooks/:id/rotate-secret (both signatures during the overlap, each
// verifying with its own secret under standardwebhooks and svix; one with overlapSeconds 0).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { ManualClock } from '../../src/clock.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import type { TestApp } from '../helpers/app.js';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, headersOf, ingest, verifyReceived, waitForDelivery, type AttemptJson } from './support.js';

const clock = new ManualClock(Date.now());
let t: TestApp;
let r: Receiver;
before(async () => {
  t = await engineApp({ clock });
  r = await startReceiver(always(200));
});
after(async () => {
  await r.close();
  await t.close();
});

test('POST /webhooks/:id/test sends a signed hookrelay.test event and returns and records the attempt', async () => {
  const w = await createWebhook(t, { url: r.url, eventTypes: ['never.*'] });
  const before = r.requests.length;
  const ok = await t.call<{ ok: boolean; attempt: AttemptJson }>('POST', `/api/v1/webhooks/${w.id}/test`);
  assert.equal(ok.status, 200, ok.raw);
  assert.equal(ok.body.ok, true);
  assert.equal(ok.body.attempt.status, 200);
  assert.equal(ok.body.attempt.outcome, 'success');
  assert.equal(r.requests.length, before + 1);
  const req = r.requests.at(-1);
  assert.ok(req !== undefined);
  const payload = verifyReceived(w.secret, req) as { type: string; data: { webhookId: string } };
  assert.equal(payload.type, 'hookrelay.test');
  assert.equal(payload.data.webhookId, w.id);
  const stored = await t.rt.store.deliveries.getAttempt(ALL_TENANTS, ok.body.attempt.id);
  assert.equal(stored?.status, 200, 'the attempt is recorded');
  assert.equal(stored?.webhookId, w.id);

  r.setBehaviour(always(500, { body: 'nope' }));
  try {
    const bad = await t.call<{ ok: boolean; attempt: AttemptJson }>('POST', `/api/v1/webhooks/${w.id}/test`);
    assert.equal(bad.status, 200, bad.raw);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.attempt.status, 500);
    assert.equal(bad.body.attempt.outcome, 'failure');
    assert.equal(bad.body.attempt.responseExcerpt, 'nope');
    assert.equal((await t.rt.store.deliveries.getAttempt(ALL_TENANTS, bad.body.attempt.id))?.status, 500);
  } finally {
    r.setBehaviour(always(200));
  }
  assert.equal((await t.call('POST', '/api/v1/webhooks/wh_missing/test')).status, 404);
});

test('rotate-secret with overlapSeconds 0: one signature, from the new secret only', async () => {
  const w = await createWebhook(t, { url: r.url, eventTypes: ['rot0.*'] });
  const rot = await t.call<{ secret: string; previousSecretExpiresAt: string | null }>('POST', `/api/v1/webhooks/${w.id}/rotate-secret`, { overlapSeconds: 0 });
  assert.equal(rot.status, 200, rot.raw);
  assert.equal(rot.body.previousSecretExpiresAt, null);
  await ingest(t, [{ type: 'rot0.x', id: 'evt-rot0' }]);
  await waitForDelivery(t, w.id, 'evt-rot0', ['delivered']);
  const req = r.requests.find((q) => q.headers['webhook-id'] === 'evt-rot0');
  assert.ok(req !== undefined);
  assert.equal(String(req.headers['webhook-signature']).split(' ').length, 1);
  verifyReceived(rot.body.secret, req);
  assert.throws(() => new StandardWebhook(w.secret).verify(req.body, headersOf(req)));
  assert.throws(() => new SvixWebhook(w.secret).verify(req.body, headersOf(req)));
});

test('rotate-secret: during the overlap both signatures are sent, each verifying with its own secret', async () => {
  const w = await createWebhook(t, { url: r.url, eventTypes: ['rot.*'] });
  const oldSecret = w.secret;
  const rot = await t.call<{ secret: string; previousSecretExpiresAt: string | null }>('POST', `/api/v1/webhooks/${w.id}/rotate-secret`, { overlapSeconds: 3600 });
  assert.equal(rot.status, 200, rot.raw);
  const newSecret = rot.body.secret;
  assert.match(newSecret, /^whsec_/);
  assert.notEqual(newSecret, oldSecret);
  assert.equal(rot.body.previousSecretExpiresAt, new Date(clock.now() + 3_600_000).toISOString());

  await ingest(t, [{ type: 'rot.x', id: 'evt-rot-1', data: { v: 1 } }]);
  await waitForDelivery(t, w.id, 'evt-rot-1', ['delivered']);
  const req = r.requests.find((q) => q.headers['webhook-id'] === 'evt-rot-1');
  assert.ok(req !== undefined);
  const headers = headersOf(req);
  const sigs = (headers['webhook-signature'] ?? '').split(' ');
  assert.equal(sigs.length, 2);
  verifyReceived(newSecret, req);
  verifyReceived(oldSecret, req);
  // Each signature alone: the first is the new secret's, the second the old one's.
  const only = (sig: string | undefined): Record<string, string> => ({ ...headers, 'webhook-signature': sig ?? '' });
  new StandardWebhook(newSecret).verify(req.body, only(sigs[0]));
  new SvixWebhook(oldSecret).verify(req.body, only(sigs[1]));
  assert.throws(() => new StandardWebhook(oldSecret).verify(req.body, only(sigs[0])));
  assert.throws(() => new SvixWebhook(newSecret).verify(req.body, only(sigs[1])));

  // The overlap ends: only the new secret signs.
  clock.advance(3_600_001);
  await ingest(t, [{ type: 'rot.x', id: 'evt-rot-2' }]);
  await waitForDelivery(t, w.id, 'evt-rot-2', ['delivered']);
  const late = r.requests.find((q) => q.headers['webhook-id'] === 'evt-rot-2');
  assert.equal(String(late?.headers['webhook-signature']).split(' ').length, 1);
});
