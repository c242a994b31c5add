// End to end through real HTTP receivers: what arrives (body, headers, signatures checked with
// standardwebhooks and svix, auth, methods), what counts as success, redirects, timeouts,
// connection errors, and what the activity log records about each attempt.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/clock.js';
import type { TestApp } from '../helpers/app.js';
import { always, failTimes, startReceiver, type Receiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, freePort, getDelivery, ingest, waitForAll, waitForDelivery, verifyReceived } from './support.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let t: TestApp;
const receivers: Receiver[] = [];
const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
};

before(async () => {
  t = await engineApp();
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

describe('what arrives', () => {
  test('a single event: one signed JSON object, webhook-id = event id', async () => {
    const r = await receiver();
    const w = await createWebhook(t, { url: `${r.url}/hooks?src=hr`, eventTypes: ['single.*'] });
    const data = { invoice: 'in_123', amount: 4200, nested: { list: [1, 'two', null] } };
    const [res] = await ingest(t, [{ type: 'single.created', id: 'evt-single-1', timestamp: '2026-11-23T10:00:00Z', data }]);
    assert.equal(res?.deliveries, 1);
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/hooks?src=hr');
    const expected = { id: 'evt-single-1', type: 'single.created', timestamp: '2026-11-23T10:00:00.000Z', tenantId: 'acme', data };
    const body = JSON.parse(req.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['id', 'type', 'timestamp', 'tenantId', 'data']);
    assert.deepEqual(body, expected);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], `hookrelay/${pkg.version}`);
    assert.equal(req.headers['webhook-id'], 'evt-single-1');
    assert.ok(Math.abs(Number(req.headers['webhook-timestamp']) - Date.now() / 1000) < 30);
    assert.deepEqual(verifyReceived(w.secret, req), expected);
    const d = await waitForDelivery(t, w.id, 'evt-single-1', ['delivered']);
    assert.equal(d.attempts, 1);
    assert.equal(d.lastStatus, 200);
    assert.equal(d.attemptLog.length, 1);
    assert.equal(d.attemptLog[0]?.outcome, 'success');
    assert.equal(r.requests.length, 1);
  });

  test('a batch: one signed JSON array, webhook-id = the batch id', async () => {
    const r = await receiver();
    const w = await createWebhook(t, { url: r.url, eventTypes: ['batch.*'], batch: { maxEvents: 3, maxWaitMs: 30_000 } });
    await ingest(t, [1, 2, 3].map((n) => ({ type: 'batch.item', id: `evt-batch-${n}`, data: { n } })));
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    const body = JSON.parse(req.body) as { id: string; data: { n: number } }[];
    assert.deepEqual(body.map((e) => [e.id, e.data.n]), [['evt-batch-1', 1], ['evt-batch-2', 2], ['evt-batch-3', 3]]);
    assert.deepEqual(verifyReceived(w.secret, req), body);
    const all = await waitForAll(t, w.id, 3, ['delivered']);
    const batchIds = new Set(all.map((d) => d.batchId));
    assert.equal(batchIds.size, 1);
    assert.equal(req.headers['webhook-id'], all[0]?.batchId);
    assert.notEqual(req.headers['webhook-id'], 'evt-batch-1');
    const detail = await getDelivery(t, all[0]?.id ?? '');
    assert.equal(detail.attemptLog[0]?.eventCount, 3);
    assert.equal(detail.attemptLog[0]?.batchId, all[0]?.batchId);
  });

  test('custom headers and header auth arrive; the log redacts the token', async () => {
    const r = await receiver();
    const w = await createWebhook(t, {
      url: r.url, eventTypes: ['hdr.*'], headers: { 'X-Env': 'prod', 'X-Team': 'billing' },
      auth: { type: 'header', headerName: 'X-Webhook-Token', token: 'tok-very-secret' },
    });
    await ingest(t, [{ type: 'hdr.x', id: 'evt-hdr' }]);
    const [req] = await r.waitFor(1);
    assert.equal(req?.headers['x-env'], 'prod');
    assert.equal(req?.headers['x-team'], 'billing');
    assert.equal(req?.headers['x-webhook-token'], 'tok-very-secret');
    const d = await waitForDelivery(t, w.id, 'evt-hdr', ['delivered']);
    const logged = d.attemptLog[0]?.requestHeaders ?? {};
    assert.equal(logged['X-Webhook-Token'], '[redacted]');
    assert.equal(logged['X-Env'], 'prod');
    assert.equal(logged['webhook-id'], 'evt-hdr');
    assert.ok(!JSON.stringify(d).includes('tok-very-secret'));
  });

  test('basic auth arrives; the log shows Authorization as [redacted]', async () => {
    const r = await receiver();
    const w = await createWebhook(t, { url: r.url, eventTypes: ['basic.*'], auth: { type: 'basic', username: 'hookrelay', password: 'pw-very-secret' } });
    await ingest(t, [{ type: 'basic.x', id: 'evt-basic' }]);
    const [req] = await r.waitFor(1);
    const encoded = Buffer.from('hookrelay:pw-very-secret').toString('base64');
    assert.equal(req?.headers.authorization, `Basic ${encoded}`);
    const d = await waitForDelivery(t, w.id, 'evt-basic', ['delivered']);
    const logged = d.attemptLog[0]?.requestHeaders ?? {};
    assert.equal(logged.authorization, 'Basic [redacted]');
    const text = JSON.stringify(d.attemptLog);
    assert.ok(!text.includes(encoded) && !text.includes('pw-very-secret'));
  });

  test('PUT and PATCH send the body with that method', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const r = await receiver();
      const w = await createWebhook(t, { url: r.url, method, eventTypes: [`m${method}.*`] });
      await ingest(t, [{ type: `m${method}.x`, id: `evt-${method}`, data: { m: method } }]);
      const [req] = await r.waitFor(1);
      assert.equal(req?.method, method);
      assert.ok(req !== undefined);
      assert.deepEqual((verifyReceived(w.secret, req) as { data: unknown }).data, { m: method });
    }
  });

  test('GET sends no body and puts id and type in the query; the signature covers the empty body', async () => {
    const r = await receiver();
    const w = await createWebhook(t, { url: `${r.url}/poll?k=v`, method: 'GET', eventTypes: ['get.*'] });
    await ingest(t, [{ type: 'get.thing', id: 'evt-get-1', data: { big: 'x' } }]);
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    assert.equal(req.method, 'GET');
    assert.equal(req.body, '');
    assert.equal(req.headers['content-type'], undefined);
    const url = new URL(req.url, 'http://x');
    assert.equal(url.pathname, '/poll');
    assert.equal(url.searchParams.get('k'), 'v');
    assert.equal(url.searchParams.get('id'), 'evt-get-1');
    assert.equal(url.searchParams.get('type'), 'get.thing');
    assert.equal(req.headers['webhook-id'], 'evt-get-1');
    verifyReceived(w.secret, req);
    await waitForDelivery(t, w.id, 'evt-get-1', ['delivered']);
  });

  test('includePayload false sends the envelope without data', async () => {
    const r = await receiver();
    const w = await createWebhook(t, { url: r.url, includePayload: false, eventTypes: ['nodata.*'] });
    await ingest(t, [{ type: 'nodata.x', id: 'evt-nodata', timestamp: '2026-01-02T03:04:05Z', data: { secret: 'not sent' } }]);
    const [req] = await r.waitFor(1);
    assert.ok(req !== undefined);
    assert.deepEqual(JSON.parse(req.body), { id: 'evt-nodata', type: 'nodata.x', timestamp: '2026-01-02T03:04:05.000Z', tenantId: 'acme' });
    assert.ok(!req.body.includes('not sent'));
    verifyReceived(w.secret, req);
  });
});

