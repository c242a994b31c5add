// Contract: tenants (CRUD and tenant scope), the event-type catalogue, and API keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../errors.js';
import { ALL_TENANTS, tenantScope } from '../records.js';
import { T0, apiKey, allDeliveries, event, insert, seed, tenant, using, type OpenStore } from './fixtures.contract.js';

export function tenantContract(open: OpenStore): void {
  describe('tenants', () => {
    it('inserts, refuses a duplicate id, and reads back every field', using(open, async ({ store }) => {
      assert.equal(await store.tenants.insertTenant(tenant('acme')), true);
      assert.equal(await store.tenants.insertTenant({ ...tenant('acme'), name: 'Other' }), false);
      assert.deepEqual(await store.tenants.getTenant(ALL_TENANTS, 'acme'), tenant('acme'));
      assert.equal(await store.tenants.getTenant(ALL_TENANTS, 'nobody'), undefined);
    }));

    it('updates name and enabled, and reports status', using(open, async ({ store }) => {
      await store.tenants.insertTenant(tenant('acme'));
      const updated = await store.tenants.updateTenant(ALL_TENANTS, 'acme', { enabled: false }, T0 + 5);
      assert.deepEqual(updated, { ...tenant('acme'), enabled: false, updatedAt: T0 + 5 });
      assert.deepEqual(await store.tenants.getTenant(ALL_TENANTS, 'acme'), updated);
      assert.equal(await store.tenants.tenantStatus('acme'), 'disabled');
      await store.tenants.updateTenant(ALL_TENANTS, 'acme', { name: 'Acme Corp', enabled: true }, T0 + 6);
      assert.equal((await store.tenants.getTenant(ALL_TENANTS, 'acme'))?.name, 'Acme Corp');
      assert.equal(await store.tenants.tenantStatus('acme'), 'enabled');
      assert.equal(await store.tenants.tenantStatus('nobody'), 'missing');
      assert.equal(await store.tenants.updateTenant(ALL_TENANTS, 'nobody', { name: 'x' }, T0), undefined);
    }));

    it('lists in id order with a cursor that neither repeats nor skips', using(open, async ({ store }) => {
      const ids = ['t01', 't02', 't03', 't04', 't05', 't06', 't07'];
      for (const id of [...ids].reverse()) await store.tenants.insertTenant(tenant(id));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.tenants.listTenants(ALL_TENANTS, { limit: 3, cursor });
        seen.push(...page.data.map((t) => t.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(seen, ids);
    }));

    it('a tenant scope cannot read, update or delete another tenant', using(open, async ({ store }) => {
      await seed(store, ['a', 'b']);
      await insert(store, [event('b', 'e1', [])]);
      const a = tenantScope('a');
      assert.equal(await store.tenants.getTenant(a, 'b'), undefined);
      assert.equal(await store.tenants.updateTenant(a, 'b', { name: 'hijacked', enabled: false }, T0 + 1), undefined);
      assert.equal(await store.tenants.deleteTenant(a, 'b'), false);
      assert.deepEqual(await store.tenants.getTenant(ALL_TENANTS, 'b'), tenant('b'));
      assert.deepEqual((await store.tenants.listTenants(a, { limit: 10 })).data.map((t) => t.id), ['a']);
      assert.equal((await store.tenants.getTenant(a, 'a'))?.id, 'a');
    }));

    it('deleting a tenant removes what it owns and nothing of other tenants', using(open, async ({ store }) => {
      const hooks = await seed(store, ['a', 'b']);
      await store.apiKeys.insertApiKey(apiKey('a', 'hash-a'));
      await store.apiKeys.insertApiKey(apiKey('b', 'hash-b'));
      await insert(store, [event('a', 'e1', [hooks.get('a')!.id]), event('b', 'e1', [hooks.get('b')!.id])]);
      assert.equal(await store.transaction((tx) => tx.tenants.deleteTenant(tenantScope('a'), 'a')), true);
      assert.equal(await store.tenants.getTenant(ALL_TENANTS, 'a'), undefined);
      assert.equal(await store.webhooks.getWebhook(ALL_TENANTS, hooks.get('a')!.id), undefined);
      assert.equal(await store.events.getEvent(tenantScope('a'), 'e1'), undefined);
      assert.equal(await store.apiKeys.findApiKeyByHash('hash-a'), undefined);
      assert.deepEqual((await allDeliveries(store)).map((d) => d.tenantId), ['b']);
      assert.notEqual(await store.events.getEvent(tenantScope('b'), 'e1'), undefined);
      assert.notEqual(await store.apiKeys.findApiKeyByHash('hash-b'), undefined);
    }));
  });

  describe('event types', () => {
    const type = (name: string, enabled = true) => ({
      name, description: `about ${name}`, enabled, schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } }, createdAt: T0, updatedAt: T0,
    });

    it('inserts, refuses a duplicate, reads back the schema, updates and deletes', using(open, async ({ store }) => {
      assert.equal(await store.eventTypes.insertEventType(type('invoice.paid')), true);
      assert.equal(await store.eventTypes.insertEventType(type('invoice.paid')), false);
      assert.deepEqual(await store.eventTypes.getEventType('invoice.paid'), type('invoice.paid'));
      const next = { ...type('invoice.paid'), enabled: false, schema: null, description: 'changed', updatedAt: T0 + 1 };
      await store.eventTypes.updateEventType(next);
      assert.deepEqual(await store.eventTypes.getEventType('invoice.paid'), next);
      assert.equal(await store.eventTypes.deleteEventType('invoice.paid'), true);
      assert.equal(await store.eventTypes.deleteEventType('invoice.paid'), false);
      assert.equal(await store.eventTypes.getEventType('invoice.paid'), undefined);
    }));

    it('fetches several by name and lists with an enabled filter and a cursor', using(open, async ({ store }) => {
      for (const [name, enabled] of [['a.one', true], ['b.two', false], ['c.three', true], ['d.four', true]] as const) {
        await store.eventTypes.insertEventType(type(name, enabled));
      }
      const some = await store.eventTypes.getEventTypes(['a.one', 'c.three', 'missing', 'a.one']);
      assert.deepEqual([...some.keys()].sort(), ['a.one', 'c.three']);
      // The catalogue also holds hookrelay's own operational types (seeded by the migration),
      // which sort after these.
      const first = await store.eventTypes.listEventTypes({ limit: 2 }, { enabled: true });
      assert.deepEqual(first.data.map((t) => t.name), ['a.one', 'c.three']);
      assert.notEqual(first.nextCursor, null);
      const second = await store.eventTypes.listEventTypes({ limit: 2, cursor: first.nextCursor ?? undefined }, { enabled: true });
      assert.deepEqual(second.data.map((t) => t.name), ['d.four', 'hookrelay.delivery.failed']);
      assert.notEqual(second.nextCursor, null);
      assert.deepEqual((await store.eventTypes.listEventTypes({ limit: 10 }, { enabled: false })).data.map((t) => t.name), ['b.two']);
    }));
  });

  describe('api keys', () => {
    it('finds a key by hash, and still finds it once revoked (marked revoked)', using(open, async ({ store }) => {
      await store.tenants.insertTenant(tenant('a'));
      const k = apiKey('a', 'h1', ['events:write', 'deliveries:read']);
      await store.apiKeys.insertApiKey(k);
      assert.deepEqual(await store.apiKeys.findApiKeyByHash('h1'), k);
      assert.equal(await store.apiKeys.findApiKeyByHash('nope'), undefined);
      assert.equal(await store.apiKeys.revokeApiKey(ALL_TENANTS, k.id, T0 + 9), true);
      assert.equal(await store.apiKeys.revokeApiKey(ALL_TENANTS, k.id, T0 + 10), false);
      assert.equal((await store.apiKeys.findApiKeyByHash('h1'))?.revokedAt, T0 + 9);
      assert.deepEqual((await store.apiKeys.listApiKeys(ALL_TENANTS, { limit: 10 })).data, []);
      assert.equal(await store.apiKeys.countApiKeys(), 1);
    }));

    it('a tenant scope cannot read, list or revoke another tenant\'s key', using(open, async ({ store }) => {
      await seed(store, ['a', 'b']);
      const ka = apiKey('a', 'ha');
      const kb = apiKey('b', 'hb');
      const global = apiKey(null, 'hg', ['admin']);
      for (const k of [ka, kb, global]) await store.apiKeys.insertApiKey(k);
      const a = tenantScope('a');
      assert.equal(await store.apiKeys.getApiKey(a, kb.id), undefined);
      assert.equal(await store.apiKeys.getApiKey(a, global.id), undefined);
      assert.equal(await store.apiKeys.revokeApiKey(a, kb.id, T0), false);
      assert.equal((await store.apiKeys.getApiKey(ALL_TENANTS, kb.id))?.revokedAt, null);
      assert.deepEqual((await store.apiKeys.listApiKeys(a, { limit: 10 })).data.map((k) => k.id), [ka.id]);
      assert.equal((await store.apiKeys.getApiKey(a, ka.id))?.id, ka.id);
      assert.equal((await store.apiKeys.listApiKeys(ALL_TENANTS, { limit: 10 })).data.length, 3);
    }));

    it('records last use', using(open, async ({ store }) => {
      const k = apiKey(null, 'h');
      await store.apiKeys.insertApiKey(k);
      await store.apiKeys.touchApiKey(k.id, T0 + 77);
      assert.equal((await store.apiKeys.getApiKey(ALL_TENANTS, k.id))?.lastUsedAt, T0 + 77);
    }));
  });

  describe('cursors', () => {
    it('a cursor this server did not issue is a validation error naming the cursor', using(open, async ({ store }) => {
      await assert.rejects(store.tenants.listTenants(ALL_TENANTS, { limit: 5, cursor: 'not-a-cursor' }), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'validation_failed');
        assert.equal(err.errors?.[0]?.field, '/query/cursor');
        return true;
      });
      await assert.rejects(store.deliveries.listDeliveries(ALL_TENANTS, {}, { limit: 5, cursor: Buffer.from('{"k":"text"}').toString('base64url') }), AppError);
    }));
  });
}
