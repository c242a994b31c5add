// Protection on /in/{id}: the source's own rateLimitPerSecond (429 with RateLimit-* headers,
// counted only for authenticated callers), back-pressure (503 with Retry-After while the
// delivery backlog is over HOOKRELAY_MAX_BACKLOG), and the inbound metrics by result.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import { MEASURE_EVERY_MS } from '../../src/http/backpressure.js';
import type { TestApp } from '../helpers/app.js';
import { createSource, inboundApp, listRequests, send, TENANT } from './support.js';

describe('per-source rate limit', () => {
  let t: TestApp;
  before(async () => {
    t = await inboundApp();
  });
  after(() => t.close());

  it('refuses requests over rateLimitPerSecond with 429; other sources and strangers do not use it up', async () => {
    const s = await createSource(t, { rateLimitPerSecond: 3, auth: { type: 'header', headerName: 'X-Token', token: 'ok' } });
    const other = await createSource(t, {});
    // Unauthenticated requests are refused before the source's bucket is touched.
    for (let i = 0; i < 5; i++) assert.equal((await send(t, s.id, { body: '{}', headers: { 'x-token': 'bad' } })).status, 401);
    // Sent together, so the bucket (3 per second) cannot refill in between, however slow the commit.
    const results = await Promise.all(Array.from({ length: 6 }, () => send(t, s.id, { body: '{}', headers: { 'x-token': 'ok' } })));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((x) => x === 200).length, 3, statuses.join(','));
    const limited = results.filter((r) => r.status === 429);
    assert.equal(limited.length, 3, statuses.join(','));
    assert.equal(limited[0]?.json?.code, 'rate_limited');
    assert.equal(limited[0]?.headers['ratelimit-limit'], '3');
    assert.ok(limited[0]?.headers['retry-after'] !== undefined);
    assert.equal((await send(t, other.id, { body: '{}' })).status, 200, 'each source has its own bucket');
    assert.equal((await listRequests(t, s.id)).length, statuses.filter((x) => x === 200).length, 'refused requests are not stored');
  });

  it('counts inbound requests by result in /metrics', async () => {
    const s = await createSource(t, {});
    await send(t, s.id, { body: '{}', headers: { 'webhook-id': 'm1' } });
    await send(t, s.id, { body: '{}', headers: { 'webhook-id': 'm1' } });
    await send(t, s.id, { body: '<x/>', headers: { 'content-type': 'application/xml' } });
    const text = await t.rt.metrics.registry.metrics();
    for (const result of ['accepted', 'duplicate', 'unauthorized', 'rate_limited', 'unsupported_media_type']) {
      assert.match(text, new RegExp(`hookrelay_inbound_requests_total\\{result="${result}"\\} [1-9]`), result);
    }
  });
});

describe('back-pressure', () => {
  const clock = new ManualClock();
  let t: TestApp;
  before(async () => {
    t = await inboundApp({ clock, config: { maxBacklog: 3 } });
    // No engine runs here, so every accepted request leaves a pending delivery behind.
    const hook = await t.call('POST', '/api/v1/webhooks', { tenantId: TENANT, name: 'sink', url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], verify: false });
    assert.equal(hook.status, 201, hook.raw);
  });
  after(() => t.close());

  it('answers 503 with Retry-After once the backlog is over HOOKRELAY_MAX_BACKLOG, storing nothing', async () => {
    const s = await createSource(t, {});
    for (let i = 0; i < 4; i++) assert.equal((await send(t, s.id, { body: '{}' })).status, 200);
    clock.advance(MEASURE_EVERY_MS);
    let refused = null;
    for (let i = 0; i < 100 && refused === null; i++) {
      const r = await send(t, s.id, { body: '{}' });
      if (r.status === 503) refused = r;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused !== null, 'inbound never answered 503');
    assert.equal(refused.json?.code, 'backpressure');
    assert.ok(refused.headers['retry-after'] !== undefined);
    const stored = (await listRequests(t, s.id)).length;
    assert.equal((await send(t, s.id, { body: '{}' })).status, 503);
    assert.equal((await listRequests(t, s.id)).length, stored);
  });
});
