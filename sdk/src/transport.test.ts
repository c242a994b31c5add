// The client's retry rules with a scripted fetch: 429/503 are retried after Retry-After for any
// operation; a lost connection only for reads and publishes (which always carry an id, the
// same one on every try); a wait beyond maxRetryDelayMs is not waited for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookrelayClient } from './client.js';
import { ConnectionError, ProblemError } from './errors.js';

type Step = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

function scripted(steps: Step[]): { fetch: typeof fetch; calls: { url: string; method: string; body: string | null }[] } {
  const calls: { url: string; method: string; body: string | null }[] = [];
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === 'string' ? init.body : null;
    calls.push({ url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, method: init?.method ?? 'GET', body });
    const step = steps.shift() ?? { status: 500 };
    if (step === 'network-error') return Promise.reject(new TypeError('fetch failed', { cause: new Error('ECONNRESET') }));
    const text = step.body === undefined ? null : JSON.stringify(step.body);
    return Promise.resolve(new Response(text, { status: step.status, headers: { 'content-type': 'application/json', ...step.headers } }));
  };
  return { fetch: fetchFn, calls };
}

const problem = (status: number, code: string) => ({ type: 'x', title: 'T', status, detail: `detail ${code}`, code });
const client = (f: typeof fetch, extra: { maxRetryDelayMs?: number } = {}) => new HookrelayClient({ url: 'http://hookrelay.test/', apiKey: 'hr_test', fetch: f, ...extra });

describe('HookrelayClient transport', () => {
  it('retries a 429 and a 503 after Retry-After, for any operation', async () => {
    const s = scripted([{ status: 429, body: problem(429, 'rate_limited'), headers: { 'retry-after': '0' } }, { status: 503, body: problem(503, 'backpressure'), headers: { 'retry-after': '0' } }, { status: 201, body: { id: 'acme', name: 'Acme' } }]);
    const tenant = await client(s.fetch).tenants.create({ id: 'acme', name: 'Acme' });
    assert.equal(tenant.id, 'acme');
    assert.equal(s.calls.length, 3);
    assert.equal(s.calls[0]?.url, 'http://hookrelay.test/api/v1/tenants');
  });

  it('gives up with the ProblemError (and its Retry-After) when the wait is longer than allowed', async () => {
    const s = scripted([{ status: 503, body: problem(503, 'backpressure'), headers: { 'retry-after': '10' } }]);
    await assert.rejects(client(s.fetch, { maxRetryDelayMs: 5000 }).events.publish({ tenantId: 'acme', type: 'x', data: 1 }), (err: unknown) => {
      assert.ok(err instanceof ProblemError);
      assert.equal(err.code, 'backpressure');
      assert.equal(err.retryAfterSeconds, 10);
      return true;
    });
    assert.equal(s.calls.length, 1);
  });

  it('resends a publish after a lost connection with the same generated id', async () => {
    const s = scripted(['network-error', { status: 202, body: { id: 'whatever', deliveries: 1 } }]);
    await client(s.fetch).events.publish({ tenantId: 'acme', type: 'invoice.paid', data: { a: 1 } });
    assert.equal(s.calls.length, 2);
    const [first, second] = s.calls.map((c) => JSON.parse(c.body ?? '{}') as { id?: string });
    assert.match(first?.id ?? '', /^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(first?.id, second?.id);
  });

  it('does not resend a create after a lost connection: it may have been applied', async () => {
    const s = scripted(['network-error', { status: 201, body: {} }]);
    await assert.rejects(client(s.fetch).webhooks.create({ name: 'n', url: 'https://x.test' }), ConnectionError);
    assert.equal(s.calls.length, 1);
  });

  it('turns error answers into ProblemErrors with per-field errors, and encodes paths and queries', async () => {
    const s = scripted([
      { status: 200, body: { data: [], nextCursor: null } },
      { status: 422, body: { ...problem(422, 'validation_failed'), errors: [{ field: '/body/url', rule: 'https', message: 'use https' }] } },
      { status: 502, body: '<html>bad gateway</html>' },
    ]);
    const c = client(s.fetch);
    await c.deliveries.list({ webhookId: 'wh 1', state: 'failed', limit: 10 });
    assert.equal(s.calls[0]?.url, 'http://hookrelay.test/api/v1/deliveries?webhookId=wh+1&state=failed&limit=10');
    await assert.rejects(c.webhooks.update('wh/1', { url: 'http://x' }), (err: unknown) => err instanceof ProblemError && err.errors[0]?.field === '/body/url');
    assert.equal(s.calls[1]?.url, 'http://hookrelay.test/api/v1/webhooks/wh%2F1');
    await assert.rejects(c.tenants.get('acme'), (err: unknown) => err instanceof ProblemError && err.status === 502 && err.code === 'http_error');
  });

  it('walks every page with iterate()', async () => {
    const s = scripted([
      { status: 200, body: { data: [{ id: 'a' }, { id: 'b' }], nextCursor: 'c1' } },
      { status: 200, body: { data: [{ id: 'c' }], nextCursor: null } },
    ]);
    const ids: string[] = [];
    for await (const t of client(s.fetch).tenants.iterate({ limit: 2 })) ids.push(t.id);
    assert.deepEqual(ids, ['a', 'b', 'c']);
    assert.match(s.calls[1]?.url ?? '', /cursor=c1/);
  });
});
