// Contract: deliveries — filters, cursor pagination, scoped reads, requeueing the failed queue.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_TENANTS, tenantScope, type Delivery, type DeliveryFilter, type Scope } from '../records.js';
import type { Store } from '../store.js';
import { T0, allDeliveries, event, insert, markDelivered, markFailed, seed, using, webhook, type OpenStore } from './fixtures.contract.js';

/** Every id of a listing, page by page; fails on a repeated id or a runaway cursor. */
async function walk(store: Store, scope: Scope, filter: DeliveryFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.deliveries.listDeliveries(scope, filter, { limit, cursor });
    assert.ok(page.data.length <= limit);
    ids.push(...page.data.map((d) => d.id));
    if (page.nextCursor === null) {
      assert.equal(new Set(ids).size, ids.length, 'no delivery appears on two pages');
      return ids;
    }
    cursor = page.nextCursor;
  }
  assert.fail('pagination did not end');
}

/**
 * Two tenants; tenant a has webhooks w1 (all types) and w2; ten events per tenant, one per
 * second, alternating two types. Returns the deliveries, oldest first.
 */
async function arrange(store: Store): Promise<{ w1: string; w2: string; wb: string; all: Delivery[] }> {
  const hooks = await seed(store, ['a', 'b']);
  const w2 = webhook('a');
  await store.transaction((tx) => tx.webhooks.insertWebhook(w2));
  const w1 = hooks.get('a')!.id;
  const wb = hooks.get('b')!.id;
  for (let i = 0; i < 10; i++) {
    const type = i % 2 === 0 ? 'invoice.paid' : 'user.created';
    await insert(store, [event('a', `a${i}`, i < 5 ? [w1, w2.id] : [w1], type), event('b', `b${i}`, [wb], type)], T0 + i * 1000);
  }
  const all = (await allDeliveries(store)).reverse();
  return { w1, w2: w2.id, wb, all };
}

