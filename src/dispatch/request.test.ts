// The exact outbound request: body shapes, headers, credential redaction in the activity log,
// and Standard Webhooks signatures checked with two independent libraries (standardwebhooks
// and svix), including the two signatures sent during a secret rotation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { systemClock } from '../clock.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import type { StoredEvent, Webhook, WebhookAuth, WebhookSettings } from '../store/records.js';
import { WEBHOOK_DEFAULTS } from '../webhooks/schemas.js';
import { generateSecret } from '../webhooks/service.js';
import { authHeaders } from './auth/headers.js';
import { TokenCache } from './auth/oauth2.js';
import { createAgent } from './http-client.js';
import { activeSecrets, eventJson, prepareRequest, redactHeaders } from './request.js';
import { signature, signatureHeader } from './sign.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const agent = createAgent({ allowPrivateNetworks: true });
const tokens = new TokenCache(agent, systemClock, createLogger('silent'), new Metrics(false));
after(() => agent.close());

function webhook(settings: Partial<WebhookSettings> = {}, auth: WebhookAuth = { type: 'none' }, over: Partial<Webhook> = {}): Webhook {
  const now = Date.now();
  return {
    id: 'wh_test', tenantId: 'acme', name: 'test', url: 'https://example.com/hooks?x=1', enabled: true, eventTypes: ['*'],
    settings: { ...WEBHOOK_DEFAULTS, ...settings }, auth, secret: generateSecret(), previousSecret: null, previousSecretUntil: null,
    activeFrom: now, disabledReason: null, disabledAt: null, version: 1, createdAt: now, updatedAt: now, ...over,
  };
}

function event(id: string, data: unknown = { invoice: 'in_1', amount: 4200 }, type = 'invoice.paid'): StoredEvent {
  return { seq: 1, id, tenantId: 'acme', type, timestamp: Date.UTC(2026, 10, 23, 10, 0, 0), data: JSON.stringify(data), receivedAt: Date.now(), deliveries: 1, sourceId: null };
}

async function prepare(w: Webhook, msgId: string, events: StoredEvent[], asBatch: boolean, now = Date.now()) {
  const auth = await authHeaders(w, tokens);
  assert.equal(auth.kind, 'ok');
  if (auth.kind !== 'ok') throw new Error('unreachable');
  return prepareRequest(w, msgId, events, asBatch, auth, now);
}

/** Verifies with both libraries and returns what they parsed (they must agree). */
function verifyBoth(secret: string, body: string, headers: Record<string, string>): unknown {
  const a = new StandardWebhook(secret).verify(body, headers);
  if (body === '') {
    // svix's verify JSON-parses the payload after matching, which fails for an empty body:
    // compare with the signature svix computes instead.
    const expected = new SvixWebhook(secret).sign(headers['webhook-id'] ?? '', new Date(Number(headers['webhook-timestamp']) * 1000), '');
    assert.ok((headers['webhook-signature'] ?? '').split(' ').includes(expected), 'svix computes one of the sent signatures');
    return a;
  }
  const b = new SvixWebhook(secret).verify(body, headers);
  assert.deepEqual(a, b);
  return a;
}

