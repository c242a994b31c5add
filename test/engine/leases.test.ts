// Leases and wake-ups: work claimed by a node that dies stays untouched until its lease
// expires, then maintenance returns it and it is delivered; releaseLeases gives a node's work
// back; the dispatcher wakes at once on new work in its own process and otherwise polls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { testConfig } from '../../src/config.js';
import { newId } from '../../src/ids.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import type { TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, listDeliveries, waitForDelivery, waitUntil } from './support.js';

async function claimAs(t: TestApp, webhookId: string, nodeId: string, maxRequests: number) {
  const now = t.rt.clock.now();
  return t.rt.store.transaction((tx) => tx.dispatch.claim({ webhookId, nodeId, now, maxRequests, leaseGraceMs: 1000, settled: 0 }, () => newId('batch', now)));
}

async function stateOf(t: TestApp, webhookId: string, eventId: string): Promise<string | undefined> {
  return (await listDeliveries(t, { webhookId, eventId }))[0]?.state;
}

test('a delivery leased by a dead node is left alone until the lease expires, then delivered', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, engine: false, config: { leaseGraceMs: 1000 } });
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url, timeoutMs: 1000 });
    await ingest(t, [{ type: 'l.x', id: 'evt-lease' }]);
    const claimed = await claimAs(t, w.id, 'dead-node', 10);
    assert.equal(claimed.requests.length, 1);
    assert.equal(await stateOf(t, w.id, 'evt-lease'), 'delivering');

    await t.rt.startEngine();
    // Wake the running dispatcher for the webhook and wait until its claim has run.
    await t.rt.store.transaction((tx) => tx.dispatch.bumpDue([w.id], clock.now()));
    t.rt.dispatcher!.wake([w.id]);
    await waitUntil('the claim to find nothing', async () => (await t.rt.store.dispatch.getEndpointState(w.id))?.dueAt === null);
    assert.equal(r.requests.length, 0, 'leased to another node: not sent');

    // The lease is timeoutMs + leaseGraceMs = 2 s. One millisecond before it ends, nothing changes.
    clock.advance(1999);
    await t.rt.maintenance!.tick();
    assert.equal(await stateOf(t, w.id, 'evt-lease'), 'delivering');
    assert.equal(r.requests.length, 0);

    clock.advance(1);
    await t.rt.maintenance!.tick();
    const d = await waitForDelivery(t, w.id, 'evt-lease', ['delivered']);
    assert.equal(d.attempts, 1);
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0]?.headers['webhook-id'], 'evt-lease');
  } finally {
    await r.close();
    await t.close();
  }
});

test('releaseLeases returns one node\'s leased work to the queue and leaves other nodes\' alone', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, engine: false });
  const r = await startReceiver();
  try {
    const w = await createWebhook(t, { url: r.url });
    // Out of slow start, so that two nodes may each hold leases at once.
    await t.rt.store.transaction(async (tx) => {
      const s = (await tx.dispatch.loadEndpointStates([w.id], true)).get(w.id);
      if (s !== undefined) await tx.dispatch.saveEndpointState({ ...s, effectiveConcurrency: 10 });
    });
    await ingest(t, [{ type: 'l.x', id: 'e1' }, { type: 'l.x', id: 'e2' }, { type: 'l.x', id: 'e3' }]);
    assert.equal((await claimAs(t, w.id, 'node-a', 2)).requests.length, 2);
    assert.equal((await claimAs(t, w.id, 'node-b', 1)).requests.length, 1);

    assert.equal(await t.rt.store.dispatch.releaseLeases('node-zzz', clock.now()), 0);
    assert.equal(await t.rt.store.dispatch.releaseLeases('node-a', clock.now()), 2);
    assert.deepEqual(await Promise.all(['e1', 'e2', 'e3'].map((e) => stateOf(t, w.id, e))), ['pending', 'pending', 'delivering']);

    await t.rt.startEngine();
    await waitForDelivery(t, w.id, 'e1', ['delivered']);
    await waitForDelivery(t, w.id, 'e2', ['delivered']);
    assert.deepEqual(r.requests.map((q) => q.headers['webhook-id']).sort(), ['e1', 'e2']);
    assert.equal(await stateOf(t, w.id, 'e3'), 'delivering', 'node-b still holds its lease');
  } finally {
    await r.close();
    await t.close();
  }
});

test('the dispatcher wakes at once on a new event in the same process (pollIntervalMs 60000)', async () => {
  const t = await engineApp({ config: { pollIntervalMs: 60_000 } });
  const r = await startReceiver();
  try {
    await createWebhook(t, { url: r.url });
    for (let i = 1; i <= 3; i++) {
      const started = performance.now();
      await ingest(t, [{ type: 'w.x', id: `wake-${i}` }]);
      await r.waitFor(i, 5000);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1000, `event ${i} arrived after ${Math.round(elapsed)} ms`);
    }
  } finally {
    await r.close();
    await t.close();
  }
});

test('work committed by another process is found by polling within about pollIntervalMs', async () => {
  const t = await engineApp({ config: { pollIntervalMs: 200 } });
  const r = await startReceiver();
  const other = await createRuntime(testConfig({ databaseUrl: t.db.url, allowHttp: true, allowPrivateNetworks: true, logLevel: 'silent', sqliteSynchronous: 'NORMAL' }), {
    log: createLogger('silent'),
    role: 'test',
  });
  try {
    const w = await createWebhook(t, { url: r.url });
    assert.equal(other.dispatcher, null, 'the second runtime runs no engine');
    for (let i = 1; i <= 3; i++) {
      const outcome = await other.ingestor.submit([{ tenantId: 'acme', id: `remote-${i}`, type: 'p.x', timestamp: Date.now(), data: '{}', sourceId: null, deliver: true }]);
      assert.equal(outcome.kind, 'ok');
      const committed = performance.now();
      await r.waitFor(i, 5000);
      const elapsed = performance.now() - committed;
      assert.ok(elapsed < 200 + 800, `remote event ${i} was picked up after ${Math.round(elapsed)} ms`);
      await waitForDelivery(t, w.id, `remote-${i}`, ['delivered']);
    }
  } finally {
    await other.close();
    await r.close();
    await t.close();
  }
});
