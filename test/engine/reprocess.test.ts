// Reprocessing the failed queue: one delivery, a filtered bulk requeue, 100,000 at once while
// other webhooks keep delivering, and recovering a webhook (clean health, failed since a time).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { openDb } from '../../src/store/open.js';
import type { TestApp } from '../helpers/app.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, listDeliveries, waitForAll, waitForDelivery, waitUntil, type DeliveryJson } from './support.js';

const NO_RETRIES = { maxDurationSeconds: 0 };

async function requeue(t: TestApp, filter: Record<string, string>): Promise<number> {
  const res = await t.call<{ requeued: number }>('POST', '/api/v1/deliveries/retry', filter);
  assert.equal(res.status, 202, res.raw);
  return res.body.requeued;
}

test('POST /deliveries/:id/retry sends a failed delivery again', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(500));
  try {
    const w = await createWebhook(t, { url: r.url, retry: NO_RETRIES });
    await ingest(t, [{ type: 'x.y', id: 'evt-one' }]);
    const failed = await waitForDelivery(t, w.id, 'evt-one', ['failed']);
    assert.equal(failed.failedReason, 'no_retries');

    r.setBehaviour(always(200));
    const res = await t.call<DeliveryJson>('POST', `/api/v1/deliveries/${failed.id}/retry`);
    assert.equal(res.status, 202, res.raw);
    assert.equal(res.body.id, failed.id);
    assert.notEqual(res.body.state, 'failed');
    assert.equal(res.body.failedReason, null);

    const done = await waitForDelivery(t, w.id, 'evt-one', ['delivered']);
    assert.equal(done.attempts, 2);
    assert.deepEqual(done.attemptLog.map((a) => a.status), [200, 500]);
    assert.equal(r.requests.length, 2);
    assert.equal(r.requests[1]?.headers['webhook-id'], 'evt-one', 'the resend keeps the webhook-id');

    assert.equal((await t.call('POST', '/api/v1/deliveries/dlv_nope/retry')).status, 404);
  } finally {
    await r.close();
    await t.close();
  }
});

test('a delivery still being retried cannot be retried by hand (409)', async () => {
  const t = await engineApp();
  const r = await startReceiver(always(500));
  try {
    const w = await createWebhook(t, { url: r.url, retry: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, maxDurationSeconds: 86_400 } });
    await ingest(t, [{ type: 'x.y', id: 'evt-busy' }]);
    const d = await waitForDelivery(t, w.id, 'evt-busy', ['retrying']);
    const res = await t.call<{ code: string }>('POST', `/api/v1/deliveries/${d.id}/retry`);
    assert.equal(res.status, 409, res.raw);
    assert.equal(r.requests.length, 1);
  } finally {
    await r.close();
    await t.close();
  }
});

test('POST /deliveries/retry requeues exactly the failed deliveries matching webhookId, eventType, since and until', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const ra = await startReceiver(always(500));
  const rb = await startReceiver(always(500));
  try {
    const a = await createWebhook(t, { url: ra.url, retry: NO_RETRIES });
    const b = await createWebhook(t, { url: rb.url, retry: NO_RETRIES });
    const t0 = clock.now();
    await ingest(t, [{ type: 'x.a', id: 'e1' }, { type: 'x.b', id: 'e2' }]);
    await waitForAll(t, a.id, 2, ['failed']);
    await waitForAll(t, b.id, 2, ['failed']);
    clock.advance(60_000);
    await ingest(t, [{ type: 'x.a', id: 'e3' }, { type: 'x.b', id: 'e4' }]);
    await waitForAll(t, a.id, 4, ['failed']);
    await waitForAll(t, b.id, 4, ['failed']);
    ra.setBehaviour(always(200));
    rb.setBehaviour(always(200));
    const mid = new Date(t0 + 30_000).toISOString();

    const delivered = async (): Promise<string[]> =>
      (await listDeliveries(t, { state: 'delivered' })).map((d) => `${d.webhookId === a.id ? 'A' : 'B'}-${d.eventId}`).sort();
    const expectDelivered = async (expected: string[]): Promise<void> => {
      await waitUntil(`delivered = ${expected.join(',')}`, async () => JSON.stringify(await delivered()) === JSON.stringify(expected));
    };

    assert.equal(await requeue(t, { webhookId: a.id, eventType: 'x.a' }), 2);
    await expectDelivered(['A-e1', 'A-e3']);

    assert.equal(await requeue(t, { eventType: 'x.b', since: mid }), 2);
    await expectDelivered(['A-e1', 'A-e3', 'A-e4', 'B-e4']);

    assert.equal(await requeue(t, { webhookId: b.id, until: mid }), 2);
    await expectDelivered(['A-e1', 'A-e3', 'A-e4', 'B-e1', 'B-e2', 'B-e4']);

    assert.equal(await requeue(t, { webhookId: b.id, until: mid }), 0, 'delivered ones are not in the failed queue');
    const left = (await listDeliveries(t, { state: 'failed' })).map((d) => `${d.webhookId === a.id ? 'A' : 'B'}-${d.eventId}`).sort();
    assert.deepEqual(left, ['A-e2', 'B-e3']);
    assert.equal(await requeue(t, {}), 2, 'no filter: the whole failed queue');
    await expectDelivered(['A-e1', 'A-e2', 'A-e3', 'A-e4', 'B-e1', 'B-e2', 'B-e3', 'B-e4']);
    assert.equal(ra.requests.length + rb.requests.length, 16, 'each delivery: one failed attempt, one resend');
  } finally {
    await ra.close();
    await rb.close();
    await t.close();
  }
});

