// Batching webhooks: a batch goes when maxEvents are waiting or maxWaitMs has passed since
// the oldest waiting event (driven with a ManualClock), and the largest batch (10,000 events)
// arrives as one signed request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import type { TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import { createWebhook, engineApp, ingest, listDeliveries, verifyReceived, waitForAll, waitUntil } from './support.js';

/** Waits until the dispatcher has looked at the webhook and decided to wait until `dueAt`. */
async function waitForDueAt(t: TestApp, webhookId: string, dueAt: number): Promise<void> {
  await waitUntil(`webhook ${webhookId} due at ${new Date(dueAt).toISOString()}`, async () => (await t.rt.store.dispatch.getEndpointState(webhookId))?.dueAt === dueAt, 5000);
}

test('maxEvents: nothing is sent while fewer are waiting; the Nth event sends all N at once', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url, batch: { maxEvents: 5, maxWaitMs: 30_000 } });
    const t0 = clock.now();
    await ingest(t, [1, 2, 3, 4].map((n) => ({ type: 'b.x', id: `e${n}`, data: { n } })));
    await waitForDueAt(t, w.id, t0 + 30_000);
    assert.equal(r.requests.length, 0, 'four of five: still waiting');
    clock.advance(1000);
    await ingest(t, [{ type: 'b.x', id: 'e5', data: { n: 5 } }]);
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    const body = verifyReceived(w.secret, req) as { id: string }[];
    assert.deepEqual(body.map((e) => e.id), ['e1', 'e2', 'e3', 'e4', 'e5']);
    await waitForAll(t, w.id, 5, ['delivered']);
    assert.equal(r.requests.length, 1);
  } finally {
    await r.close();
    await t.close();
  }
});

test('maxEvents: a backlog larger than maxEvents goes out in full batches', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url, batch: { maxEvents: 4, maxWaitMs: 30_000 } });
    await ingest(t, Array.from({ length: 9 }, (_, i) => ({ type: 'b.x', id: `f${i}` })));
    await r.waitFor(2);
    await waitForAll(t, w.id, 9, ['delivered', 'pending']);
    const sizes = r.requests.map((q) => (JSON.parse(q.body) as unknown[]).length);
    assert.deepEqual(sizes, [4, 4], 'the ninth waits for its batch to fill or time out');
    clock.advance(30_001);
    t.rt.dispatcher!.wake([w.id]);
    await r.waitFor(3);
    assert.deepEqual((JSON.parse(r.requests[2]?.body ?? '[]') as { id: string }[]).map((e) => e.id), ['f8']);
    await waitForAll(t, w.id, 9, ['delivered']);
  } finally {
    await r.close();
    await t.close();
  }
});

test('maxWaitMs: a partial batch goes once the oldest event has waited maxWaitMs', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url, batch: { maxEvents: 10, maxWaitMs: 5000 } });
    const t0 = clock.now();
    await ingest(t, [{ type: 'b.x', id: 'p1' }, { type: 'b.x', id: 'p2' }]);
    await waitForDueAt(t, w.id, t0 + 5000);
    clock.advance(2000);
    await ingest(t, [{ type: 'b.x', id: 'p3' }]);
    await waitForDueAt(t, w.id, t0 + 5000);
    assert.equal(r.requests.length, 0, 'timed from the oldest event, not the newest');

    clock.advance(2999);
    // Mark the webhook due now, so seeing t0 + 5000 again proves the dispatcher re-examined it.
    await t.rt.store.transaction((tx) => tx.dispatch.bumpDue([w.id], clock.now()));
    t.rt.dispatcher!.wake([w.id]);
    await waitForDueAt(t, w.id, t0 + 5000);
    assert.equal(r.requests.length, 0, '1 ms before maxWaitMs: still waiting');

    clock.advance(2);
    t.rt.dispatcher!.wake([w.id]);
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    assert.deepEqual((verifyReceived(w.secret, req) as { id: string }[]).map((e) => e.id), ['p1', 'p2', 'p3']);
    await waitForAll(t, w.id, 3, ['delivered']);
  } finally {
    await r.close();
    await t.close();
  }
});

test('a 10,000-event batch arrives as one signed request with every event', async () => {
  const t = await engineApp();
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url, batch: { maxEvents: 10_000, maxWaitMs: 30_000 } });
    const ids: string[] = [];
    const started = performance.now();
    for (let req = 0; req < 10; req++) {
      const events = Array.from({ length: 1000 }, (_, i) => ({ type: 'bulk.x', id: `big-${req}-${i}`, data: { req, i } }));
      ids.push(...events.map((e) => e.id));
      await ingest(t, events);
    }
    const ingested = performance.now();
    const [req] = await r.waitFor(1, 30_000);
    assert.ok(req !== undefined);
    const body = verifyReceived(w.secret, req) as { id: string; data: { req: number; i: number } }[];
    assert.equal(body.length, 10_000);
    assert.deepEqual(body.map((e) => e.id), ids, 'every event once, in ingest order');
    assert.deepEqual(body[9999]?.data, { req: 9, i: 999 });
    await waitUntil('10,000 deliveries delivered', async () => (await t.rt.store.deliveries.countByState(ALL_TENANTS)).delivered === 10_000, 30_000, 50);
    const [first] = await listDeliveries(t, { webhookId: w.id, limit: '1' });
    assert.equal(req.headers['webhook-id'], first?.batchId);
    assert.equal(r.requests.length, 1);
    console.log(`10,000-event batch: ingest ${Math.round(ingested - started)} ms, body ${(req.body.length / 1e6).toFixed(2)} MB, delivered ${Math.round(performance.now() - ingested)} ms after ingest`);
  } finally {
    await r.close();
    await t.close();
  }
});
