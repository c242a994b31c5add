// Verification on create (a signed hookrelay.test event first; a non-2xx answer stores
// nothing) and activation: a webhook receives only events that occur once it is active.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import type { ProblemBody } from '../helpers/app.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { engineApp, ingest, listDeliveries, verifyReceived, waitForDelivery, type WebhookJson } from './support.js';

test('creating a webhook sends a signed hookrelay.test event first', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(204));
  try {
    const res = await t.call<WebhookJson>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'verified', url: `${r.url}/in` });
    assert.equal(res.status, 201, res.raw);
    assert.equal(r.requests.length, 1);
    const req = r.requests[0];
    assert.ok(req !== undefined);
    assert.equal(req.url, '/in');
    const payload = verifyReceived(res.body.secret, req) as { id: string; type: string; tenantId: string; data: { webhookId: string } };
    assert.equal(payload.type, 'hookrelay.test');
    assert.equal(payload.tenantId, 'acme');
    assert.equal(payload.data.webhookId, res.body.id);
    assert.equal(req.headers['webhook-id'], payload.id);
    assert.equal((await t.call('GET', `/api/v1/webhooks/${res.body.id}`)).status, 200);
  } finally {
    await r.close();
    await t.close();
  }
});

test('a non-2xx answer to the test event fails the create with 400 and stores nothing', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(500, { body: 'endpoint broken' }));
  try {
    const list = async (): Promise<unknown[]> => (await t.call<{ data: unknown[] }>('GET', '/api/v1/webhooks')).body.data;
    const before = await list();
    const res = await t.call<ProblemBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'broken', url: r.url });
    assert.equal(res.status, 400, res.raw);
    assert.equal(res.body.code, 'webhook_verification_failed');
    assert.match(res.body.detail, /500/);
    assert.match(res.body.detail, /endpoint broken/);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(r.requests.length, 1, 'the test event was sent');
    assert.deepEqual(await list(), before, 'nothing was stored');

    const r3 = await startReceiver(always(302, { headers: { location: 'https://example.com/' } }));
    try {
      const redirect = await t.call<ProblemBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'redirect', url: r3.url });
      assert.equal(redirect.status, 400, 'a redirect is not a 2xx either');
      assert.match(redirect.body.detail, /302/);
    } finally {
      await r3.close();
    }
    assert.deepEqual(await list(), before);
  } finally {
    await r.close();
    await t.close();
  }
});

test('"verify": false skips the test event', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(500));
  try {
    const res = await t.call<WebhookJson>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'unverified', url: r.url, verify: false });
    assert.equal(res.status, 201, res.raw);
    assert.equal(r.requests.length, 0);
  } finally {
    await r.close();
    await t.close();
  }
});

test('activationDelaySeconds: events before activeFrom get no delivery, events after do', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver();
  try {
    const created = clock.now();
    const res = await t.call<WebhookJson>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'later', url: r.url, verify: false, activationDelaySeconds: 60 });
    assert.equal(res.status, 201, res.raw);
    const w = res.body;
    assert.equal(Date.parse(w.activeFrom), created + 60_000);

    const [early] = await ingest(t, [{ type: 'a.x', id: 'before-active' }]);
    assert.equal(early?.deliveries, 0);
    clock.advance(59_999);
    const [stillEarly] = await ingest(t, [{ type: 'a.x', id: 'just-before' }]);
    assert.equal(stillEarly?.deliveries, 0);

    clock.advance(1);
    const [late] = await ingest(t, [{ type: 'a.x', id: 'after-active' }]);
    assert.equal(late?.deliveries, 1);
    await waitForDelivery(t, w.id, 'after-active', ['delivered']);
    assert.deepEqual(r.requests.map((q) => q.headers['webhook-id']), ['after-active']);
    assert.deepEqual((await listDeliveries(t, { webhookId: w.id })).map((d) => d.eventId), ['after-active']);
  } finally {
    await r.close();
    await t.close();
  }
});