test('requeueing 100,000 failed deliveries in one call does not hold up other webhooks', async () => {
  const t = await engineApp({ engine: false });
  const bulkReceiver = await startReceiver(always(200));
  const other = await startReceiver(always(200));
  try {
    const bulk = await createWebhook(t, { url: bulkReceiver.url, eventTypes: ['bulk.x'] });
    // 100,000 events committed through the real ingest path (engine stopped), then marked failed.
    const now = t.rt.clock.now();
    const outcome = await t.rt.ingestor.submit(Array.from({ length: 100_000 }, (_, i) => ({
      tenantId: 'acme', id: `bulk-${i}`, type: 'bulk.x', timestamp: now, data: '{}', sourceId: null, deliver: true,
    })));
    assert.equal(outcome.kind, 'ok');
    const raw = await openDb(t.db.url, { sqliteSynchronous: 'NORMAL' });
    try {
      const res = await raw.run("UPDATE deliveries SET state = 'failed', failed_reason = 'no_retries', attempts = 1 WHERE webhook_id = ?", [bulk.id]);
      assert.equal(res.changes, 100_000);
    } finally {
      await raw.close();
    }
    // The bulk endpoint is switched off so the requeued deliveries wait instead of being sent.
    assert.equal((await t.call('PATCH', `/api/v1/webhooks/${bulk.id}`, { enabled: false })).status, 200);
    await t.rt.startEngine();
    const w2 = await createWebhook(t, { url: other.url, eventTypes: ['other.x'] });

    let finishedAt: number | null = null;
    const started = performance.now();
    const call = t.call<{ requeued: number }>('POST', '/api/v1/deliveries/retry', { webhookId: bulk.id }).then((res) => {
      finishedAt = performance.now();
      return res;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(finishedAt, null, 'the requeue is still running when the other event is published');
    const otherIngestedAt = performance.now();
    await ingest(t, [{ type: 'other.x', id: 'evt-other' }]);
    await other.waitFor(1, 30_000);
    await waitForDelivery(t, w2.id, 'evt-other', ['delivered'], 30_000);
    const otherDoneAt = performance.now();
    assert.ok(otherDoneAt - otherIngestedAt < 2000, `the other webhook's delivery took ${Math.round(otherDoneAt - otherIngestedAt)} ms`);
    const res = await call;
    assert.equal(res.status, 202, res.raw);
    assert.equal(res.body.requeued, 100_000);
    const total = (finishedAt ?? otherDoneAt) - started;
    console.log(`requeue of 100,000: ${Math.round(total)} ms; other webhook delivered after ${Math.round(otherDoneAt - started)} ms`);
    assert.ok(finishedAt === null || otherDoneAt <= finishedAt, `the other delivery completed while the requeue ran (requeue ${Math.round(total)} ms, other ${Math.round(otherDoneAt - started)} ms)`);
    const counts = await t.rt.store.deliveries.countByState({ tenantId: 'acme' });
    assert.equal(counts.failed, 0);
    assert.equal(counts.pending, 100_000);
    assert.equal(bulkReceiver.requests.length, 0);
  } finally {
    await bulkReceiver.close();
    await other.close();
    await t.close();
  }
});

test('POST /webhooks/:id/recover requeues failed deliveries since a time and resets the endpoint health', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock });
  const r = await startReceiver(always(500));
  try {
    const w = await createWebhook(t, { url: r.url, retry: NO_RETRIES });
    const t0 = clock.now();
    await ingest(t, [{ type: 'x.y', id: 'old' }]);
    await waitForAll(t, w.id, 1, ['failed']);
    clock.advance(60_000);
    await ingest(t, [{ type: 'x.y', id: 'new' }]);
    await waitForAll(t, w.id, 2, ['failed']);
    // Open the circuit far into the future: without the reset nothing would be sent.
    await t.rt.store.transaction(async (tx) => {
      const s = await tx.dispatch.getEndpointState(w.id);
      assert.ok(s !== undefined);
      await tx.dispatch.saveEndpointState({ ...s, circuit: 'open', circuitOpenedAt: clock.now(), nextProbeAt: clock.now() + 86_400_000, consecutiveFailures: 50, effectiveConcurrency: 1 });
    });
    r.setBehaviour(always(200));

    const res = await t.call<{ requeued: number }>('POST', `/api/v1/webhooks/${w.id}/recover`, { since: new Date(t0 + 30_000).toISOString() });
    assert.equal(res.status, 202, res.raw);
    assert.equal(res.body.requeued, 1);
    await waitForDelivery(t, w.id, 'new', ['delivered']);
    const [old] = await listDeliveries(t, { webhookId: w.id, eventId: 'old' });
    assert.equal(old?.state, 'failed', 'failed before `since`: left alone');
    const state = await t.rt.store.dispatch.getEndpointState(w.id);
    assert.equal(state?.circuit, 'closed');
    assert.equal(state?.consecutiveFailures, 0);
    assert.equal(r.requests.length, 3);
    assert.equal((await t.call('POST', '/api/v1/webhooks/wh_missing/recover', { since: new Date(t0).toISOString() })).status, 404);
  } finally {
    await r.close();
    await t.close();
  }
});

