// The "done when" flow over the management API: tenants, event types with a schema, webhooks
// with type patterns, ingest (single, batch of 1000, idempotent repeats, schema and tenant
// refusals) and the deliveries it creates, listed with filters and a cursor.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { testApp, type Body, type ProblemBody, type TestApp } from '../helpers/app.js';
import { snapshot } from '../helpers/snapshot.js';

interface DeliveryBody { id: string; eventId: string; webhookId: string; tenantId: string; eventType: string; state: string; attempts: number; createdAt: string; nextAttemptAt: string | null; attemptLog?: unknown[]; links: { rel: string; href: string }[] }
interface Page<T> { data: T[]; nextCursor: string | null }

let t: TestApp;
const clock = new ManualClock();

async function tenant(id: string): Promise<void> {
  assert.equal((await t.call('POST', '/api/v1/tenants', { id, name: `Tenant ${id}` })).status, 201);
}

async function webhook(tenantId: string, body: Body = {}): Promise<string> {
  const res = await t.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId, name: 'hook', url: 'https://example.com/hook', verify: false, ...body });
  assert.equal(res.status, 201, res.raw);
  return res.body.id;
}

async function deliveries(query: string): Promise<DeliveryBody[]> {
  const res = await t.call<Page<DeliveryBody>>('GET', `/api/v1/deliveries?limit=1000&${query}`);
  assert.equal(res.status, 200, res.raw);
  assert.equal(res.body.nextCursor, null);
  return res.body.data;
}

before(async () => {
  t = await testApp({ clock });
  const types = [
    { name: 'invoice.paid', description: 'An invoice was paid', schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } } },
    { name: 'UserPackage.Updated' },
    { name: 'legacy.thing', enabled: false },
  ];
  for (const type of types) assert.equal((await t.call('POST', '/api/v1/event-types', type)).status, 201);
});
after(() => t.close());

describe('fan-out', () => {
  const hooks: Record<string, string> = {};
  before(async () => {
    await tenant('acme');
    hooks.all = await webhook('acme', { eventTypes: ['*'] });
    hooks.invoices = await webhook('acme', { eventTypes: ['invoice.*'] });
    hooks.packages = await webhook('acme', { eventTypes: ['UserPackage.Updated'] });
    hooks.disabled = await webhook('acme', { eventTypes: ['*'], enabled: false });
    hooks.other = await webhook('acme', { eventTypes: ['order.created'] });
  });

  const cases: [string, string, string[]][] = [
    ['invoice.paid', 'evt-inv-1', ['all', 'invoices']],
    ['invoice.line.created', 'evt-inv-2', ['all', 'invoices']],
    ['UserPackage.Updated', 'evt-pkg-1', ['all', 'packages']],
    ['UserPackage.Created', 'evt-pkg-2', ['all']],
  ];
  for (const [type, id, expected] of cases) {
    it(`${type} creates one pending delivery for each of: ${expected.join(', ')}`, async () => {
      const data = type === 'invoice.paid' ? { amount: 4200 } : { any: 'thing' };
      const res = await t.call('POST', '/api/v1/events', { tenantId: 'acme', type, id, timestamp: '2026-11-23T10:00:00Z', data });
      assert.equal(res.status, 202, res.raw);
      assert.deepEqual(res.body, { id, deliveries: expected.length });
      assert.equal(res.headers['idempotent-replayed'], undefined);
      const ds = await deliveries(`eventId=${id}`);
      assert.deepEqual(ds.map((d) => d.webhookId).sort(), expected.map((k) => hooks[k]).sort());
      for (const d of ds) {
        assert.equal(d.state, 'pending');
        assert.equal(d.eventType, type);
        assert.equal(d.tenantId, 'acme');
      }
    });
  }

  it('the disabled and the non-matching webhook received nothing', async () => {
    assert.deepEqual(await deliveries(`webhookId=${hooks.disabled}`), []);
    assert.deepEqual(await deliveries(`webhookId=${hooks.other}`), []);
  });

  it('an event of a disabled type is stored but creates no deliveries', async () => {
    const res = await t.call('POST', '/api/v1/events', { tenantId: 'acme', type: 'legacy.thing', id: 'evt-legacy', data: {} });
    assert.deepEqual([res.status, res.body], [202, { id: 'evt-legacy', deliveries: 0 }]);
    const stored = await t.call<{ id: string; type: string; deliveries: number }>('GET', '/api/v1/events/evt-legacy?tenantId=acme');
    assert.equal(stored.status, 200);
    assert.deepEqual([stored.body.type, stored.body.deliveries], ['legacy.thing', 0]);
    assert.deepEqual(await deliveries('eventId=evt-legacy'), []);
  });

  it('a webhook with an activation delay gets only events ingested once it is active', async () => {
    const delayed = await webhook('acme', { eventTypes: ['*'], activationDelaySeconds: 60 });
    const early = await t.call('POST', '/api/v1/events', { tenantId: 'acme', type: 'UserPackage.Updated', id: 'evt-early', data: {} });
    assert.deepEqual(early.body, { id: 'evt-early', deliveries: 2 });
    clock.advance(60_001);
    const late = await t.call('POST', '/api/v1/events', { tenantId: 'acme', type: 'UserPackage.Updated', id: 'evt-late', data: {} });
    assert.deepEqual(late.body, { id: 'evt-late', deliveries: 3 });
    assert.deepEqual((await deliveries(`webhookId=${delayed}`)).map((d) => d.eventId), ['evt-late']);
  });
});