export function deliveryContract(open: OpenStore): void {
  describe('deliveries', () => {
    it('each filter selects exactly the matching deliveries, newest first', using(open, async ({ store, db }) => {
      const { w1, w2, all } = await arrange(store);
      assert.equal(all.length, 25);
      const failed = all.filter((d) => d.tenantId === 'a' && d.eventId === 'a7');
      await markFailed(db, failed.map((d) => d.id));
      const expect = (pick: (d: Delivery) => boolean): string[] => all.filter(pick).map((d) => d.id).reverse();
      const list = async (filter: DeliveryFilter, scope: Scope = ALL_TENANTS) => (await store.deliveries.listDeliveries(scope, filter, { limit: 100 })).data.map((d) => d.id);
      assert.deepEqual(await list({ tenantId: 'b' }), expect((d) => d.tenantId === 'b'));
      assert.deepEqual(await list({ webhookId: w2 }), expect((d) => d.webhookId === w2));
      assert.equal((await list({ webhookId: w2 })).length, 5);
      assert.deepEqual(await list({ webhookId: w1, eventType: 'user.created' }), expect((d) => d.webhookId === w1 && d.eventType === 'user.created'));
      assert.deepEqual(await list({ eventId: 'a3' }), expect((d) => d.eventId === 'a3'));
      assert.deepEqual(await list({ eventId: 'a3', tenantId: 'a' }).then((x) => x.length), 2);
      assert.deepEqual(await list({ state: 'failed' }), failed.map((d) => d.id).reverse());
      assert.deepEqual(await list({ state: 'pending', tenantId: 'a' }), expect((d) => d.tenantId === 'a' && d.eventId !== 'a7'));
      assert.deepEqual(await list({ since: T0 + 3000, until: T0 + 5000 }), expect((d) => d.createdAt >= T0 + 3000 && d.createdAt < T0 + 5000));
      assert.equal((await list({ since: T0 + 3000, until: T0 + 5000 })).length, 6);
      assert.deepEqual(await list({}, tenantScope('b')), expect((d) => d.tenantId === 'b'));
      assert.deepEqual(await list({ tenantId: 'a' }, tenantScope('b')), []);
    }));

    it('cursor pagination returns every delivery once, with and without a filter', using(open, async ({ store }) => {
      const { w1, all } = await arrange(store);
      for (const limit of [1, 3, 7, 25, 100]) {
        assert.deepEqual(await walk(store, ALL_TENANTS, {}, limit), all.map((d) => d.id).reverse(), `limit ${limit}`);
      }
      assert.deepEqual(await walk(store, ALL_TENANTS, { webhookId: w1 }, 4), all.filter((d) => d.webhookId === w1).map((d) => d.id).reverse());
      assert.deepEqual(await walk(store, tenantScope('a'), {}, 6), all.filter((d) => d.tenantId === 'a').map((d) => d.id).reverse());
    }));

    it('a listing continued after new deliveries arrived neither repeats nor skips', using(open, async ({ store }) => {
      const { w1, all } = await arrange(store);
      const first = await store.deliveries.listDeliveries(ALL_TENANTS, {}, { limit: 10 });
      await insert(store, [event('a', 'late', [w1])], T0 + 60_000);
      const second = await store.deliveries.listDeliveries(ALL_TENANTS, {}, { limit: 100, cursor: first.nextCursor ?? undefined });
      assert.equal(second.nextCursor, null);
      assert.deepEqual([...first.data, ...second.data].map((d) => d.id), all.map((d) => d.id).reverse());
    }));

    it('getDelivery is scoped to the tenant', using(open, async ({ store }) => {
      const { all } = await arrange(store);
      const b = all.find((d) => d.tenantId === 'b')!;
      assert.deepEqual(await store.deliveries.getDelivery(ALL_TENANTS, b.id), b);
      assert.deepEqual(await store.deliveries.getDelivery(tenantScope('b'), b.id), b);
      assert.equal(await store.deliveries.getDelivery(tenantScope('a'), b.id), undefined);
      assert.equal(await store.deliveries.getDelivery(ALL_TENANTS, 'dlv_missing'), undefined);
      assert.deepEqual(await store.deliveries.listAttempts(b), []);
    }));

    it('requeueDelivery puts a failed delivery back as pending, due now, and refuses a pending one', using(open, async ({ store, db }) => {
      const { all } = await arrange(store);
      const [target, pending, delivered] = all.filter((d) => d.tenantId === 'a');
      await markFailed(db, [target!.id]);
      await markDelivered(db, [delivered!.id]);
      assert.deepEqual(await store.deliveries.requeueDelivery(tenantScope('b'), target!.id, T0 + 500), { kind: 'not_found' });
      assert.equal((await store.deliveries.getDelivery(ALL_TENANTS, target!.id))?.state, 'failed');
      assert.deepEqual(await store.deliveries.requeueDelivery(ALL_TENANTS, pending!.id, T0 + 500), { kind: 'not_requeueable', state: 'pending' });
      assert.deepEqual(await store.deliveries.requeueDelivery(tenantScope('a'), target!.id, T0 + 500), { kind: 'requeued', webhookId: target!.webhookId });
      const after = await store.deliveries.getDelivery(ALL_TENANTS, target!.id);
      assert.equal(after?.state, 'pending');
      assert.equal(after.nextAttemptAt, T0 + 500);
      assert.equal(after.failedReason, null);
      assert.equal(after.attempts, 3, 'the attempt history is kept');
      assert.deepEqual(await store.deliveries.requeueDelivery(ALL_TENANTS, delivered!.id, T0 + 600), { kind: 'requeued', webhookId: delivered!.webhookId });
      assert.equal((await store.deliveries.getDelivery(ALL_TENANTS, delivered!.id))?.deliveredAt, null);
      assert.deepEqual(await store.deliveries.requeueDelivery(ALL_TENANTS, 'dlv_missing', T0), { kind: 'not_found' });
    }));

    it('requeueMatching requeues failed rows in chunks, within scope and filter, and nothing else', using(open, async ({ store, db }) => {
      const { w1, w2, all } = await arrange(store);
      const failedA1 = all.filter((d) => d.webhookId === w1).slice(0, 5);
      const failedA2 = all.filter((d) => d.webhookId === w2).slice(0, 2);
      const failedB = all.filter((d) => d.tenantId === 'b').slice(0, 3);
      await markFailed(db, [...failedA1, ...failedA2, ...failedB].map((d) => d.id));
      assert.equal((await store.deliveries.countByState(ALL_TENANTS)).failed, 10);

      // Scope b asking for tenant a's webhook finds nothing.
      const none = await store.deliveries.requeueMatching(tenantScope('b'), { webhookId: w1 }, null, 100, T0);
      assert.deepEqual(none, { count: 0, scanned: 0, lastSeq: null, webhookIds: [] });

      // Chunks of 2 over w1's five failed deliveries: 2 + 2 + 1.
      const counts: number[] = [];
      let before: number | null = null;
      for (let i = 0; i < 10; i++) {
        const step = await store.deliveries.requeueMatching(tenantScope('a'), { webhookId: w1 }, before, 2, T0 + 1);
        counts.push(step.count);
        if (step.count > 0) assert.deepEqual(step.webhookIds, [w1]);
        if (step.scanned < 2 || step.lastSeq === null) break;
        before = step.lastSeq;
      }
      assert.equal(counts.reduce((x, y) => x + y, 0), 5);
      assert.deepEqual(counts, [2, 2, 1]);
      const byId = new Map((await allDeliveries(store)).map((d) => [d.id, d]));
      for (const d of failedA1) assert.equal(byId.get(d.id)?.state, 'pending');
      for (const d of [...failedA2, ...failedB]) assert.equal(byId.get(d.id)?.state, 'failed');

      const rest = await store.deliveries.requeueMatching(ALL_TENANTS, {}, null, 100, T0 + 2);
      assert.equal(rest.count, 5);
      assert.deepEqual(rest.webhookIds.sort(), [w2, all.find((d) => d.tenantId === 'b')!.webhookId].sort());
      const states = await store.deliveries.countByState(ALL_TENANTS);
      assert.deepEqual(states, { pending: 25, delivering: 0, retrying: 0, delivered: 0, failed: 0, canceled: 0 });
    }));

    it('counts deliveries by state within a scope', using(open, async ({ store, db }) => {
      const { all } = await arrange(store);
      await markFailed(db, all.filter((d) => d.tenantId === 'b').slice(0, 4).map((d) => d.id));
      assert.deepEqual(await store.deliveries.countByState(tenantScope('b')), { pending: 6, delivering: 0, retrying: 0, delivered: 0, failed: 4, canceled: 0 });
      assert.deepEqual(await store.deliveries.countByState(tenantScope('a')), { pending: 15, delivering: 0, retrying: 0, delivered: 0, failed: 0, canceled: 0 });
    }));
  });
}
