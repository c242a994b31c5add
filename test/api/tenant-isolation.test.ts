// A key restricted to tenant A sees tenant B as if it did not exist: 404 (never 403, never
// B's data) on every resource and verb, lists without B's rows, no writes for B, and no way
// to mint a key with more power than it holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PERMISSIONS, type Permission } from '../../src/api-keys/keys.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import { testApp, type Body, type ProblemBody, type TestApp } from '../helpers/app.js';
import { snapshot } from '../helpers/snapshot.js';

interface Listed { data: Body[]; nextCursor: string | null }

let t: TestApp;
const A = 'tenant-a';
const B = 'tenant-b';
const ids = { A: { webhook: '', delivery: '', key: '' }, B: { webhook: '', delivery: '', key: '', canceled: '' } };
const keys: Record<'scoped' | 'scopedAdmin', string> = { scoped: '', scopedAdmin: '' };
const B_MARKERS = ['b.example.com', 'b-private-payload', 'tok-of-b'];

async function ok<T = Body>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await t.call<T>(method, url, body);
  assert.ok(res.status < 300, `${method} ${url}: ${res.raw}`);
  return res.body;
}

before(async () => {
  t = await testApp();
  for (const [tenant, host, marker] of [[A, 'a.example.com', 'a-payload'], [B, 'b.example.com', 'b-private-payload']] as const) {
    await ok('POST', '/api/v1/tenants', { id: tenant, name: tenant });
    const hook = await ok<{ id: string }>('POST', '/api/v1/webhooks', {
      tenantId: tenant, name: 'main', url: `https://${host}/hook`, verify: false, auth: { type: 'header', headerName: 'X-Token', token: tenant === B ? 'tok-of-b' : 'tok-of-a' },
    });
    await ok('POST', '/api/v1/events', { tenantId: tenant, type: 'invoice.paid', id: 'shared-id', data: { marker } });
    const [delivery] = (await t.rt.store.deliveries.listDeliveries({ tenantId: tenant }, {}, { limit: 1 })).data;
    const key = await ok<{ id: string }>('POST', '/api/v1/api-keys', { name: `${tenant} key`, permissions: ['events:write'], tenantId: tenant });
    const side = tenant === A ? ids.A : ids.B;
    side.webhook = hook.id;
    side.delivery = delivery!.id;
    side.key = key.id;
  }
  // A canceled delivery of B (its webhook deleted), for bulk retry to leave alone.
  const extra = await ok<{ id: string }>('POST', '/api/v1/webhooks', { tenantId: B, name: 'gone', url: 'https://b.example.com/gone', verify: false, eventTypes: ['late.*'] });
  await ok('POST', '/api/v1/events', { tenantId: B, type: 'late.one', id: 'b-late', data: { marker: 'b-private-payload' } });
  ids.B.canceled = (await t.rt.store.deliveries.listDeliveries(ALL_TENANTS, { webhookId: extra.id }, { limit: 1 })).data[0]!.id;
  await ok('DELETE', `/api/v1/webhooks/${extra.id}`);

  keys.scoped = await t.key(PERMISSIONS.filter((p) => p !== 'admin'), A);
  keys.scopedAdmin = await t.key(['admin'], A);
});
after(() => t.close());

