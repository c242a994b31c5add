// FIFO ordering: one request in flight per webhook, in ingest order; a failing head holds the
// rest back (and the health API says so); batching keeps the order too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, ms, waitForAll, waitForDelivery, waitUntil } from '../engine/support.js';
import { health, receivedIds, staysAt } from './support.js';

test('fifo: one request at a time, in ingest order', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(200, { delayMs: 15 }));
  try {
    const w = await createWebhook(t, { url: r.url, ordering: 'fifo', maxConcurrency: 10 });
    const ids = Array.from({ length: 12 }, (_, i) => `o${String(i).padStart(2, '0')}`);
    await ingest(t, ids.slice(0, 6).map((id) => ({ type: 'o.x', id })));
    await ingest(t, ids.slice(6).map((id) => ({ type: 'o.x', id })));
    await waitForAll(t, w.id, 12, ['delivered']);
    assert.deepEqual(receivedIds(r), ids);
    assert.equal(r.maxOpen(), 1);
  } finally {
    await r.close();
    await t.close();
  }
});

test('fifo: a failing head holds the rest back, the health API names it, then the queue moves in order', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, random: () => 0.5 });
  const r = await startReceiver((req) => ({ status: (JSON.parse(req.body) as { id: string }).id === 'f0' && r.requests.filter((q) => q.body.includes('"f0"')).length <= 2 ? 500 : 200 }));
  try {
    const w = await createWebhook(t, { url: r.url, ordering: 'fifo', retry: { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 3600 } });
    await ingest(t, ['f0', 'f1', 'f2', 'f3'].map((id) => ({ type: 'f.x', id })));
    const head = await waitForDelivery(t, w.id, 'f0', ['retrying']);
    await staysAt(r, 1);
    const h = await health(t, w.id);
    assert.equal(h.fifo?.blocked, true);
    assert.equal(h.fifo?.headDeliveryId, head.id);

    clock.set(ms(head.nextAttemptAt));
    t.rt.dispatcher!.wake([w.id]);
    const again = await waitUntil('second failure', async () => {
      const d = await waitForDelivery(t, w.id, 'f0', ['retrying']);
      return d.attempts === 2 ? d : undefined;
    });
    await staysAt(r, 2);
    clock.set(ms(again.nextAttemptAt));
    t.rt.dispatcher!.wake([w.id]);
    await waitForAll(t, w.id, 4, ['delivered']);
    assert.deepEqual(receivedIds(r), ['f0', 'f0', 'f0', 'f1', 'f2', 'f3']);
    assert.equal((await health(t, w.id)).fifo?.blocked, false);
  } finally {
    await r.close();
    await t.close();
  }
});

test('fifo with batching: full batches in order, one at a time', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(200, { delayMs: 10 }));
  try {
    const w = await createWebhook(t, { url: r.url, ordering: 'fifo', batch: { maxEvents: 3, maxWaitMs: 0 } });
    const ids = Array.from({ length: 7 }, (_, i) => `b${i}`);
    await ingest(t, ids.map((id) => ({ type: 'b.x', id })));
    await waitForAll(t, w.id, 7, ['delivered']);
    const batches = r.requests.map((q) => (JSON.parse(q.body) as { id: string }[]).map((e) => e.id));
    assert.deepEqual(batches, [['b0', 'b1', 'b2'], ['b3', 'b4', 'b5'], ['b6']]);
    assert.equal(r.maxOpen(), 1);
  } finally {
    await r.close();
    await t.close();
  }
});