describe('ingest', () => {
  let hook = '';
  before(async () => {
    await tenant('bulk');
    hook = await webhook('bulk', { eventTypes: ['invoice.*'] });
  });

  it('a batch of 1000 events in one request stores them all, with their deliveries', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ tenantId: 'bulk', type: 'invoice.paid', id: `bulk-${i}`, data: { amount: i } }));
    const res = await t.call<{ events: { id: string; deliveries: number }[] }>('POST', '/api/v1/events', { events });
    assert.equal(res.status, 202, res.raw.slice(0, 500));
    assert.equal(res.body.events.length, 1000);
    assert.deepEqual(res.body.events[999], { id: 'bulk-999', deliveries: 1 });
    assert.ok(res.body.events.every((e, i) => e.id === `bulk-${i}` && e.deliveries === 1));
    assert.equal((await deliveries(`webhookId=${hook}`)).length, 1000);
  });

  it('repeating an event id returns the original result, says so, and creates nothing', async () => {
    const event = { tenantId: 'bulk', type: 'invoice.paid', id: 'once', data: { amount: 1 } };
    const first = await t.call('POST', '/api/v1/events', event);
    assert.deepEqual([first.status, first.body, first.headers['idempotent-replayed']], [202, { id: 'once', deliveries: 1 }, undefined]);
    const before = await snapshot(t.rt.store);
    // Even with different data and a webhook added since, the repeat is the same event.
    await webhook('bulk', { eventTypes: ['*'] });
    const mid = await snapshot(t.rt.store);
    const again = await t.call('POST', '/api/v1/events', { ...event, data: { amount: 2 } });
    assert.deepEqual([again.status, again.body, again.headers['idempotent-replayed']], [202, { id: 'once', deliveries: 1 }, 'true']);
    assert.deepEqual((await snapshot(t.rt.store)).counts, mid.counts);
    assert.equal(mid.counts.events, before.counts.events);
    const stored = await t.call<{ data: unknown }>('GET', '/api/v1/events/once?tenantId=bulk');
    assert.deepEqual(stored.body.data, { amount: 1 });
  });

  it('repeating a whole batch is replayed too; a batch with one new event is not', async () => {
    const batch = { events: [{ tenantId: 'bulk', type: 'x.y', id: 'r1', data: null }, { tenantId: 'bulk', type: 'x.y', id: 'r2', data: null }] };
    assert.equal((await t.call('POST', '/api/v1/events', batch)).status, 202);
    const replay = await t.call('POST', '/api/v1/events', batch);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const mixed = await t.call('POST', '/api/v1/events', { events: [...batch.events, { tenantId: 'bulk', type: 'x.y', id: 'r3', data: null }] });
    assert.equal(mixed.status, 202);
    assert.equal(mixed.headers['idempotent-replayed'], undefined);
    assert.equal((await t.call('GET', '/api/v1/events/r3?tenantId=bulk')).status, 200);
  });

  const schemaCases: [string, Body, string][] = [
    ['a single event', { tenantId: 'bulk', type: 'invoice.paid', id: 'bad-1', data: { amount: 'lots' } }, '/body/data/amount'],
    ['the 4th event of a batch', { events: [0, 1, 2, 3, 4].map((i) => ({ tenantId: 'bulk', type: 'invoice.paid', id: `bad-b${i}`, data: { amount: i === 3 ? -5 : i } })) }, '/body/events/3/data/amount'],
    ['a missing required field', { tenantId: 'bulk', type: 'invoice.paid', id: 'bad-2', data: {} }, '/body/data/amount'],
  ];
  for (const [what, body, field] of schemaCases) {
    it(`data failing the type's schema in ${what} is 422 naming ${field}, and nothing is stored`, async () => {
      const before = await snapshot(t.rt.store);
      const res = await t.call<ProblemBody>('POST', '/api/v1/events', body);
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.body.code, 'schema_mismatch');
      assert.deepEqual(res.body.errors?.map((e) => e.field), [field]);
      assert.deepEqual(await snapshot(t.rt.store), before);
    });
  }

  it('an unknown or disabled tenant is 422 tenant_unavailable, and nothing is stored', async () => {
    await tenant('sleepy');
    await webhook('sleepy');
    assert.equal((await t.call('PATCH', '/api/v1/tenants/sleepy', { enabled: false })).status, 200);
    const before = await snapshot(t.rt.store);
    for (const tenantId of ['ghost', 'sleepy']) {
      const res = await t.call<ProblemBody>('POST', '/api/v1/events', { tenantId, type: 'x.y', data: {} });
      assert.equal(res.status, 422, res.raw);
      assert.equal(res.body.code, 'tenant_unavailable');
      assert.match(res.body.detail, new RegExp(tenantId));
      const batch = await t.call<ProblemBody>('POST', '/api/v1/events', { events: [{ tenantId: 'bulk', type: 'x.y', data: {} }, { tenantId, type: 'x.y', data: {} }] });
      assert.equal(batch.body.code, 'tenant_unavailable');
      assert.deepEqual(batch.body.errors?.map((e) => e.field), ['/body/events/1/tenantId']);
    }
    assert.deepEqual(await snapshot(t.rt.store), before);
  });
});