describe('body', () => {
  test('a single event is one object with exactly id, type, timestamp, tenantId, data', async () => {
    const req = await prepare(webhook(), 'evt_1', [event('evt_1')], false);
    assert.ok(req.body !== null);
    const parsed = JSON.parse(req.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['id', 'type', 'timestamp', 'tenantId', 'data']);
    assert.deepEqual(parsed, { id: 'evt_1', type: 'invoice.paid', timestamp: '2026-11-23T10:00:00.000Z', tenantId: 'acme', data: { invoice: 'in_1', amount: 4200 } });
  });

  test('the stored data text is sent verbatim (any JSON value)', () => {
    assert.equal(eventJson(event('e', [1, 'two', null]), true), '{"id":"e","type":"invoice.paid","timestamp":"2026-11-23T10:00:00.000Z","tenantId":"acme","data":[1,"two",null]}');
    assert.equal((JSON.parse(eventJson(event('e"q', 'x\u2028y'), true)) as { id: string }).id, 'e"q', 'ids are JSON-escaped');
  });

  test('includePayload false omits data', async () => {
    const req = await prepare(webhook({ includePayload: false }), 'evt_1', [event('evt_1')], false);
    assert.deepEqual(JSON.parse(req.body ?? 'null'), { id: 'evt_1', type: 'invoice.paid', timestamp: '2026-11-23T10:00:00.000Z', tenantId: 'acme' });
  });

  test('a batch is a JSON array of event objects in order', async () => {
    const events = [event('a', { n: 1 }), event('b', { n: 2 }, 'invoice.voided'), event('c', { n: 3 })];
    const req = await prepare(webhook({ batch: { maxEvents: 10, maxWaitMs: 0 } }), 'bat_1', events, true);
    const parsed = JSON.parse(req.body ?? 'null') as { id: string; type: string; data: { n: number } }[];
    assert.ok(Array.isArray(parsed));
    assert.deepEqual(parsed.map((e) => [e.id, e.type, e.data.n]), [['a', 'invoice.paid', 1], ['b', 'invoice.voided', 2], ['c', 'invoice.paid', 3]]);
    const batchNoData = await prepare(webhook({ includePayload: false, batch: { maxEvents: 10, maxWaitMs: 0 } }), 'bat_1', events, true);
    assert.ok((JSON.parse(batchNoData.body ?? '[]') as Record<string, unknown>[]).every((e) => !('data' in e)));
  });

  test('GET has no body and carries id and type in the query (keeping the URL\'s own query)', async () => {
    const req = await prepare(webhook({ method: 'GET' }), 'evt_1', [event('evt_1')], false);
    assert.equal(req.method, 'GET');
    assert.equal(req.body, null);
    assert.equal(req.headers['content-type'], undefined);
    const url = new URL(req.url);
    assert.equal(url.searchParams.get('x'), '1');
    assert.equal(url.searchParams.get('id'), 'evt_1');
    assert.equal(url.searchParams.get('type'), 'invoice.paid');
  });

  test('PUT and PATCH send the same body as POST', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      const req = await prepare(webhook({ method }), 'evt_1', [event('evt_1')], false);
      assert.equal(req.method, method);
      assert.equal(req.url, 'https://example.com/hooks?x=1');
      assert.equal(req.body, eventJson(event('evt_1'), true));
    }
  });
});

describe('headers', () => {
  test('content type, user agent with the package version, Standard Webhooks headers and custom headers', async () => {
    const now = Date.now();
    const req = await prepare(webhook({ headers: { 'X-Env': 'prod', 'X-Team': 'billing' } }), 'evt_1', [event('evt_1')], false, now);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['user-agent'], `hookrelay/${pkg.version}`);
    assert.equal(req.headers['webhook-id'], 'evt_1');
    assert.equal(req.headers['webhook-timestamp'], String(Math.floor(now / 1000)));
    assert.match(req.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.equal(req.headers['X-Env'], 'prod');
    assert.equal(req.headers['X-Team'], 'billing');
    assert.equal(req.msgId, 'evt_1');
  });

  test('header auth and basic auth are sent, and redacted in the logged copy', async () => {
    const h = await prepare(webhook({ headers: { 'X-Env': 'prod' } }, { type: 'header', headerName: 'X-Webhook-Token', token: 'tok-s3cret' }), 'e', [event('e')], false);
    assert.equal(h.headers['X-Webhook-Token'], 'tok-s3cret');
    assert.equal(h.loggedHeaders['X-Webhook-Token'], '[redacted]');
    assert.equal(h.loggedHeaders['X-Env'], 'prod');
    assert.equal(h.loggedHeaders['webhook-signature'], h.headers['webhook-signature'], 'the signature is not a credential');

    const custom = await prepare(webhook({}, { type: 'header', headerName: 'X-Partner', token: 'p4ss' }), 'e', [event('e')], false);
    assert.equal(custom.headers['X-Partner'], 'p4ss');
    assert.equal(custom.loggedHeaders['X-Partner'], '[redacted]', 'the auth header is redacted whatever its name');

    const b = await prepare(webhook({}, { type: 'basic', username: 'hook', password: 'pa:ss' }), 'e', [event('e')], false);
    assert.equal(b.headers.authorization, `Basic ${Buffer.from('hook:pa:ss').toString('base64')}`);
    assert.equal(b.loggedHeaders.authorization, 'Basic [redacted]');
    assert.ok(!JSON.stringify(b.loggedHeaders).includes(Buffer.from('hook:pa:ss').toString('base64')));
  });

  test('redactHeaders hides values of credential-looking names and keeps the rest', () => {
    const out = redactHeaders({ Authorization: 'Bearer abc.def', 'X-Api-Key': 'k', Cookie: 'sid=1', 'X-Session-Id': 's', 'X-Trace': 't', 'webhook-signature': 'v1,x' });
    assert.deepEqual(out, { Authorization: 'Bearer [redacted]', 'X-Api-Key': '[redacted]', Cookie: '[redacted]', 'X-Session-Id': '[redacted]', 'X-Trace': 't', 'webhook-signature': 'v1,x' });
  });
});

