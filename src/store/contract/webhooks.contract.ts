// Contract: webhooks — round trip, tenant scope, optimistic versioning, deletion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialConcurrency } from '../../dispatch/limits.js';
import { ALL_TENANTS, tenantScope, type Webhook } from '../records.js';
import { T0, allDeliveries, event, insert, markDelivered, markFailed, seed, tenant, using, webhook, type OpenStore } from './fixtures.contract.js';

export function webhookContract(open: OpenStore): void {
  describe('webhooks', () => {
    it('inserts and reads back every field, settings and auth included', using(open, async ({ store }) => {
      await store.tenants.insertTenant(tenant('a'));
      const w = webhook('a', {
        eventTypes: ['invoice.*', 'UserPackage.Updated'],
        auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'c', clientSecret: 's', scope: 'hooks', clientAuth: 'basic' },
        previousSecret: 'whsec_b2xkb2xkb2xkb2xkb2xkb2xkb2xk',
        previousSecretUntil: T0 + 3600_000,
        activeFrom: T0 + 60_000,
      });
      await store.transaction((tx) => tx.webhooks.insertWebhook(w));
      assert.deepEqual(await store.webhooks.getWebhook(ALL_TENANTS, w.id), w);
      assert.deepEqual(await store.webhooks.getWebhook(tenantScope('a'), w.id), w);
      const state = await store.dispatch.getEndpointState(w.id);
      assert.ok(state);
      assert.equal(state.tenantId, 'a');
      assert.equal(state.effectiveConcurrency, initialConcurrency(w.settings.maxConcurrency), 'a new endpoint starts in slow start');
    }));

    it('a tenant scope cannot get, save or delete another tenant\'s webhook', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a', 'b']);
      const b = hooks.get('b')!;
      const a = tenantScope('a');
      assert.equal(await store.webhooks.getWebhook(a, b.id), undefined);
      assert.equal(await store.transaction((tx) => tx.webhooks.deleteWebhook(a, b.id, T0)), false);
      // saveWebhook checks the stored tenant too: a record claiming another tenant changes nothing.
      assert.equal(await store.webhooks.saveWebhook({ ...b, tenantId: 'a', name: 'hijacked', version: 2 }, 1), false);
      assert.deepEqual(await store.webhooks.getWebhook(ALL_TENANTS, b.id), b);
      assert.deepEqual((await store.webhooks.listWebhooks(a, {}, { limit: 10 })).data.map((w) => w.id), [hooks.get('a')!.id]);
      assert.deepEqual((await store.webhooks.listWebhooks(a, { tenantId: 'b' }, { limit: 10 })).data, []);
    }));

    it('lists newest first, filtered by tenant and enabled, across pages without gaps', using(open, async ({ store }) => {
      await store.tenants.insertTenant(tenant('a'));
      await store.tenants.insertTenant(tenant('b'));
      const made: Webhook[] = [];
      for (let i = 0; i < 7; i++) {
        const w = webhook(i % 2 === 0 ? 'a' : 'b', { enabled: i !== 4, name: `w${i}` });
        await store.transaction((tx) => tx.webhooks.insertWebhook(w));
        made.push(w);
      }
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.webhooks.listWebhooks(ALL_TENANTS, {}, { limit: 2, cursor });
        ids.push(...page.data.map((w) => w.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(ids, made.map((w) => w.id).reverse());
      const enabledA = await store.webhooks.listWebhooks(ALL_TENANTS, { tenantId: 'a', enabled: true }, { limit: 10 });
      assert.deepEqual(enabledA.data.map((w) => w.name), ['w6', 'w2', 'w0']);
      const disabled = await store.webhooks.listWebhooks(ALL_TENANTS, { enabled: false }, { limit: 10 });
      assert.deepEqual(disabled.data.map((w) => w.name), ['w4']);
    }));

    it('saves a new version only over the version it read (a stale write loses)', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a']);
      const w = hooks.get('a')!;
      const first = { ...w, name: 'first', version: 2, updatedAt: T0 + 1 };
      const stale = { ...w, name: 'stale', version: 2, updatedAt: T0 + 2 };
      assert.equal(await store.webhooks.saveWebhook(first, 1), true);
      assert.equal(await store.webhooks.saveWebhook(stale, 1), false);
      assert.deepEqual(await store.webhooks.getWebhook(ALL_TENANTS, w.id), first);
      assert.equal(await store.webhooks.saveWebhook({ ...first, name: 'third', version: 3 }, 2), true);
      assert.equal((await store.webhooks.getWebhook(ALL_TENANTS, w.id))?.name, 'third');
    }));

    it('fan-out targets are the tenant\'s enabled webhooks only', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a', 'b']);
      const off = webhook('a', { enabled: false });
      await store.transaction((tx) => tx.webhooks.insertWebhook(off));
      const targets = await store.webhooks.fanoutTargets('a');
      assert.deepEqual(targets, [{ id: hooks.get('a')!.id, eventTypes: ['*'], activeFrom: T0 }]);
    }));

    it('deleting a webhook cancels its outstanding deliveries and keeps finished ones', using(open, async ({ store, db }) => {
      const hooks = await seed(store, ['a']);
      const w = hooks.get('a')!;
      const other = webhook('a');
      await store.transaction((tx) => tx.webhooks.insertWebhook(other));
      await insert(store, ['e1', 'e2', 'e3', 'e4'].map((id) => event('a', id, [w.id, other.id])));
      const mine = (await allDeliveries(store)).filter((d) => d.webhookId === w.id);
      const [failed, delivered] = mine;
      await markFailed(db, [failed!.id]);
      await markDelivered(db, [delivered!.id]);
      assert.equal(await store.transaction((tx) => tx.webhooks.deleteWebhook(tenantScope('a'), w.id, T0 + 50)), true);
      assert.equal(await store.webhooks.getWebhook(ALL_TENANTS, w.id), undefined);
      assert.equal(await store.dispatch.getEndpointState(w.id), undefined);
      const after = new Map((await allDeliveries(store)).map((d) => [d.id, d]));
      assert.equal(after.get(failed!.id)?.state, 'failed');
      assert.equal(after.get(delivered!.id)?.state, 'delivered');
      for (const d of mine.slice(2)) {
        assert.equal(after.get(d.id)?.state, 'canceled');
        assert.equal(after.get(d.id)?.failedReason, 'webhook_deleted');
      }
      const others = [...after.values()].filter((d) => d.webhookId === other.id);
      assert.equal(others.length, 4);
      assert.ok(others.every((d) => d.state === 'pending'));
      assert.equal(await store.transaction((tx) => tx.webhooks.deleteWebhook(ALL_TENANTS, w.id, T0 + 60)), false);
    }));
  });
}
