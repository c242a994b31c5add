// Retries, driven by a ManualClock (no sleeping through backoff): growing intervals within
// jitter, Retry-After honoured within the cap, the failed queue after maxDurationSeconds or at
// once with 0, and the delivery's timeline and attempt log in GET /deliveries/:id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import type { TestApp } from '../helpers/app.js';
import { always, failTimes, startReceiver, type Receiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, getDelivery, ingest, listDeliveries, ms, waitUntil, type DeliveryDetailJson } from './support.js';

interface Setup {
  t: TestApp;
  clock: ManualClock;
  r: Receiver;
  webhookId: string;
}

async function setup(t: TestApp, clock: ManualClock, r: Receiver, retry: Record<string, number>, run: (s: Setup) => Promise<void>): Promise<void> {
  try {
    const w = await createWebhook(t, { url: r.url, retry });
    await run({ t, clock, r, webhookId: w.id });
  } finally {
    await r.close();
    await t.close();
  }
}

/** The single delivery of the webhook once it has `attempts` attempts recorded. */
async function afterAttempt(s: Setup, attempts: number): Promise<DeliveryDetailJson> {
  await s.r.waitFor(attempts);
  const d = await waitUntil(`attempt ${attempts} recorded`, async () => {
    const [x] = await listDeliveries(s.t, { webhookId: s.webhookId });
    return x !== undefined && x.attempts === attempts && x.state !== 'delivering' && x.state !== 'pending' ? x : undefined;
  });
  return getDelivery(s.t, d.id);
}

/** Moves the clock to the delivery's next attempt time and wakes the dispatcher. */
function goTo(s: Setup, d: DeliveryDetailJson, extraMs = 0): void {
  s.clock.set(ms(d.nextAttemptAt) + extraMs);
  s.t.rt.dispatcher!.wake([s.webhookId]);
}

/** Marks the webhook due, wakes the dispatcher, and waits until its claim wrote back `dueAt`. */
async function settled(s: Setup, dueAt: number | null): Promise<void> {
  await s.t.rt.store.transaction((tx) => tx.dispatch.bumpDue([s.webhookId], s.clock.now()));
  s.t.rt.dispatcher!.wake([s.webhookId]);
  await waitUntil(`dueAt ${String(dueAt)}`, async () => (await s.t.rt.store.dispatch.getEndpointState(s.webhookId))?.dueAt === dueAt, 5000);
}

test('a failing endpoint is retried at doubling intervals, within ±20 % jitter', async () => {
  const clock = new ManualClock(Date.now());
  await setup(await engineApp({ clock, random: Math.random }), clock, await startReceiver(always(500)), { initialDelayMs: 1000, maxDelayMs: 600_000, maxDurationSeconds: 3600 }, async (s) => {
    await ingest(s.t, [{ type: 'r.x', id: 'evt-r' }]);
    const gaps: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const d = await afterAttempt(s, i);
      assert.equal(d.state, 'retrying');
      assert.equal(s.r.requests.length, i);
      const duration = d.attemptLog[0]?.durationMs ?? 0;
      const delay = ms(d.nextAttemptAt) - ms(d.lastAttemptAt) - duration;
      const base = 1000 * 2 ** (i - 1);
      assert.ok(delay >= Math.floor(base * 0.8) && delay <= Math.ceil(base * 1.2), `attempt ${i}: delay ${delay} for base ${base}`);
      gaps.push(delay);
      goTo(s, d);
    }
    // Across the six gaps the growth is exponential: each base doubles, jitter is at most ±20 %.
    assert.ok((gaps[5] ?? 0) > (gaps[2] ?? 0) * 4, `gaps ${gaps.join(', ')}`);
  });
});

test('Retry-After on 429/503 sets the next attempt (seconds or HTTP-date), capped at maxDelayMs', async () => {
  const clock = new ManualClock(Date.now());
  const answers = (_req: unknown, i: number) =>
    i === 0 ? { status: 429, headers: { 'retry-after': '7' } }
      : i === 1 ? { status: 503, headers: { 'retry-after': new Date(Math.ceil(clock.now() / 1000) * 1000 + 20_000).toUTCString() } }
        : i === 2 ? { status: 429, headers: { 'retry-after': '3600' } }
          : { status: 200 };
  await setup(await engineApp({ clock, random: () => 0.5 }), clock, await startReceiver(answers), { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 86_400 }, async (s) => {
    await ingest(s.t, [{ type: 'r.x', id: 'evt-ra' }]);

    const first = await afterAttempt(s, 1);
    const finished1 = ms(first.lastAttemptAt) + (first.attemptLog[0]?.durationMs ?? 0);
    assert.equal(ms(first.nextAttemptAt), finished1 + 7000, 'Retry-After: 7 → 7 s later (not the 1 s backoff)');
    const state = await s.t.rt.store.dispatch.getEndpointState(s.webhookId);
    assert.equal(state?.pausedUntil, finished1 + 7000, 'the endpoint is paused for as long');
    s.clock.set(finished1 + 6999);
    await settled(s, finished1 + 7000);
    assert.equal(s.r.requests.length, 1, 'nothing is sent before Retry-After has passed');

    goTo(s, first);
    const second = await afterAttempt(s, 2);
    const delay2 = ms(second.nextAttemptAt) - ms(second.lastAttemptAt) - (second.attemptLog[0]?.durationMs ?? 0);
    assert.ok(delay2 > 19_000 && delay2 <= 21_000, `HTTP-date 20 s ahead → ${delay2} ms`);

    goTo(s, second);
    const third = await afterAttempt(s, 3);
    const delay3 = ms(third.nextAttemptAt) - ms(third.lastAttemptAt) - (third.attemptLog[0]?.durationMs ?? 0);
    assert.equal(delay3, 60_000, 'Retry-After: 3600 is capped at maxDelayMs');

    goTo(s, third);
    const done = await afterAttempt(s, 4);
    assert.equal(done.state, 'delivered');
  });
});

