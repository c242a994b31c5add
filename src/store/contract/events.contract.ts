// Contract: events — insert with fan-out, idempotency per tenant, scoped reads, listing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_TENANTS, tenantScope } from '../records.js';
import { T0, allDeliveries, event, insert, seed, using, webhook, type OpenStore } from './fixtures.contract.js';

export function eventContract(open: OpenStore): void {
  describe('events', () => {
    it('stores an event with one pending delivery per chosen webhook', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a']);
      const w1 = hooks.get('a')!;
      const w2 = webhook('a');
      await store.transaction((tx) => tx.webhooks.insertWebhook(w2));
      const [res] = await insert(store, [event('a', 'evt-1', [w1.id, w2.id])], T0 + 10);
      assert.equal(res?.created, true);
      assert.equal(res.deliveries, 2);
      assert.equal(res.id, 'evt-1');
      const stored = await store.events.getEvent(tenantScope('a'), 'evt-1');
      assert.deepEqual(stored && { ...stored, seq: 0 }, {
        seq: 0, id: 'evt-1', tenantId: 'a', type: 'invoice.paid', timestamp: T0 - 1000, data: '{"id":"evt-1","amount":42}', receivedAt: T0 + 10, deliveries: 2, sourceId: null,
      });
      assert.equal(stored?.seq, res.seq);
      const ds = await allDeliveries(store);
      assert.deepEqual(ds.map((d) => d.webhookId).sort(), [w1.id, w2.id].sort());
      for (const d of ds) {
        assert.equal(d.state, 'pending');
        assert.equal(d.eventId, 'evt-1');
        assert.equal(d.eventSeq, res.seq);
        assert.equal(d.eventType, 'invoice.paid');
        assert.equal(d.attempts, 0);
        assert.equal(d.occurredAt, T0 - 1000);
        assert.equal(d.createdAt, T0 + 10);
        assert.equal(d.nextAttemptAt, T0 + 10);
        assert.match(d.id, /^dlv_/);
      }
      assert.equal(new Set(ds.map((d) => d.id)).size, 2);
    }));

    it('an event with no matching webhook is stored with no deliveries', using(open, async ({ store }) => {
      await seed(store, ['a']);
      const [res] = await insert(store, [event('a', 'quiet', [])]);
      assert.deepEqual(res && { created: res.created, deliveries: res.deliveries }, { created: true, deliveries: 0 });
      assert.equal((await store.events.getEvent(ALL_TENANTS, 'quiet'))?.deliveries, 0);
      assert.deepEqual(await allDeliveries(store), []);
    }));

    it('the same id twice for one tenant is one event: the repeat reports the original deliveries', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a']);
      const w = hooks.get('a')!;
      const w2 = webhook('a');
      await store.transaction((tx) => tx.webhooks.insertWebhook(w2));
      const [first] = await insert(store, [event('a', 'dup', [w.id])]);
      // The repeat would fan out to two webhooks now; it must create nothing and report the original 1.
      const [again] = await insert(store, [{ ...event('a', 'dup', [w.id, w2.id]), data: '{"changed":true}' }], T0 + 99);
      assert.deepEqual(again, { id: 'dup', tenantId: 'a', seq: first!.seq, deliveries: 1, created: false });
      assert.equal((await allDeliveries(store)).length, 1);
      const stored = await store.events.getEvent(tenantScope('a'), 'dup');
      assert.equal(stored?.data, '{"id":"dup","amount":42}');
      assert.equal(stored.receivedAt, T0);
      assert.equal((await store.events.listEvents(ALL_TENANTS, {}, { limit: 10 })).data.length, 1);
    }));

    it('a repeated id inside one call is stored once and reported as a repeat', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a']);
      const w = hooks.get('a')!;
      const res = await insert(store, [event('a', 'x', [w.id]), event('a', 'y', [w.id]), event('a', 'x', [w.id])]);
      assert.deepEqual(res.map((r) => [r.id, r.created, r.deliveries]), [['x', true, 1], ['y', true, 1], ['x', false, 1]]);
      assert.equal(res[0]?.seq, res[2]?.seq);
      assert.equal((await allDeliveries(store)).length, 2);
    }));

    it('the same id under two tenants is two events', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a', 'b']);
      const res = await insert(store, [event('a', 'same', [hooks.get('a')!.id]), event('b', 'same', [hooks.get('b')!.id])]);
      assert.deepEqual(res.map((r) => [r.tenantId, r.created]), [['a', true], ['b', true]]);
      assert.notEqual(res[0]?.seq, res[1]?.seq);
      const later = await insert(store, [event('b', 'same', [])]);
      assert.equal(later[0]?.created, false);
      assert.equal((await store.events.getEvent(tenantScope('a'), 'same'))?.tenantId, 'a');
      assert.equal((await store.events.getEvent(tenantScope('b'), 'same'))?.tenantId, 'b');
      assert.deepEqual((await allDeliveries(store)).map((d) => d.tenantId).sort(), ['a', 'b']);
    }));

    it('a large batch (over the statement chunk size) is all stored, and its repeat creates nothing', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a']);
      const w = hooks.get('a')!;
      const batch = Array.from({ length: 450 }, (_, i) => event('a', `bulk-${i}`, [w.id]));
      const res = await insert(store, batch);
      assert.equal(res.filter((r) => r.created).length, 450);
      assert.deepEqual(res.map((r) => r.id), batch.map((e) => e.id));
      assert.equal((await allDeliveries(store)).length, 450);
      const again = await insert(store, batch, T0 + 1);
      assert.ok(again.every((r, i) => !r.created && r.deliveries === 1 && r.seq === res[i]?.seq));
      assert.equal((await allDeliveries(store)).length, 450);
    }));

    it('a tenant scope cannot read another tenant\'s event', using(open, async ({ store }) => {
      await seed(store, ['a', 'b']);
      await insert(store, [event('b', 'secret-b', [])]);
      assert.equal(await store.events.getEvent(tenantScope('a'), 'secret-b'), undefined);
      assert.deepEqual((await store.events.listEvents(tenantScope('a'), {}, { limit: 10 })).data, []);
      assert.deepEqual((await store.events.listEvents(tenantScope('a'), { tenantId: 'b' }, { limit: 10 })).data, []);
      assert.equal((await store.events.getEvent(ALL_TENANTS, 'secret-b'))?.tenantId, 'b');
    }));

    it('lists newest first with type, tenant and time filters and a gap-free cursor', using(open, async ({ store }) => {
      await seed(store, ['a', 'b']);
      for (let i = 0; i < 9; i++) {
        await insert(store, [event(i % 3 === 0 ? 'b' : 'a', `e${i}`, [], i % 2 === 0 ? 'invoice.paid' : 'user.created')], T0 + i * 1000);
      }
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.events.listEvents(ALL_TENANTS, {}, { limit: 4, cursor });
        ids.push(...page.data.map((e) => e.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(ids, ['e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
      const list = async (filter: Parameters<typeof store.events.listEvents>[1]) => (await store.events.listEvents(ALL_TENANTS, filter, { limit: 50 })).data.map((e) => e.id);
      assert.deepEqual(await list({ tenantId: 'b' }), ['e6', 'e3', 'e0']);
      assert.deepEqual(await list({ type: 'user.created' }), ['e7', 'e5', 'e3', 'e1']);
      assert.deepEqual(await list({ since: T0 + 2000, until: T0 + 5000 }), ['e4', 'e3', 'e2']);
    }));

    it('loads events by sequence number', using(open, async ({ store }) => {
      await seed(store, ['a']);
      const res = await insert(store, [event('a', 'p', []), event('a', 'q', [])]);
      const bySeq = await store.events.getEventsBySeq(res.map((r) => r.seq));
      assert.deepEqual(res.map((r) => bySeq.get(r.seq)?.id), ['p', 'q']);
    }));
  });
}
