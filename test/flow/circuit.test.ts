// The circuit breaker: after circuitFailureThreshold consecutive failures the endpoint's
// deliveries are held, one probe goes out at backoff, a successful probe closes the circuit
// and the held deliveries flow; a delivery held past its retry window goes to the failed queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, listDeliveries, ms, waitForAll, waitUntil } from '../engine/support.js';
import { health, staysAt } from './support.js';

const RETRY = { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 600 };

test('three failures open the circuit; deliveries are held; one probe at backoff; success closes it', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, random: () => 0.5, config: { circuitFailureThreshold: 3 } });
  const r = await startReceiver(always(500));
  const alerts = await startReceiver(always(200));
  try {
    const alert = await createWebhook(t, { url: alerts.url, eventTypes: ['hookrelay.*'], name: 'alerts' });
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 1, retry: RETRY, eventTypes: ['c.*'] });
    await ingest(t, Array.from({ length: 5 }, (_, i) => ({ type: 'c.x', id: `c${i}` })));
    await r.waitFor(3);
    const opened = await waitUntil('circuit open', async () => {
      const h = await health(t, w.id);
      return h.circuit.state === 'open' ? h : undefined;
    });
    assert.equal(opened.circuit.consecutiveFailures, 3);
    await staysAt(r, 3);

    // The tenant hears about it through its own subscription to hookrelay.*.
    const [note] = await alerts.waitFor(1);
    const body = JSON.parse(note!.body) as { type: string; data: { webhookId: string } };
    assert.equal(body.type, 'hookrelay.webhook.circuit_opened');
    assert.equal(body.data.webhookId, w.id);
    assert.notEqual(alert.id, w.id);

    // Retries fall due, but an open circuit holds them until the probe time.
    const probeAt = ms(opened.circuit.nextProbeAt);
    clock.set(probeAt - 1);
    t.rt.dispatcher!.wake([w.id]);
    await staysAt(r, 3);

    clock.set(probeAt);
    t.rt.dispatcher!.wake([w.id]);
    await r.waitFor(4);
    await staysAt(r, 4); // exactly one probe
    const reopened = await waitUntil('probe recorded', async () => {
      const h = await health(t, w.id);
      return h.circuit.state === 'open' && h.circuit.consecutiveFailures === 4 ? h : undefined;
    });
    assert.ok(ms(reopened.circuit.nextProbeAt) > probeAt + 1000, 'a failed probe backs off further');

    r.setBehaviour(always(200));
    clock.set(ms(reopened.circuit.nextProbeAt) + 60_000);
    t.rt.dispatcher!.wake([w.id]);
    await waitForAll(t, w.id, 5, ['delivered']);
    assert.equal((await health(t, w.id)).circuit.state, 'closed');
  } finally {
    await r.close();
    await alerts.close();
    await t.close();
  }
});

test('held time counts toward maxDurationSeconds: held deliveries past their window are failed', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, random: () => 0.5, config: { circuitFailureThreshold: 1 } });
  const r = await startReceiver(always(500));
  try {
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 1, retry: { initialDelayMs: 1000, maxDelayMs: 3_600_000, maxDurationSeconds: 60 } });
    await ingest(t, [{ type: 'h.x', id: 'h0' }]);
    await r.waitFor(1);
    await waitUntil('circuit open', async () => (await health(t, w.id)).circuit.state === 'open');
    await ingest(t, [{ type: 'h.x', id: 'h1' }, { type: 'h.x', id: 'h2' }]);
    await staysAt(r, 1);

    clock.advance(61_000);
    await t.rt.maintenance!.expireHeld(clock.now());
    const all = await listDeliveries(t, { webhookId: w.id });
    assert.equal(all.length, 3);
    for (const d of all) {
      assert.equal(d.state, 'failed', `${d.eventId} is failed`);
      assert.equal(d.failedReason, 'retries_exhausted');
    }
    assert.equal(r.requests.length, 1, 'nothing more was sent to the dead endpoint');
  } finally {
    await r.close();
    await t.close();
  }
});
