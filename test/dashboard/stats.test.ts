// The overview's aggregate queries (src/store/stats.ts) on SQLite and PostgreSQL: the same SQL
// must give the same figures on both, respect the tenant scope, the time window and the caps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quantile, summarize, CHART_MINUTES } from '../../src/dashboard/overview-data.js';
import type { NewAttempt } from '../../src/store/outcomes.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import { LATENCY_BOUNDS_MS } from '../../src/store/stats.js';
import { testApp, type TestApp } from '../helpers/app.js';
import { skipPostgres } from '../helpers/db.js';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { deliveryIn, eventually } from './support.js';

describe('overview figures from histograms', () => {
  it('estimates quantiles inside their bucket', () => {
    const h = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
    assert.equal(quantile(h, 0.5), null);
    h[0] = 50; // < 5 ms
    h[6] = 50; // 75..100 ms
    assert.equal(quantile(h, 0.5), 5);
    assert.equal(quantile(h, 0.99), 100);
    assert.equal(quantile(h, 0.75), 88);
  });

  it('lays minutes out oldest first and sums recent windows', () => {
    const now = Date.UTC(2026, 0, 1, 12, 30, 30);
    const minute = Math.floor(now / 60_000);
    const cells = [
      { minute, outcome: 'success' as const, noResponse: false, bucket: 2, attempts: 3, deliveries: 5 },
      { minute: minute - 10, outcome: 'failure' as const, noResponse: true, bucket: 16, attempts: 1, deliveries: 1 },
      { minute: minute - 10, outcome: 'failure' as const, noResponse: false, bucket: 3, attempts: 1, deliveries: 1 },
      { minute: minute - CHART_MINUTES, outcome: 'success' as const, noResponse: false, bucket: 0, attempts: 9, deliveries: 9 },
    ];
    const s = summarize({ cells, truncated: false }, now);
    assert.equal(s.minutes.length, CHART_MINUTES);
    assert.equal(s.minutes.at(-1)?.at, minute * 60_000);
    assert.deepEqual(s.minutes.at(-1), { at: minute * 60_000, delivered: 5, httpError: 0, noResponse: 0, p50: quantile([0, 0, 3], 0.5), p99: quantile([0, 0, 3], 0.99) });
    assert.equal(s.minutes.at(-11)?.noResponse, 1);
    assert.equal(s.minutes.at(-11)?.httpError, 1);
    assert.deepEqual(s.windows.map((w) => [w.label, w.attempts, w.successRate]), [['last 5 min', 3, 1], [`last ${CHART_MINUTES} min`, 5, 0.6]]);
  });
});

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`store.stats on ${engine}`, async () => {
    const skip = engine === 'postgres' ? await skipPostgres() : false;
    let t: TestApp;
    let r: Receiver;
    const hooks: Record<string, string> = {};

    before(async () => {
      if (skip !== false) return;
      t = await testApp({ postgres: engine === 'postgres' });
      r = await startReceiver(always(500));
      for (const tenant of ['acme', 'globex']) {
        assert.equal((await t.call('POST', '/api/v1/tenants', { id: tenant, name: tenant })).status, 201);
        const res = await t.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId: tenant, name: 'w', url: `${r.url}/${tenant}`, verify: false, retry: { maxDurationSeconds: 0 } });
        hooks[tenant] = res.body.id;
      }
    });
    after(async () => {
      if (skip !== false) return;
      await r.close();
      await t.close();
    });

    const attempt = (tenantId: string, startedAt: number, durationMs: number, status: number | null, eventCount = 1): NewAttempt => ({
      tenantId, webhookId: hooks[tenantId] ?? '', deliverySeq: null, batchId: null, eventCount, startedAt, durationMs, status,
      outcome: status !== null && status < 300 ? 'success' : 'failure', error: status === null ? 'timeout' : null, errorClass: null,
      url: 'http://x', method: 'POST', requestHeaders: {}, responseHeaders: null, responseExcerpt: null,
    });

    it('groups attempts by minute, outcome and latency bucket, within the window and the scope', { skip }, async () => {
      const minute = Math.floor(Date.now() / 60_000) - 5;
      const at = minute * 60_000;
      await t.rt.store.dispatch.insertAttempts([
        attempt('acme', at + 1000, 3, 200, 4), attempt('acme', at + 2000, 4, 204), attempt('acme', at + 3000, 120, 500),
        attempt('acme', at + 4000, 30_000, null), attempt('acme', at - 3_600_000, 3, 200), attempt('globex', at + 5000, 3, 200),
      ]);
      const since = at - 60_000;
      const all = await t.rt.store.stats.attemptSeries(ALL_TENANTS, since, at + 60_000, 1000);
      const acme = await t.rt.store.stats.attemptSeries({ tenantId: 'acme' }, since, at + 60_000, 1000);
      assert.equal(all.truncated, false);
      const key = (c: { minute: number; outcome: string; noResponse: boolean; bucket: number }): string => `${c.minute - minute}/${c.outcome}/${c.noResponse}/${c.bucket}`;
      assert.deepEqual(
        acme.cells.map((c) => [key(c), c.attempts, c.deliveries]).sort(),
        [['0/failure/false/7', 1, 1], ['0/failure/true/20', 1, 1], ['0/success/false/0', 2, 5]].sort(),
      );
      assert.equal(all.cells.reduce((n, c) => n + c.attempts, 0), 5, 'globex counts for an unrestricted scope, the old attempt does not');
      const capped = await t.rt.store.stats.attemptSeries(ALL_TENANTS, since, at + 60_000, 3);
      assert.equal(capped.truncated, true);
      assert.equal(capped.cells.reduce((n, c) => n + c.attempts, 0), 3);
    });

    it('counts the queue by state with a cap, per scope, and finds the oldest due delivery', { skip }, async () => {
      for (let i = 0; i < 4; i++) assert.equal((await t.call('POST', '/api/v1/events', { tenantId: 'acme', type: 'a.b', data: { i } })).status, 202);
      assert.equal((await t.call('POST', '/api/v1/events', { tenantId: 'globex', type: 'a.b', data: {} })).status, 202);
      const now = Date.now();
      const all = await t.rt.store.stats.queueDepth(ALL_TENANTS, now, 100);
      assert.equal(all.pending, 5);
      assert.deepEqual(all.capped, []);
      assert.ok(all.oldestDueAt !== null && all.oldestDueAt <= now && all.oldestDueAt > now - 60_000);
      const globex = await t.rt.store.stats.queueDepth({ tenantId: 'globex' }, now, 100);
      assert.equal(globex.pending, 1);
      const capped = await t.rt.store.stats.queueDepth({ tenantId: 'acme' }, now, 3);
      assert.equal(capped.pending, 3);
      assert.deepEqual(capped.capped, ['pending']);
    });

    it('counts failed deliveries matching a filter', { skip }, async () => {
      await t.rt.startEngine();
      await eventually('all deliveries to fail', async () => (await t.rt.store.stats.queueDepth(ALL_TENANTS, Date.now(), 100)).failed === 5);
      const sent = await t.call<{ id: string }>('POST', '/api/v1/events', { tenantId: 'acme', type: 'other.type', data: {} });
      await deliveryIn(t, sent.body.id, 'failed');
      const count = (scope: { tenantId: string | null }, filter: Parameters<TestApp['rt']['store']['stats']['countFailed']>[1], cap = 100) => t.rt.store.stats.countFailed(scope, filter, cap);
      assert.equal(await count(ALL_TENANTS, {}), 6);
      assert.equal(await count({ tenantId: 'acme' }, {}), 5);
      assert.equal(await count({ tenantId: 'acme' }, { eventType: 'a.b' }), 4);
      assert.equal(await count({ tenantId: 'globex' }, { webhookId: hooks.acme }), 0, 'a scope never reaches another tenant');
      assert.equal(await count(ALL_TENANTS, { webhookId: hooks.globex }), 1);
      assert.equal(await count(ALL_TENANTS, { since: Date.now() + 60_000 }), 0);
      assert.equal(await count(ALL_TENANTS, {}, 2), 2);
    });
  });
}
