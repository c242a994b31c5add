// Per-webhook limits, measured at a real receiver: maxConcurrency caps requests in flight,
// rateLimitPerSecond is a token bucket (driven by a ManualClock: no sleeping).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, waitForAll } from '../engine/support.js';
import { staysAt } from './support.js';

test('maxConcurrency caps the requests an endpoint has in flight, and is reached', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(200, { delayMs: 150 }));
  try {
    const w = await createWebhook(t, { url: r.url, maxConcurrency: 3 });
    await ingest(t, Array.from({ length: 12 }, (_, i) => ({ type: 'c.x', id: `c${i}` })));
    await waitForAll(t, w.id, 12, ['delivered']);
    assert.equal(r.requests.length, 12);
    assert.equal(r.maxOpen(), 3, 'never more than 3 at once, and 3 were used');
  } finally {
    await r.close();
    await t.close();
  }
});

test('rateLimitPerSecond lets a second\'s worth through, then one request per 1/rate of clock time', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver(always(200));
  try {
    const w = await createWebhook(t, { url: r.url, rateLimitPerSecond: 5, maxConcurrency: 50 });
    await ingest(t, Array.from({ length: 20 }, (_, i) => ({ type: 'rl.x', id: `rl${i}` })));
    await r.waitFor(5);
    await staysAt(r, 5);
    clock.advance(1000);
    t.rt.dispatcher!.wake([w.id]);
    await r.waitFor(10);
    await staysAt(r, 10);
    clock.advance(400); // two tokens
    t.rt.dispatcher!.wake([w.id]);
    await r.waitFor(12);
    await staysAt(r, 12);
  } finally {
    await r.close();
    await t.close();
  }
});