test('a batch keeps its webhook-id and body across retries', async () => {
  const clock = new ManualClock(Date.now());
  const t2 = await engineApp({ clock });
  const r = await receiver(failTimes(1, 503));
  try {
    const w = await createWebhook(t2, { url: r.url, batch: { maxEvents: 2, maxWaitMs: 30_000 }, retry: { initialDelayMs: 1000, maxDelayMs: 1000, maxDurationSeconds: 3600 } });
    await ingest(t2, [{ type: 'b.x', id: 'rb-1' }, { type: 'b.x', id: 'rb-2' }]);
    await r.waitFor(1);
    const retrying = await waitForAll(t2, w.id, 2, ['retrying']);
    assert.equal(r.requests.length, 1);
    clock.advance(1500);
    t2.rt.dispatcher!.wake([w.id]);
    const [first, second] = await r.waitFor(2);
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.headers['webhook-id'], retrying[0]?.batchId);
    assert.equal(second.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(second.body, first.body);
    verifyReceived(w.secret, second);
    await waitForAll(t2, w.id, 2, ['delivered']);
  } finally {
    await t2.close();
  }
});

describe('what counts as success', () => {
  test('successStatuses [202]: a 200 is a failure, a 202 a success', async () => {
    const r200 = await receiver(always(200));
    const r202 = await receiver(always(202));
    const w200 = await createWebhook(t, { url: r200.url, eventTypes: ['ss.*'], successStatuses: [202], retry: { maxDurationSeconds: 0 } });
    const w202 = await createWebhook(t, { url: r202.url, eventTypes: ['ss.*'], successStatuses: [202], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'ss.x', id: 'evt-ss' }]);
    const bad = await waitForDelivery(t, w200.id, 'evt-ss', ['failed']);
    assert.equal(bad.lastStatus, 200);
    assert.equal(bad.failedReason, 'no_retries');
    assert.equal(bad.attemptLog[0]?.outcome, 'failure');
    assert.equal(bad.attemptLog[0]?.errorClass, 'http_status');
    const good = await waitForDelivery(t, w202.id, 'evt-ss', ['delivered']);
    assert.equal(good.lastStatus, 202);
  });

  test('a 3xx is a failure and the redirect is not followed', async () => {
    const target = await receiver(always(200));
    const r = await receiver(always(302, { headers: { location: `${target.url}/elsewhere` } }));
    const w = await createWebhook(t, { url: r.url, eventTypes: ['redir.*'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'redir.x', id: 'evt-redir' }]);
    const d = await waitForDelivery(t, w.id, 'evt-redir', ['failed']);
    assert.equal(d.lastStatus, 302);
    assert.equal(d.attemptLog.length, 1);
    assert.equal(d.attemptLog[0]?.status, 302);
    assert.equal(d.attemptLog[0]?.responseHeaders?.location, `${target.url}/elsewhere`);
    assert.equal(r.requests.length, 1);
    assert.equal(target.requests.length, 0, 'the Location target received nothing');
  });

  test('timeoutMs is enforced: no complete answer within 1000 ms is a timeout', async () => {
    const r = await receiver(always(200, { delayMs: 3000 }));
    const w = await createWebhook(t, { url: r.url, eventTypes: ['slow.*'], timeoutMs: 1000, retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'slow.x', id: 'evt-slow' }]);
    const d = await waitForDelivery(t, w.id, 'evt-slow', ['failed'], 5000);
    const a = d.attemptLog[0];
    assert.equal(a?.errorClass, 'timeout');
    assert.equal(a?.error, 'timeout');
    assert.equal(a?.status, null);
    assert.ok(a !== undefined && a.durationMs >= 1000 && a.durationMs < 1500, `durationMs ${a?.durationMs}`);
  });

  test('connection refused is classified', async () => {
    const port = await freePort();
    const w = await createWebhook(t, { url: `http://127.0.0.1:${port}/`, eventTypes: ['refused.*'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'refused.x', id: 'evt-refused' }]);
    const d = await waitForDelivery(t, w.id, 'evt-refused', ['failed']);
    assert.equal(d.attemptLog[0]?.errorClass, 'connection_refused');
    assert.equal(d.attemptLog[0]?.status, null);
    assert.equal(d.lastStatus, null);
    assert.match(d.lastError ?? '', /refused/);
  });

  test('the response excerpt is capped at 4096 bytes', async () => {
    const r = await receiver(always(500, { body: 'x'.repeat(10_000) }));
    const w = await createWebhook(t, { url: r.url, eventTypes: ['big.*'], retry: { maxDurationSeconds: 0 } });
    await ingest(t, [{ type: 'big.x', id: 'evt-big' }]);
    const d = await waitForDelivery(t, w.id, 'evt-big', ['failed']);
    assert.equal(d.attemptLog[0]?.status, 500);
    assert.equal(d.attemptLog[0]?.responseExcerpt, 'x'.repeat(4096));
  });
});
