// Retention (delivered deliveries, their attempts and events purged after
// retentionDeliveredHours; failed ones only after retentionFailedHours) and the Prometheus
// metrics at GET /metrics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import type { TestApp } from '../helpers/app.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, ingest, waitForDelivery } from './support.js';

const MINUTE = 60_000;

test('retention purges delivered work after retentionDeliveredHours and failed work only after retentionFailedHours', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, config: { retentionDeliveredHours: 1, retentionFailedHours: 5 } });
  const good = await startReceiver(always(200));
  const bad = await startReceiver(always(500));
  try {
    const wOk = await createWebhook(t, { url: good.url, eventTypes: ['ok.*'] });
    const wBad = await createWebhook(t, { url: bad.url, eventTypes: ['bad.*'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'ok.x', id: 'e-ok' }, { type: 'bad.x', id: 'e-bad' }]);
    const ok = await waitForDelivery(t, wOk.id, 'e-ok', ['delivered']);
    const failed = await waitForDelivery(t, wBad.id, 'e-bad', ['failed']);
    const okAttempt = ok.attemptLog[0]?.id ?? '';
    const badAttempt = failed.attemptLog[0]?.id ?? '';

    const present = async (): Promise<Record<string, boolean>> => ({
      okDelivery: (await t.call('GET', `/api/v1/deliveries/${ok.id}`)).status === 200,
      okAttempt: (await t.rt.store.deliveries.getAttempt(ALL_TENANTS, okAttempt)) !== undefined,
      okEvent: (await t.call('GET', '/api/v1/events/e-ok?tenantId=acme')).status === 200,
      badDelivery: (await t.call('GET', `/api/v1/deliveries/${failed.id}`)).status === 200,
      badAttempt: (await t.rt.store.deliveries.getAttempt(ALL_TENANTS, badAttempt)) !== undefined,
      badEvent: (await t.call('GET', '/api/v1/events/e-bad?tenantId=acme')).status === 200,
    });
    const all = { okDelivery: true, okAttempt: true, okEvent: true, badDelivery: true, badAttempt: true, badEvent: true };
    assert.deepEqual(await present(), all);

    clock.advance(59 * MINUTE);
    await t.rt.maintenance!.retention(clock.now(), 10_000); // a budget the purge cannot exhaust here
    assert.deepEqual(await present(), all, 'younger than an hour: all kept');

    clock.advance(2 * MINUTE);
    await t.rt.maintenance!.retention(clock.now(), 10_000); // a budget the purge cannot exhaust here
    assert.deepEqual(await present(), { ...all, okDelivery: false, okAttempt: false, okEvent: false }, 'delivered work purged after 1 h; failed kept');

    clock.advance(4 * 60 * MINUTE - 2 * MINUTE);
    await t.rt.maintenance!.retention(clock.now(), 10_000); // a budget the purge cannot exhaust here
    assert.deepEqual(await present(), { ...all, okDelivery: false, okAttempt: false, okEvent: false }, 'failed work kept until 5 h');

    clock.advance(3 * MINUTE);
    await t.rt.maintenance!.retention(clock.now(), 10_000); // a budget the purge cannot exhaust here
    assert.deepEqual(await present(), { okDelivery: false, okAttempt: false, okEvent: false, badDelivery: false, badAttempt: false, badEvent: false });
  } finally {
    await good.close();
    await bad.close();
    await t.close();
  }
});

/** The value of one sample in Prometheus text format (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const found = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(t: TestApp): Promise<string> {
  const res = await t.call<string>('GET', '/metrics', undefined, null);
  assert.equal(res.status, 200, 'no API key needed');
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  return res.raw;
}

test('GET /metrics reports deliveries, attempt durations, queue depth and ingested events', async () => {
  const t = await engineApp();
  const good = await startReceiver(always(200));
  const bad = await startReceiver(always(500));
  try {
    const wOk = await createWebhook(t, { url: good.url, eventTypes: ['ok.*'] });
    const wBad = await createWebhook(t, { url: bad.url, eventTypes: ['bad.*'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'ok.x', id: 'm1' }, { type: 'ok.x', id: 'm2' }, { type: 'bad.x', id: 'm3' }]);
    await waitForDelivery(t, wOk.id, 'm1', ['delivered']);
    await waitForDelivery(t, wOk.id, 'm2', ['delivered']);
    await waitForDelivery(t, wBad.id, 'm3', ['failed']);

    const text = await scrape(t);
    for (const name of ['hookrelay_deliveries_total', 'hookrelay_attempt_duration_seconds', 'hookrelay_queue_depth', 'hookrelay_oldest_due_delivery_age_seconds', 'hookrelay_events_ingested_total']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.equal(sample(text, 'hookrelay_deliveries_total', { outcome: 'delivered' }), 2);
    assert.equal(sample(text, 'hookrelay_deliveries_total', { outcome: 'failed' }), 1);
    assert.equal(sample(text, 'hookrelay_attempt_duration_seconds_count', { outcome: 'success' }), 2);
    assert.equal(sample(text, 'hookrelay_attempt_duration_seconds_count', { outcome: 'failure' }), 1);
    assert.equal(sample(text, 'hookrelay_attempt_duration_seconds_bucket', { outcome: 'success', le: '+Inf' }), 2);
    assert.equal(sample(text, 'hookrelay_events_ingested_total', { source: 'api' }), 3);
    assert.equal(sample(text, 'hookrelay_queue_depth', { state: 'failed' }), 1);
    assert.equal(sample(text, 'hookrelay_queue_depth', { state: 'pending' }), 0);
    assert.equal(sample(text, 'hookrelay_oldest_due_delivery_age_seconds'), 0);
  } finally {
    await good.close();
    await bad.close();
    await t.close();
  }
});

test('hookrelay_oldest_due_delivery_age_seconds is the age of the oldest waiting delivery', async () => {
  const clock = new ManualClock(Date.now());
  const t = await engineApp({ clock, engine: false });
  try {
    await createWebhook(t, { url: 'http://127.0.0.1:9/never' });
    await ingest(t, [{ type: 'q.x', id: 'q1' }]);
    clock.advance(42_000);
    await ingest(t, [{ type: 'q.x', id: 'q2' }]);
    const text = await scrape(t);
    assert.equal(sample(text, 'hookrelay_oldest_due_delivery_age_seconds'), 42);
    assert.equal(sample(text, 'hookrelay_queue_depth', { state: 'pending' }), 2);
    assert.equal(sample(text, 'hookrelay_events_ingested_total', { source: 'api' }), 2);
  } finally {
    await t.close();
  }
});