test('retries end in the failed queue (retries_exhausted) once maxDurationSeconds has passed', async () => {
  const clock = new ManualClock(Date.now());
  await setup(await engineApp({ clock, random: () => 0.5 }), clock, await startReceiver(always(500)), { initialDelayMs: 1000, maxDelayMs: 4000, maxDurationSeconds: 10 }, async (s) => {
    const t0 = clock.now();
    await ingest(s.t, [{ type: 'r.x', id: 'evt-ex' }]);
    // Tries at ~0 s, 1 s, 3 s, 7 s; the next would be at ~11 s, past the 10 s window.
    let d = await afterAttempt(s, 1);
    for (let i = 2; i <= 4; i++) {
      goTo(s, d);
      d = await afterAttempt(s, i);
    }
    assert.equal(d.state, 'failed');
    assert.equal(d.failedReason, 'retries_exhausted');
    assert.equal(d.attempts, 4);
    assert.equal(d.nextAttemptAt, null);
    assert.equal(ms(d.firstAttemptAt), t0);
    const offsets = d.attemptLog.map((a) => Date.parse(a.startedAt) - t0).reverse();
    assert.deepEqual(offsets.map((o) => Math.round(o / 1000)), [0, 1, 3, 7]);

    s.clock.advance(3_600_000);
    await settled(s, null);
    assert.equal(s.r.requests.length, 4, 'a failed delivery is not retried any more');
  });
});

test('maxDurationSeconds 0: failed after one attempt (no_retries)', async () => {
  const clock = new ManualClock(Date.now());
  await setup(await engineApp({ clock }), clock, await startReceiver(always(503)), { maxDurationSeconds: 0 }, async (s) => {
    await ingest(s.t, [{ type: 'r.x', id: 'evt-nr' }]);
    const d = await afterAttempt(s, 1);
    assert.equal(d.state, 'failed');
    assert.equal(d.failedReason, 'no_retries');
    assert.equal(d.nextAttemptAt, null);
    assert.equal(d.lastStatus, 503);
    s.clock.advance(3_600_000);
    await settled(s, null);
    assert.equal(s.r.requests.length, 1);
  });
});

test('GET /deliveries/:id shows the timeline and the attempt log, newest first', async () => {
  const clock = new ManualClock(Date.now());
  await setup(await engineApp({ clock, random: () => 0.5 }), clock, await startReceiver(failTimes(2, 500)), { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 3600 }, async (s) => {
    const t0 = clock.now();
    await ingest(s.t, [{ type: 'r.x', id: 'evt-tl' }]);

    const a1 = await afterAttempt(s, 1);
    assert.equal(a1.state, 'retrying');
    assert.equal(ms(a1.firstAttemptAt), t0);
    assert.equal(ms(a1.lastAttemptAt), t0);
    assert.equal(ms(a1.nextAttemptAt), t0 + (a1.attemptLog[0]?.durationMs ?? 0) + 1000);
    assert.equal(a1.deliveredAt, null);
    assert.equal(a1.lastStatus, 500);
    assert.equal(a1.lastError, 'HTTP 500');
    assert.deepEqual(a1.attemptLog.map((a) => [a.status, a.outcome, ms(a.startedAt)]), [[500, 'failure', t0]]);

    goTo(s, a1);
    const t1 = clock.now();
    const a2 = await afterAttempt(s, 2);
    assert.equal(ms(a2.firstAttemptAt), t0, 'firstAttemptAt does not move');
    assert.equal(ms(a2.lastAttemptAt), t1);
    assert.ok(ms(a2.nextAttemptAt) >= t1 + 2000);

    goTo(s, a2);
    const t2 = clock.now();
    const a3 = await afterAttempt(s, 3);
    assert.equal(a3.state, 'delivered');
    assert.equal(a3.attempts, 3);
    assert.equal(ms(a3.firstAttemptAt), t0);
    assert.equal(ms(a3.lastAttemptAt), t2);
    assert.equal(a3.nextAttemptAt, null);
    assert.equal(ms(a3.deliveredAt), t2 + (a3.attemptLog[0]?.durationMs ?? 0));
    assert.equal(a3.lastStatus, 200);
    assert.equal(a3.lastError, null);
    assert.equal(a3.failedReason, null);
    assert.deepEqual(a3.attemptLog.map((a) => [a.status, a.outcome, ms(a.startedAt)]), [[200, 'success', t2], [500, 'failure', t1], [500, 'failure', t0]]);
    for (const a of a3.attemptLog) {
      assert.equal(a.method, 'POST');
      assert.equal(a.url, s.r.url);
      assert.equal(a.requestHeaders['webhook-id'], 'evt-tl');
      assert.equal(a.eventCount, 1);
    }
  });
});
