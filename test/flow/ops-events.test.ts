// Operational events reach only webhooks that subscribe to them by name, are listed as event
// types, and never feed on themselves when the alerting endpoint fails too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, waitForAll, waitForDelivery } from '../engine/support.js';
import { staysAt } from './support.js';

interface Ops {
  type: string;
  tenantId: string;
  data: { deliveryId: string; webhookId: string; eventId: string; reason?: string; attempts: number };
}

test('hookrelay.delivery.failed and .recovered reach a webhook subscribed to hookrelay.*, and only it', async () => {
  const t = await engineApp();
  const failing = await startReceiver(always(500));
  const flaky = await startReceiver((_req, i) => ({ status: i === 0 ? 503 : 200 }));
  const alerts = await startReceiver(always(200));
  const everything = await startReceiver(always(200));
  try {
    await createWebhook(t, { url: alerts.url, eventTypes: ['hookrelay.*'], name: 'alerts' });
    await createWebhook(t, { url: everything.url, eventTypes: ['*'], name: 'all business events' });
    const bad = await createWebhook(t, { url: failing.url, eventTypes: ['x.fail'], retry: { maxDurationSeconds: 0 } });
    const ok = await createWebhook(t, { url: flaky.url, eventTypes: ['x.flaky'], retry: { initialDelayMs: 100, maxDelayMs: 100 } });
    await ingest(t, [{ type: 'x.fail', id: 'doomed' }, { type: 'x.flaky', id: 'late' }]);
    await waitForDelivery(t, bad.id, 'doomed', ['failed']);
    await waitForDelivery(t, ok.id, 'late', ['delivered']);

    const got = (await alerts.waitFor(2)).map((q) => JSON.parse(q.body) as Ops);
    const failed = got.find((e) => e.type === 'hookrelay.delivery.failed');
    const recovered = got.find((e) => e.type === 'hookrelay.delivery.recovered');
    assert.equal(failed?.data.eventId, 'doomed');
    assert.equal(failed?.data.reason, 'no_retries');
    assert.equal(failed?.tenantId, 'acme');
    assert.equal(recovered?.data.eventId, 'late');
    assert.equal(recovered?.data.attempts, 2);
    await staysAt(everything, 2); // the two business events, no operational ones
    assert.ok(everything.requests.every((q) => !q.body.includes('"hookrelay.')));
  } finally {
    await Promise.all([failing.close(), flaky.close(), alerts.close(), everything.close()]);
    await t.close();
  }
});

test('an alerting endpoint that fails does not generate alerts about itself', async () => {
  const t = await engineApp();
  const failing = await startReceiver(always(500));
  const deadAlerts = await startReceiver(always(500));
  try {
    const alert = await createWebhook(t, { url: deadAlerts.url, eventTypes: ['hookrelay.*'], retry: { maxDurationSeconds: 0 }, name: 'alerts' });
    await createWebhook(t, { url: failing.url, eventTypes: ['x.fail'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'x.fail', id: 'one' }]);
    await deadAlerts.waitFor(1);
    await waitForAll(t, alert.id, 1, ['failed']);
    await staysAt(deadAlerts, 1, 500);
  } finally {
    await failing.close();
    await deadAlerts.close();
    await t.close();
  }
});

test('operational event types are listed in the catalogue', async () => {
  const t = await engineApp({ engine: false });
  try {
    const res = await t.call<{ data: { name: string }[] }>('GET', '/api/v1/event-types?limit=100');
    const names = res.body.data.map((e) => e.name);
    for (const n of ['hookrelay.webhook.disabled', 'hookrelay.webhook.circuit_opened', 'hookrelay.delivery.failed', 'hookrelay.delivery.recovered']) {
      assert.ok(names.includes(n), `${n} is listed`);
    }
  } finally {
    await t.close();
  }
});