describe('signature', () => {
  test('standardwebhooks and svix both verify a single event and a batch', async () => {
    const w = webhook();
    const single = await prepare(w, 'evt_1', [event('evt_1')], false);
    assert.deepEqual(verifyBoth(w.secret, single.body ?? '', single.headers), JSON.parse(single.body ?? 'null'));
    const batch = await prepare(w, 'bat_1', [event('a'), event('b')], true);
    assert.equal((verifyBoth(w.secret, batch.body ?? '', batch.headers) as unknown[]).length, 2);
  });

  test('a GET request signs the empty body', async () => {
    const w = webhook({ method: 'GET' });
    const req = await prepare(w, 'evt_1', [event('evt_1')], false);
    assert.equal(verifyBoth(w.secret, '', req.headers), undefined);
  });

  test('a tampered body, id or another secret fails verification', async () => {
    const w = webhook();
    const req = await prepare(w, 'evt_1', [event('evt_1')], false);
    const body = req.body ?? '';
    assert.throws(() => new StandardWebhook(w.secret).verify(body.replace('4200', '4201'), req.headers));
    assert.throws(() => new SvixWebhook(w.secret).verify(body, { ...req.headers, 'webhook-id': 'evt_2' }));
    assert.throws(() => new StandardWebhook(generateSecret()).verify(body, req.headers));
  });

  test('during a rotation overlap two space-separated v1 signatures are sent, each from its own secret', async () => {
    const now = Date.now();
    const previous = generateSecret();
    const w = webhook({}, { type: 'none' }, { previousSecret: previous, previousSecretUntil: now + 60_000 });
    assert.deepEqual(activeSecrets(w, now), [w.secret, previous]);
    const req = await prepare(w, 'evt_1', [event('evt_1')], false, now);
    const sigs = (req.headers['webhook-signature'] ?? '').split(' ');
    assert.equal(sigs.length, 2);
    assert.ok(sigs.every((s) => s.startsWith('v1,')));
    const body = req.body ?? '';
    const ts = Number(req.headers['webhook-timestamp']);
    assert.equal(sigs[0], signature(w.secret, 'evt_1', ts, body));
    assert.equal(sigs[1], signature(previous, 'evt_1', ts, body));
    // Each secret verifies the full header, and each single signature verifies only with its own secret.
    verifyBoth(w.secret, body, req.headers);
    verifyBoth(previous, body, req.headers);
    verifyBoth(w.secret, body, { ...req.headers, 'webhook-signature': sigs[0] ?? '' });
    verifyBoth(previous, body, { ...req.headers, 'webhook-signature': sigs[1] ?? '' });
    assert.throws(() => new StandardWebhook(previous).verify(body, { ...req.headers, 'webhook-signature': sigs[0] ?? '' }));
    assert.throws(() => new SvixWebhook(w.secret).verify(body, { ...req.headers, 'webhook-signature': sigs[1] ?? '' }));
  });

  test('once the overlap has ended only the current secret signs', async () => {
    const now = Date.now();
    const w = webhook({}, { type: 'none' }, { previousSecret: generateSecret(), previousSecretUntil: now });
    assert.deepEqual(activeSecrets(w, now), [w.secret]);
    const req = await prepare(w, 'evt_1', [event('evt_1')], false, now);
    assert.equal((req.headers['webhook-signature'] ?? '').split(' ').length, 1);
    verifyBoth(w.secret, req.body ?? '', req.headers);
    assert.throws(() => new StandardWebhook(w.previousSecret ?? '').verify(req.body ?? '', req.headers));
  });

  test('signatureHeader joins one signature per secret', () => {
    const a = generateSecret();
    const b = generateSecret();
    assert.equal(signatureHeader([a, b], 'm', 1, 'x'), `${signature(a, 'm', 1, 'x')} ${signature(b, 'm', 1, 'x')}`);
  });
});
