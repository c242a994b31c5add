// Adaptive concurrency: a new endpoint starts in slow start (one request, +1 per success);
// 429/502/503/504 halve the effective concurrency (once per second), after which successes add
// it back gradually; Retry-After pauses the whole endpoint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, ms, waitForAll, waitForDelivery, waitUntil } from '../engine/support.js';
import { health, staysAt } from './support.js';

test('slow start to maxConcurrency, then a 503 halves the effective concurrency and successes raise it back one step per round', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver((_req, i) => ({ status: i === 7 ? 503 : 200 }));
  try {
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 8, retry: { initialDelayMs: 1000, maxDelayMs: 1000, maxDurationSeconds: 3600 } });
    assert.equal((await health(t, w.id)).concurrency.effective, 1, 'a new endpoint starts with one request in flight');

    // Slow start: every success adds one, so seven successes take 1 to 8.
    await ingest(t, Array.from({ length: 7 }, (_, i) => ({ type: 'a.x', id: `s${i}` })));
    await waitForAll(t, w.id, 7, ['delivered']);
    await waitUntil('effective 8', async () => (await health(t, w.id)).concurrency.effective === 8);

    await ingest(t, [{ type: 'a.x', id: 'first' }]);
    await waitForDelivery(t, w.id, 'first', ['retrying']);
    assert.equal((await health(t, w.id)).concurrency.effective, 4, '8 halved');

    // Additive increase after a throttle: +1/limit per success, so four successes at limit 4 make 5.
    await ingest(t, Array.from({ length: 4 }, (_, i) => ({ type: 'a.x', id: `ok${i}` })));
    await waitUntil('4 successes', () => r.requests.length >= 12);
    await waitUntil('effective 5', async () => (await health(t, w.id)).concurrency.effective === 5);
    assert.equal((await health(t, w.id)).concurrency.max, 8);
  } finally {
    await r.close();
    await t.close();
  }
});

test('Retry-After on a 429 pauses the whole endpoint, not only that delivery', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver((_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 200 }));
  try {
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 1, retry: { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 3600 } });
    await ingest(t, [{ type: 'p.x', id: 'p0' }]);
    const d = await waitForDelivery(t, w.id, 'p0', ['retrying']);
    assert.ok(Math.abs(ms(d.nextAttemptAt) - clock.now() - 30_000) < 1000, 'the delivery retries after Retry-After');
    const h = await health(t, w.id);
    assert.ok(h.pausedUntil !== null && ms(h.pausedUntil) >= clock.now() + 29_000, 'the endpoint is paused');

    await ingest(t, [{ type: 'p.x', id: 'p1' }, { type: 'p.x', id: 'p2' }]);
    t.rt.dispatcher!.wake([w.id]);
    await staysAt(r, 1);

    clock.advance(31_000);
    t.rt.dispatcher!.wake([w.id]);
    await waitForAll(t, w.id, 3, ['delivered']);
    assert.equal(r.requests.length, 4);
  } finally {
    await r.close();
    await t.close();
  }
});

test('slow start: an endpoint that never answered holds one connection, not maxConcurrency', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver(() => ({ status: 200, hang: true }));
  try {
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 10, timeoutMs: 30_000 });
    await ingest(t, Array.from({ length: 10 }, (_, i) => ({ type: 'h.x', id: `h${i}` })));
    await waitUntil('the first request', () => r.requests.length >= 1);
    t.rt.dispatcher!.wake([w.id]);
    await staysAt(r, 1);
    const h = await health(t, w.id);
    assert.equal(h.concurrency.effective, 1);
    assert.equal(h.concurrency.inFlight, 1);
  } finally {
    await t.close();
    await r.close();
  }
});
