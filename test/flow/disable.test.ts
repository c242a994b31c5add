// Disabling: 410 Gone disables the webhook at once, failing without a single success for
// autoDisableAfterHours does too; outstanding deliveries go to the failed queue with reason
// webhook_disabled, the tenant gets hookrelay.webhook.disabled, and re-enabling plus recover
// brings the deliveries back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, listDeliveries, waitForAll, waitUntil } from '../engine/support.js';

interface WebhookState {
  enabled: boolean;
  disabledReason: string | null;
}

test('410 Gone disables the webhook; re-enable + recover delivers what was failed', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(410));
  const alerts = await startReceiver(always(200));
  try {
    await createWebhook(t, { url: alerts.url, eventTypes: ['hookrelay.webhook.disabled'], name: 'alerts' });
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 1, eventTypes: ['g.*'] });
    const since = new Date(Date.now() - 1000).toISOString();
    await ingest(t, Array.from({ length: 4 }, (_, i) => ({ type: 'g.x', id: `g${i}` })));
    const failed = await waitForAll(t, w.id, 4, ['failed']);
    for (const d of failed) assert.equal(d.failedReason, 'webhook_disabled');
    const view = (await t.call<WebhookState>('GET', `/api/v1/webhooks/${w.id}`)).body;
    assert.equal(view.enabled, false);
    assert.match(view.disabledReason ?? '', /410/);

    const [note] = await alerts.waitFor(1);
    const alert = JSON.parse(note!.body) as { type: string; data: { webhookId: string; failedDeliveries: number } };
    assert.equal(alert.type, 'hookrelay.webhook.disabled');
    assert.equal(alert.data.webhookId, w.id);

    r.setBehaviour(always(200));
    assert.equal((await t.call('PATCH', `/api/v1/webhooks/${w.id}`, { enabled: true })).status, 200);
    const rec = await t.call<{ requeued: number }>('POST', `/api/v1/webhooks/${w.id}/recover`, { since });
    assert.equal(rec.status, 202, rec.raw);
    assert.equal(rec.body.requeued, 4);
    await waitForAll(t, w.id, 4, ['delivered']);
  } finally {
    await r.close();
    await alerts.close();
    await t.close();
  }
});

test('a webhook failing without a single success for autoDisableAfterHours is disabled', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, random: () => 0.5, config: { circuitFailureThreshold: 1000 } });
  const r = await startReceiver(always(500));
  try {
    const w = await createWebhook(t, { url: r.url, autoDisableAfterHours: 1, retry: { initialDelayMs: 600_000, maxDelayMs: 600_000, maxDurationSeconds: 86_400 } });
    await ingest(t, [{ type: 'f.x', id: 'f0' }]);
    for (let i = 1; i <= 7; i++) {
      await r.waitFor(i);
      await waitUntil('recorded', async () => (await listDeliveries(t, { webhookId: w.id }))[0]?.attempts === i);
      const view = (await t.call<WebhookState>('GET', `/api/v1/webhooks/${w.id}`)).body;
      if (!view.enabled) {
        assert.ok(i >= 7, `disabled only after an hour of failures (attempt ${i})`);
        assert.match(view.disabledReason ?? '', /autoDisableAfterHours/);
        const [d] = await listDeliveries(t, { webhookId: w.id });
        assert.equal(d?.state, 'failed');
        assert.equal(d?.failedReason, 'webhook_disabled');
        return;
      }
      clock.advance(600_100); // the retry is due 10 min after the attempt finished
      t.rt.dispatcher!.wake([w.id]);
    }
    assert.fail('the webhook was never disabled');
  } finally {
    await r.close();
    await t.close();
  }
});