describe('deliveries API', () => {
  let w1 = '';
  let w2 = '';
  const times: string[] = [];
  before(async () => {
    await tenant('list');
    w1 = await webhook('list', { eventTypes: ['*'] });
    w2 = await webhook('list', { eventTypes: ['a.*'] });
    for (let i = 0; i < 8; i++) {
      clock.advance(1000);
      times.push(new Date(clock.now()).toISOString());
      const res = await t.call('POST', '/api/v1/events', { tenantId: 'list', type: i % 2 === 0 ? 'a.even' : 'b.odd', id: `l${i}`, data: { i } });
      assert.equal(res.status, 202);
    }
  });

  it('filters by tenant, webhook, event, event type, state and time', async () => {
    assert.equal((await deliveries('tenantId=list')).length, 12);
    assert.equal((await deliveries(`webhookId=${w2}`)).length, 4);
    assert.deepEqual((await deliveries('tenantId=list&eventId=l3')).map((d) => d.webhookId), [w1]);
    assert.deepEqual((await deliveries(`eventType=b.odd&webhookId=${w1}`)).map((d) => d.eventId), ['l7', 'l5', 'l3', 'l1']);
    assert.equal((await deliveries('tenantId=list&state=pending')).length, 12);
    assert.deepEqual(await deliveries('tenantId=list&state=failed'), []);
    const window = await deliveries(`tenantId=list&since=${encodeURIComponent(times[2]!)}&until=${encodeURIComponent(times[5]!)}`);
    assert.deepEqual(window.map((d) => d.eventId), ['l4', 'l4', 'l3', 'l2', 'l2']);
  });

  it('pages with a cursor: every delivery once, newest first', async () => {
    const all = (await deliveries('tenantId=list')).map((d) => d.id);
    const seen: string[] = [];
    let url = '/api/v1/deliveries?tenantId=list&limit=5';
    for (let i = 0; i < 10; i++) {
      const page = await t.call<Page<DeliveryBody>>('GET', url);
      assert.equal(page.status, 200);
      assert.ok(page.body.data.length <= 5);
      seen.push(...page.body.data.map((d) => d.id));
      if (page.body.nextCursor === null) break;
      url = `/api/v1/deliveries?tenantId=list&limit=5&cursor=${encodeURIComponent(page.body.nextCursor)}`;
    }
    assert.deepEqual(seen, all);
  });

  it('GET /deliveries/:id returns the delivery with its (empty) attempt log and links', async () => {
    const [d] = await deliveries('tenantId=list&eventId=l0');
    assert.ok(d);
    const res = await t.call<DeliveryBody>('GET', `/api/v1/deliveries/${d.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual({ ...res.body, attemptLog: undefined }, { ...d, attemptLog: undefined });
    assert.deepEqual(res.body.attemptLog, []);
    assert.equal(res.body.nextAttemptAt, times[0]);
    assert.ok(res.body.links.some((l) => l.rel === 'retry' && l.href === `/api/v1/deliveries/${d.id}/retry`));
    assert.equal((await t.call('GET', '/api/v1/deliveries/dlv_nope')).status, 404);
  });
});
