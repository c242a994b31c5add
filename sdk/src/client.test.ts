// The SDK against a real hookrelay server (a child process): every resource end to end, typed
// ProblemErrors for refusals, idempotent publishing, delivery to a real receiver whose
// signature the SDK's own verifyWebhook accepts, and retries riding out real 429s.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HookrelayClient } from './client.js';
import { ProblemError } from './errors.js';
import { startServer, startSink, type Sink, type TestServer } from './testing/server.js';
import { verifyWebhook } from './verify.js';

const until = async <T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('HookrelayClient against a running server', () => {
  let server: TestServer;
  let sink: Sink;
  let hr: HookrelayClient;
  before(async () => {
    [server, sink] = await Promise.all([startServer(), startSink()]);
    hr = new HookrelayClient({ url: server.url, apiKey: server.adminKey });
  });
  after(async () => {
    await sink.close();
    await server.stop();
  });

  it('manages tenants and event types, and reports refusals as typed ProblemErrors', async () => {
    const t = await hr.tenants.create({ id: 'acme', name: 'Acme' });
    assert.equal(t.enabled, true);
    assert.equal((await hr.tenants.update('acme', { name: 'Acme Corp' })).name, 'Acme Corp');
    assert.deepEqual((await hr.tenants.list()).data.map((x) => x.id), ['acme']);
    await assert.rejects(hr.tenants.create({ id: 'acme', name: 'again' }), (err: unknown) => err instanceof ProblemError && err.status === 409 && err.code === 'conflict');
    await assert.rejects(hr.tenants.get('nobody'), (err: unknown) => err instanceof ProblemError && err.code === 'not_found');
    await assert.rejects(hr.tenants.create({ id: 'bad id!', name: 'x' }), (err: unknown) => err instanceof ProblemError && err.code === 'validation_failed' && err.errors[0]?.field === '/body/id');

    await hr.eventTypes.create({ name: 'invoice.paid', description: 'An invoice was paid', schema: { type: 'object', required: ['amount'] } });
    assert.equal((await hr.eventTypes.get('invoice.paid')).description, 'An invoice was paid');
    await assert.rejects(hr.events.publish({ tenantId: 'acme', type: 'invoice.paid', data: {} }), (err: unknown) => err instanceof ProblemError && err.code === 'schema_mismatch');
  });

  it('creates a webhook, publishes idempotently, and the delivery verifies with verifyWebhook', async () => {
    const w = await hr.webhooks.create({ tenantId: 'acme', name: 'billing', url: `${sink.url}/hooks`, eventTypes: ['invoice.*'] });
    assert.match(w.secret ?? '', /^whsec_/);
    await sink.waitFor(1); // the verification event
    assert.equal((await hr.webhooks.getSecret(w.id)).secret, w.secret);
    assert.equal((await hr.webhooks.test(w.id)).ok, true);

    const first = await hr.events.publish({ tenantId: 'acme', type: 'invoice.paid', id: 'inv_1-paid', data: { amount: 4200 } });
    assert.deepEqual(first, { id: 'inv_1-paid', deliveries: 1 });
    assert.deepEqual(await hr.events.publish({ tenantId: 'acme', type: 'invoice.paid', id: 'inv_1-paid', data: { amount: 4200 } }), first, 'the same id again creates nothing');
    const generated = await hr.events.publish({ tenantId: 'acme', type: 'invoice.paid', data: { amount: 1 } });
    assert.match(generated.id, /^evt_/);
    const batch = await hr.events.publishBatch([{ tenantId: 'acme', type: 'invoice.paid', data: { amount: 2 } }, { tenantId: 'acme', type: 'other.thing', data: null }]);
    assert.deepEqual(batch.map((b) => b.deliveries), [1, 0]);

    await sink.waitFor(5); // verification, test, and three invoice events
    const received = sink.requests.find((r) => r.headers['webhook-id'] === 'inv_1-paid');
    assert.ok(received);
    const event = verifyWebhook(received.body, received.headers, w.secret ?? '');
    assert.ok(!Array.isArray(event));
    assert.deepEqual([event.id, event.type, event.data], ['inv_1-paid', 'invoice.paid', { amount: 4200 }]);
    assert.equal((await hr.events.get('inv_1-paid', 'acme')).deliveries, 1);
    assert.ok((await hr.events.list({ tenantId: 'acme', limit: 2 })).nextCursor !== null);
  });

  it('lists, inspects and retries deliveries, one and in bulk', async () => {
    const all: string[] = [];
    for await (const d of hr.deliveries.iterate({ tenantId: 'acme', limit: 1 })) all.push(d.id);
    assert.ok(all.length >= 3);
    const delivered = await until(() => hr.deliveries.list({ eventId: 'inv_1-paid' }), (p) => p.data[0]?.state === 'delivered');
    const detail = await hr.deliveries.get(delivered.data[0]?.id ?? '');
    assert.equal(detail.attemptLog[0]?.status, 204);
    assert.equal((await hr.deliveries.retry(detail.id)).id, detail.id);
    assert.equal(await hr.deliveries.retryAll({ state: 'failed' }), 0);
    const w = (await hr.webhooks.list({ tenantId: 'acme' })).data[0];
    assert.ok(w);
    assert.equal((await hr.webhooks.health(w.id)).queue.failed, 0);
  });

  it('manages sources and API keys', async () => {
    const s = await hr.sources.create({ tenantId: 'acme', name: 'Partner X', auth: { type: 'hmac', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, eventType: 'partner.message' });
    assert.equal(s.url, `/in/${s.id}`);
    assert.equal(s.auth.hasSecret, true);
    assert.equal((await hr.sources.update(s.id, { rateLimitPerSecond: 5 })).rateLimitPerSecond, 5);
    assert.deepEqual((await hr.sources.requests(s.id)).data, []);

    const key = await hr.apiKeys.create({ name: 'publisher', permissions: ['events:write'], tenantId: 'acme' });
    const publisher = new HookrelayClient({ url: server.url, apiKey: key.key });
    assert.equal((await publisher.events.publish({ type: 'invoice.paid', data: { amount: 3 } })).deliveries, 1, 'a tenant key needs no tenantId');
    await assert.rejects(publisher.tenants.list(), (err: unknown) => err instanceof ProblemError && err.status === 403);
    await hr.apiKeys.revoke(key.id);
    await assert.rejects(publisher.events.publish({ type: 'invoice.paid', data: {} }), (err: unknown) => err instanceof ProblemError && err.status === 401);
    await hr.sources.delete(s.id);
  });
});

describe('HookrelayClient under a real rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ HOOKRELAY_RATE_LIMIT_PER_SECOND: '5' });
  });
  after(() => server.stop());

  it('rides out 429s by waiting as Retry-After says', async () => {
    const hr = new HookrelayClient({ url: server.url, apiKey: server.adminKey, maxRetries: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, () => hr.tenants.list()));
    assert.equal(results.length, 12, 'every call succeeded eventually');
    const impatient = new HookrelayClient({ url: server.url, apiKey: server.adminKey, maxRetries: 0 });
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => impatient.tenants.list()));
    const refused = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    assert.ok(refused.length > 0);
    assert.ok(refused.every((e) => e instanceof ProblemError && e.code === 'rate_limited' && (e.retryAfterSeconds ?? 0) >= 1));
  });
});
