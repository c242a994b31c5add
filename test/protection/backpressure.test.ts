// Ingest back-pressure over real HTTP: once more deliveries are owed than HOOKRELAY_MAX_BACKLOG,
// ingest answers 503 problem+json with Retry-After and stores nothing, the rest of the API and
// health keep answering, and ingest resumes when the backlog falls. The backlog is measured at
// most every two seconds of (here, hand-moved) clock time, in the background.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { ManualClock } from '../../src/clock.js';
import { MEASURE_EVERY_MS } from '../../src/http/backpressure.js';
import { http, servedApp, sleep, type HttpResult, type Served } from './support.js';

describe('ingest back-pressure', () => {
  const clock = new ManualClock();
  let s: Served;
  let webhookId = '';
  const publish = (id: string): Promise<HttpResult> => http(`${s.url}/api/v1/events`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', type: 'order.created', id, data: { id } } });

  /** Publishes until the answer is `status` (the backlog is re-measured in the background). */
  async function publishUntil(status: number, prefix: string): Promise<HttpResult> {
    clock.advance(MEASURE_EVERY_MS);
    for (let i = 0; i < 100; i++) {
      const r = await publish(`${prefix}-${i}`);
      if (r.status === status) return r;
      await sleep(10);
    }
    throw new Error(`ingest never answered ${status}`);
  }

  before(async () => {
    s = await servedApp({
      clock,
      config: { maxBacklog: 3 },
      register: (app) => {
        // What the inbound route does: opt in through its route config.
        app.post('/test-inbound', { config: { backpressure: true } }, (_request, reply: FastifyReply) => reply.code(202).send({ ok: true }));
      },
    });
    assert.equal((await http(`${s.url}/api/v1/tenants`, { method: 'POST', key: s.adminKey, body: { id: 'acme', name: 'Acme' } })).status, 201);
    // Nothing delivers in this test (no engine), so every event leaves a pending delivery.
    const w = await http(`${s.url}/api/v1/webhooks`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', name: 'sink', url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], verify: false } });
    assert.equal(w.status, 201);
    webhookId = String(w.body?.id);
  });
  after(() => s.close());

  it('answers 503 with Retry-After once the backlog passes the bound, and stores nothing', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await publish(`ok-${i}`)).status, 202);
    const refused = await publishUntil(503, 'over');
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(refused.body?.code, 'backpressure');
    assert.equal(refused.headers.get('retry-after'), '10');
    assert.match(String(refused.body?.detail), /HOOKRELAY_MAX_BACKLOG/);

    const id = 'refused-for-sure';
    assert.equal((await publish(id)).status, 503);
    assert.equal((await http(`${s.url}/api/v1/events/${id}?tenantId=acme`, { key: s.adminKey })).status, 404, 'a refused event is not stored');
    const batch = await http(`${s.url}/api/v1/events`, { method: 'POST', key: s.adminKey, body: { events: [{ tenantId: 'acme', type: 'order.created', data: {} }] } });
    assert.equal(batch.status, 503, 'batches are refused too');
    assert.equal((await http(`${s.url}/test-inbound`, { method: 'POST', raw: '{}' })).status, 503, 'routes that opt in through config are refused');

    assert.equal((await http(`${s.url}/api/v1/tenants`, { key: s.adminKey })).status, 200, 'the rest of the API answers');
    assert.equal((await http(`${s.url}/healthz`)).status, 200);
    const metrics = await http(`${s.url}/metrics`, { key: s.adminKey });
    assert.match(String(metrics.body?.text), /^hookrelay_backpressure_refused_total 4$/m, 'each of the four refusals is counted');
  });

  it('accepts again once the backlog has drained', async () => {
    // Deleting the webhook cancels what it was owed: the backlog drops to zero.
    assert.equal((await http(`${s.url}/api/v1/webhooks/${webhookId}`, { method: 'DELETE', key: s.adminKey })).status, 204);
    const accepted = await publishUntil(202, 'after');
    assert.equal(accepted.body?.deliveries, 0);
  });
});

describe('back-pressure off (HOOKRELAY_MAX_BACKLOG=0)', () => {
  let s: Served;
  before(async () => {
    s = await servedApp({ config: { maxBacklog: 0 } });
  });
  after(() => s.close());

  it('never refuses ingest and never measures', async () => {
    let measured = 0;
    const original = s.rt.store.dispatch.queueStats;
    Object.assign(s.rt.store.dispatch, { queueStats: (now: number) => { measured += 1; return original(now); } });
    assert.equal((await http(`${s.url}/api/v1/tenants`, { method: 'POST', key: s.adminKey, body: { id: 'acme', name: 'Acme' } })).status, 201);
    const r = await http(`${s.url}/api/v1/events`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', type: 'x', data: 1 } });
    assert.equal(r.status, 202);
    assert.equal(measured, 0);
  });
});
