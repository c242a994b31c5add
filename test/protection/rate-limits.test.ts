// Rate limits under real concurrent HTTP clients against a listening server: 429 problems with
// Retry-After and RateLimit-* headers, recovery after the window, isolation between API keys,
// the global ceiling (which health and metrics escape), and the per-source hook inbound uses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { burst, count, http, servedApp, sleep, type HttpResult, type Served } from './support.js';

function assertLimited(r: HttpResult, limit: string, name: string): void {
  assert.equal(r.status, 429);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.body?.code, 'rate_limited');
  assert.equal(r.body?.limit, name);
  assert.equal(r.headers.get('ratelimit-limit'), limit);
  assert.equal(r.headers.get('ratelimit-remaining'), '0', JSON.stringify([...r.headers.entries()]));
  assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After is at least a second');
  assert.ok(Number(r.headers.get('ratelimit-reset')) >= 1);
}

/** The most a bucket of `rate`/s (burst = rate) can admit between `started` and now. */
function admissible(rate: number, started: number): number {
  return rate + Math.ceil(((performance.now() - started) / 1000) * rate);
}

function metric(text: string, limit: string): number {
  const m = new RegExp(`^hookrelay_rate_limited_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe('per-API-key limit', () => {
  let s: Served;
  before(async () => {
    s = await servedApp({ config: { rateLimitPerSecond: 20, globalRateLimitPerSecond: 0 } });
  });
  after(() => s.close());

  it('refuses a flood from one key with 429s, leaves other keys alone, and recovers after Retry-After', async () => {
    const a = await s.key(['tenants:read', 'events:write']);
    const b = await s.key(['tenants:read']);
    const started = performance.now();
    const results = await burst(60, () => http(`${s.url}/api/v1/tenants`, { key: a }));
    const ok = count(results, 200);
    const limited = results.filter((r) => r.status === 429);
    // 20 at once, plus whatever refilled (20/s) while the burst was in flight.
    assert.ok(ok >= 20 && ok <= admissible(20, started), `${ok} of 60 admitted`);
    assert.equal(ok + limited.length, 60);
    for (const r of limited) assertLimited(r, '20', 'api_key');
    for (const r of results.filter((x) => x.status === 200)) assert.equal(r.headers.get('ratelimit-limit'), '20', 'admitted responses carry the headers too');

    const other = await http(`${s.url}/api/v1/tenants`, { key: b });
    assert.equal(other.status, 200, 'another key has its own bucket');
    assert.equal(other.headers.get('ratelimit-remaining'), '19');

    // The limit is checked before the body is read: refused requests cost no parsing.
    const broken = await burst(40, () => http(`${s.url}/api/v1/events`, { method: 'POST', key: a, raw: '{not json' }));
    assert.ok(count(broken, 429) >= 30, `${count(broken, 429)} of 40 broken bodies refused with 429`);
    assert.equal(count(broken, 429) + count(broken, 400), 40);
    // Without a key there is no per-key bucket: authentication answers.
    assert.equal((await http(`${s.url}/api/v1/tenants`)).status, 401);

    const metrics = await http(`${s.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.equal(metric(String(metrics.body?.text), 'api_key'), limited.length + count(broken, 429));

    await sleep(Number(limited[0]?.headers.get('retry-after') ?? 1) * 1000);
    const again = await http(`${s.url}/api/v1/tenants`, { key: a });
    assert.equal(again.status, 200, 'the key recovers once the window has refilled');
  });
});

describe('global ceiling', () => {
  let s: Served;
  before(async () => {
    s = await servedApp({ config: { rateLimitPerSecond: 0, globalRateLimitPerSecond: 30 } });
  });
  after(() => s.close());

  it('caps all clients together, while health, readiness and metrics stay reachable', async () => {
    const keys = await Promise.all([1, 2, 3].map(() => s.key(['tenants:read'])));
    await sleep(1100); // the key setup above did not go through HTTP, but start from a full bucket anyway
    const started = performance.now();
    const results = await burst(90, (i) => {
      const which = i % 4;
      return which === 3 ? http(`${s.url}/no-such-route`) : http(`${s.url}/api/v1/tenants`, { key: keys[which] ?? '' });
    });
    const limited = results.filter((r) => r.status === 429);
    const served = results.length - limited.length;
    assert.ok(served >= 30 && served <= admissible(30, started), `${served} of 90 served`);
    for (const r of limited) assertLimited(r, '30', 'global');

    // A second flood, with health checks and scrapes in the middle of it: those are never refused.
    const [flood, probes] = await Promise.all([
      burst(60, (i) => http(`${s.url}/api/v1/tenants`, { key: keys[i % 3] ?? '' })),
      burst(9, (i) => http(`${s.url}${['/healthz', '/readyz', '/metrics'][i % 3] ?? ''}`)),
    ]);
    assert.ok(count(flood, 429) >= 20, `${count(flood, 429)} of the second flood refused`);
    assert.deepEqual(probes.map((r) => r.status), Array<number>(9).fill(200));

    await sleep(1100);
    assert.equal((await http(`${s.url}/api/v1/tenants`, { key: keys[0] ?? '' })).status, 200);
  });
});

describe('per-source limit (app.protection.limitSource, for /in/{sourceId})', () => {
  let s: Served;
  before(async () => {
    s = await servedApp({
      config: { globalRateLimitPerSecond: 0 },
      // A stand-in for the inbound route: it knows the source and its rateLimitPerSecond.
      register: (app) => {
        app.post('/test-inbound/:id', (request, reply: FastifyReply) => {
          const id = (request.params as { id: string }).id;
          app.protection.limitSource(reply, id, id === 'unlimited' ? null : 5);
          return reply.code(202).send({ ok: true });
        });
      },
    });
  });
  after(() => s.close());

  it('limits each source on its own and says so with the same headers', async () => {
    const started = performance.now();
    const results = await burst(15, () => http(`${s.url}/test-inbound/src_a`, { method: 'POST', raw: '{}' }));
    const ok = count(results, 202);
    assert.ok(ok >= 5 && ok <= admissible(5, started), `${ok} of 15 admitted`);
    for (const r of results.filter((x) => x.status === 429)) assertLimited(r, '5', 'source');
    assert.equal((await http(`${s.url}/test-inbound/src_b`, { method: 'POST', raw: '{}' })).status, 202, 'another source has its own bucket');
    const unlimited = await burst(30, () => http(`${s.url}/test-inbound/unlimited`, { method: 'POST', raw: '{}' }));
    assert.equal(count(unlimited, 202), 30, 'a source without a limit is not limited');
  });
});