test('a requeued delivery starts a fresh series of retries (backoff from initialDelayMs)', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, random: () => 0.5 });
  const r = await startReceiver(always(500));
  try {
    // Tries at 0, 1, 3 and 7 s; the next (15 s) would be past the 10 s window: failed.
    const w = await createWebhook(t, { url: r.url, retry: { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 10 } });
    await ingest(t, [{ type: 'x.y', id: 'evt-again' }]);
    for (let i = 1; ; i++) {
      await r.waitFor(i);
      const d = await waitUntil(`attempt ${i}`, async () => {
        const [x] = await listDeliveries(t, { webhookId: w.id });
        return x !== undefined && x.attempts === i && (x.state === 'retrying' || x.state === 'failed') ? x : undefined;
      });
      if (d.state === 'failed') break;
      assert.ok(i < 10, 'the delivery should have failed by now');
      clock.set(Date.parse(d.nextAttemptAt ?? ''));
      t.rt.dispatcher!.wake([w.id]);
    }
    const failed = await waitForDelivery(t, w.id, 'evt-again', ['failed']);
    assert.equal(failed.attempts, 4);
    assert.equal(failed.failedReason, 'retries_exhausted');

    clock.advance(60_000);
    assert.equal((await t.call('POST', `/api/v1/deliveries/${failed.id}/retry`)).status, 202);
    await r.waitFor(5);
    const after = await waitUntil('the requeued attempt recorded', async () => {
      const [x] = await listDeliveries(t, { webhookId: w.id });
      return x !== undefined && x.attempts === 5 && (x.state === 'retrying' || x.state === 'failed') ? x : undefined;
    });
    assert.equal(after.state, 'retrying', `a fresh 10 s window allows retries, got ${after.state} (${String(after.failedReason)})`);
    const delay = Date.parse(after.nextAttemptAt ?? '') - Date.parse(after.lastAttemptAt ?? '');
    assert.ok(delay >= 1000 && delay < 1100, `first retry of the new series after initialDelayMs, got ${delay} ms`);
  } finally {
    await r.close();
    await t.close();
  }
});
