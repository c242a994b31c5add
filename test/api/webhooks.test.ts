// Webhook views over the API: credentials are write-only, the signing secret is shown only on
// create and on GET …/secret, and PATCH merges the nested batch and retry objects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type Body, type TestApp } from '../helpers/app.js';

interface WebhookBody {
  id: string;
  secret?: string;
  secretPrefix: string;
  auth: Body;
  batch: { maxEvents: number; maxWaitMs: number };
  retry: { initialDelayMs: number; maxDelayMs: number; maxDurationSeconds: number };
  headers: Record<string, string>;
  eventTypes: string[];
  timeoutMs: number;
  name: string;
  links: { rel: string; href: string; method: string[] }[];
}

let t: TestApp;
before(async () => {
  t = await testApp();
  assert.equal((await t.call('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status, 201);
});
after(() => t.close());

const credentials = {
  header: { auth: { type: 'header', headerName: 'X-Webhook-Token', token: 'tok-SUPER-secret-1' }, secret: 'tok-SUPER-secret-1' },
  basic: { auth: { type: 'basic', username: 'hookrelay', password: 'pw-SUPER-secret-2' }, secret: 'pw-SUPER-secret-2' },
  oauth2: {
    auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'hookrelay', clientSecret: 'cs-SUPER-secret-3', scope: 'webhooks' },
    secret: 'cs-SUPER-secret-3',
  },
} as const;

describe('webhook credentials and signing secret', () => {
  for (const [type, { auth, secret }] of Object.entries(credentials)) {
    it(`${type} auth: the credential and the signing secret never appear in GET or list`, async () => {
      const created = await t.call<WebhookBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: type, url: 'https://example.com/hook', verify: false, auth });
      assert.equal(created.status, 201, created.raw);
      const signing = created.body.secret;
      assert.match(signing ?? '', /^whsec_[A-Za-z0-9+/]+={0,2}$/);
      assert.ok(!created.raw.includes(secret), 'the create answer does not echo the credential');
      assert.equal(created.body.auth.hasSecret, true);
      assert.equal(created.headers.location, `/api/v1/webhooks/${created.body.id}`);
      assert.deepEqual(created.body.links.find((l) => l.rel === 'self'), { rel: 'self', href: `/api/v1/webhooks/${created.body.id}`, method: ['GET', 'PATCH', 'DELETE'] });

      const got = await t.call<WebhookBody>('GET', `/api/v1/webhooks/${created.body.id}`);
      const list = await t.call('GET', '/api/v1/webhooks?tenantId=acme&limit=100');
      const patched = await t.call<WebhookBody>('PATCH', `/api/v1/webhooks/${created.body.id}`, { name: `${type} renamed` });
      for (const res of [got, list, patched]) {
        assert.equal(res.status, 200);
        assert.ok(!res.raw.includes(secret), 'no credential');
        assert.ok(!res.raw.includes(signing!), 'no signing secret');
        assert.ok(!/"(token|password|clientSecret|secret)"\s*:/.test(res.raw), 'no secret-bearing field names');
      }
      assert.equal(got.body.secret, undefined);
      assert.equal(got.body.secretPrefix, `${signing!.slice(0, 10)}…`);
      assert.equal(got.body.auth.type, type);

      const revealed = await t.call<{ secret: string; previousSecret: string | null }>('GET', `/api/v1/webhooks/${created.body.id}/secret`);
      assert.equal(revealed.status, 200);
      assert.deepEqual(revealed.body, { secret: signing, previousSecret: null, previousSecretExpiresAt: null });
      // The stored credential survived the PATCH that did not mention it.
      const stored = await t.rt.store.webhooks.getWebhook({ tenantId: 'acme' }, created.body.id);
      assert.ok(stored !== undefined && JSON.stringify(stored.auth).includes(secret));
    });
  }

  it('a secret brought by the caller is used as given', async () => {
    const mine = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const res = await t.call<WebhookBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'own', url: 'https://example.com/hook', verify: false, secret: mine });
    assert.equal(res.body.secret, mine);
    assert.equal((await t.call<{ secret: string }>('GET', `/api/v1/webhooks/${res.body.id}/secret`)).body.secret, mine);
  });
});

describe('PATCH /webhooks/:id', () => {
  it('merges nested retry and batch objects and keeps every field it does not name', async () => {
    const created = await t.call<WebhookBody>('POST', '/api/v1/webhooks', {
      tenantId: 'acme', name: 'merge', url: 'https://example.com/hook', verify: false, eventTypes: ['invoice.*'], headers: { 'X-Env': 'prod' }, timeoutMs: 7000,
      retry: { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 3600 }, batch: { maxEvents: 10, maxWaitMs: 1000 },
    });
    assert.equal(created.status, 201, created.raw);
    const id = created.body.id;
    const res = await t.call<WebhookBody>('PATCH', `/api/v1/webhooks/${id}`, { retry: { maxDurationSeconds: 7200 }, batch: { maxWaitMs: 5000 } });
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body.retry, { initialDelayMs: 1000, maxDelayMs: 60_000, maxDurationSeconds: 7200 });
    assert.deepEqual(res.body.batch, { maxEvents: 10, maxWaitMs: 5000 });
    const got = await t.call<WebhookBody>('GET', `/api/v1/webhooks/${id}`);
    assert.deepEqual(got.body.retry, res.body.retry);
    assert.deepEqual(got.body.batch, res.body.batch);
    assert.deepEqual([got.body.name, got.body.eventTypes, got.body.headers, got.body.timeoutMs], ['merge', ['invoice.*'], { 'X-Env': 'prod' }, 7000]);
    const stored = await t.rt.store.webhooks.getWebhook({ tenantId: null }, id);
    assert.equal(stored?.version, 2);
  });

  it('a merged retry policy is checked as a whole (maxDelayMs below the kept initialDelayMs)', async () => {
    const created = await t.call<WebhookBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'r', url: 'https://example.com/hook', verify: false, retry: { initialDelayMs: 10_000 } });
    const res = await t.call<{ errors: { field: string }[] }>('PATCH', `/api/v1/webhooks/${created.body.id}`, { retry: { maxDelayMs: 5000 } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors.map((e) => e.field), ['/body/retry/maxDelayMs']);
    assert.equal((await t.rt.store.webhooks.getWebhook({ tenantId: null }, created.body.id))?.version, 1);
  });
});