for (const kind of ['scoped', 'scopedAdmin'] as const) {
  describe(`a key restricted to A (${kind === 'scoped' ? 'every permission but admin' : 'admin'})`, () => {
    const requests = (): [string, string, unknown?][] => [
      ['GET', `/api/v1/webhooks/${ids.B.webhook}`],
      ['PATCH', `/api/v1/webhooks/${ids.B.webhook}`, { name: 'taken over' }],
      ['DELETE', `/api/v1/webhooks/${ids.B.webhook}`],
      ['GET', `/api/v1/webhooks/${ids.B.webhook}/secret`],
      ['POST', `/api/v1/webhooks/${ids.B.webhook}/rotate-secret`, {}],
      ['POST', `/api/v1/webhooks/${ids.B.webhook}/recover`, { since: '2020-01-01T00:00:00Z' }],
      ['POST', `/api/v1/webhooks/${ids.B.webhook}/test`],
      ['GET', `/api/v1/webhooks/${ids.B.webhook}/health`],
      ['GET', '/api/v1/events/b-late'],
      ['GET', `/api/v1/events/shared-id?tenantId=${B}`],
      ['GET', `/api/v1/deliveries/${ids.B.delivery}`],
      ['POST', `/api/v1/deliveries/${ids.B.canceled}/retry`],
      ['GET', `/api/v1/tenants/${B}`],
      ['PATCH', `/api/v1/tenants/${B}`, { enabled: false }],
      ['DELETE', `/api/v1/tenants/${B}`],
      ['GET', `/api/v1/api-keys/${ids.B.key}`],
      ['DELETE', `/api/v1/api-keys/${ids.B.key}`],
      ['POST', '/api/v1/webhooks', { tenantId: B, name: 'x', url: 'https://evil.example.com/', verify: false }],
      ['POST', '/api/v1/events', { tenantId: B, type: 'invoice.paid', data: {} }],
      ['POST', '/api/v1/events', { events: [{ tenantId: A, type: 'invoice.paid', data: {} }, { tenantId: B, type: 'invoice.paid', data: {} }] }],
      ['POST', '/api/v1/api-keys', { name: 'x', permissions: ['events:write'], tenantId: B }],
    ];

    it('gets 404 for every one of B\'s objects, learns nothing, and changes nothing', async () => {
      const before = await snapshot(t.rt.store);
      for (const [method, url, body] of requests()) {
        const res = await t.call<ProblemBody>(method, url, body, keys[kind]);
        assert.equal(res.status, 404, `${method} ${url} → ${res.status} ${res.raw}`);
        assert.equal(res.body.code, 'not_found');
        for (const marker of B_MARKERS) assert.ok(!res.raw.includes(marker), `${method} ${url} leaks ${marker}`);
      }
      assert.deepEqual(await snapshot(t.rt.store), before);
    });

    it('reads its own objects, and the event id both tenants used resolves to A\'s', async () => {
      const own = await t.call<{ tenantId: string; data: unknown }>('GET', '/api/v1/events/shared-id', undefined, keys[kind]);
      assert.equal(own.status, 200);
      assert.deepEqual([own.body.tenantId, own.body.data], [A, { marker: 'a-payload' }]);
      assert.equal((await t.call('GET', `/api/v1/webhooks/${ids.A.webhook}`, undefined, keys[kind])).status, 200);
      assert.equal((await t.call('GET', `/api/v1/deliveries/${ids.A.delivery}`, undefined, keys[kind])).status, 200);
      assert.equal((await t.call('GET', `/api/v1/tenants/${A}`, undefined, keys[kind])).status, 200);
    });

    const lists: [string, (row: Body) => unknown][] = [
      ['/api/v1/tenants', (r) => r.id],
      ['/api/v1/webhooks', (r) => r.tenantId],
      [`/api/v1/webhooks?tenantId=${B}`, (r) => r.tenantId],
      ['/api/v1/events', (r) => r.tenantId],
      [`/api/v1/events?tenantId=${B}`, (r) => r.tenantId],
      ['/api/v1/deliveries', (r) => r.tenantId],
      [`/api/v1/deliveries?tenantId=${B}`, (r) => r.tenantId],
      ['/api/v1/deliveries?webhookId={B webhook}', (r) => r.tenantId],
      ['/api/v1/api-keys', (r) => r.tenantId],
    ];
    for (const [url, owner] of lists) {
      it(`GET ${url} lists only A's objects`, async () => {
        const res = await t.call<Listed>('GET', url.replace('{B webhook}', ids.B.webhook), undefined, keys[kind]);
        assert.equal(res.status, 200, res.raw);
        assert.deepEqual([...new Set(res.body.data.map(owner))].filter((o) => o !== A), []);
        for (const marker of B_MARKERS) assert.ok(!res.raw.includes(marker));
        if (!url.includes(B) && !url.includes('{B webhook}')) assert.ok(res.body.data.length > 0, 'A\'s own objects are listed');
      });
    }

    it('bulk retry never requeues B\'s deliveries', async () => {
      for (const body of [{ state: 'canceled' }, { state: 'canceled', tenantId: B }, { state: 'canceled', webhookId: ids.B.webhook }]) {
        const res = await t.call<{ requeued: number }>('POST', '/api/v1/deliveries/retry', body, keys[kind]);
        assert.deepEqual([res.status, res.body], [202, { requeued: 0 }]);
      }
      assert.equal((await t.rt.store.deliveries.getDelivery(ALL_TENANTS, ids.B.canceled))?.state, 'canceled');
    });
  });
}

describe('creating API keys cannot escalate', () => {
  const create = (key: string, body: Body) => t.call<ProblemBody & { tenantId: string | null; permissions: string[]; key: string }>('POST', '/api/v1/api-keys', { name: 'minted', ...body }, key);

  it('a key cannot grant a permission it does not hold', async () => {
    const limited = await t.key(['api-keys:write', 'events:read'], A);
    const before = await snapshot(t.rt.store);
    for (const permissions of [['admin'], ['webhooks:write'], ['events:read', 'deliveries:retry']] as Permission[][]) {
      for (const key of [limited, keys.scoped]) {
        const res = await create(key, { permissions });
        if (key === keys.scoped && !permissions.includes('admin')) continue;
        assert.equal(res.status, 403, `${permissions.join(',')}: ${res.raw}`);
        assert.equal(res.body.code, 'forbidden');
      }
    }
    const made = (await snapshot(t.rt.store)).counts.apiKeys - before.counts.apiKeys;
    assert.equal(made, 2, 'only the two grants keys.scoped holds were created');
  });

  it('a restricted key (even an admin one) can only mint keys restricted to its own tenant', async () => {
    for (const key of [keys.scoped, keys.scopedAdmin]) {
      for (const tenantId of [null, undefined, A]) {
        const res = await create(key, { permissions: ['webhooks:read'], ...(tenantId === undefined ? {} : { tenantId }) });
        assert.equal(res.status, 201, res.raw);
        assert.equal(res.body.tenantId, A);
        const probe = await t.call('GET', `/api/v1/webhooks/${ids.B.webhook}`, undefined, res.body.key);
        assert.equal(probe.status, 404);
      }
    }
    const minted = await create(keys.scopedAdmin, { permissions: ['admin'] });
    assert.deepEqual([minted.status, minted.body.tenantId], [201, A]);
    assert.equal((await t.call('GET', `/api/v1/tenants/${B}`, undefined, minted.body.key)).status, 404);
  });
});
