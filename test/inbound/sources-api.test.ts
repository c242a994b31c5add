// The sources API: create/list/get/patch/delete with defaults and cross-field rules, problem+json
// naming field, rule and fix for every client error, credentials that are write-only (never in
// an answer or a log line), permissions, and tenant isolation (other tenants' sources are 404).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { createApiKey } from '../../src/api-keys/routes.js';
import { testConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import type { ProblemBody, TestApp } from '../helpers/app.js';
import { tempSqlite } from '../helpers/db.js';
import { createSource, inboundApp, send, TENANT, type SourceJson } from './support.js';

const SECRETS = { password: 'pw-very-secret-1', token: 'tok-very-secret-2', hmac: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTAxMjM0NTY3' };

let t: TestApp;
before(async () => {
  t = await inboundApp();
});
after(() => t.close());

function assertNoSecrets(text: string): void {
  for (const s of Object.values(SECRETS)) assert.ok(!text.includes(s), `a secret leaked: ${s}`);
}

describe('create', () => {
  it('fills defaults and answers 201 with the inbound url and a location', async () => {
    const res = await t.call<SourceJson & { links: { rel: string; href: string }[] }>('POST', '/api/v1/sources', { tenantId: TENANT, name: 'Partner X', auth: { type: 'none' }, eventType: 'partner.message' });
    assert.equal(res.status, 201, res.raw);
    assert.match(res.body.id, /^src_[0-9A-Z]{26}$/);
    assert.equal(res.body.url, `/in/${res.body.id}`);
    assert.equal(res.headers.location, `/api/v1/sources/${res.body.id}`);
    assert.deepEqual(
      { enabled: res.body.enabled, response: res.body.response, contentTypes: res.body.contentTypes, maxBodyBytes: res.body.maxBodyBytes, rateLimitPerSecond: res.body.rateLimitPerSecond, pointer: res.body.eventTypePointer },
      { enabled: true, response: { status: 200, body: null }, contentTypes: ['application/json'], maxBodyBytes: 1_048_576, rateLimitPerSecond: null, pointer: null },
    );
    assert.ok(res.body.links.some((l) => l.rel === 'requests' && l.href === `/api/v1/sources/${res.body.id}/requests`));
  });

  it('stores every setting given, including rateLimitPerSecond (enforced by the protection layer)', async () => {
    const s = await createSource(t, {
      eventType: null, eventTypePointer: '/meta/type', response: { status: 202, body: { ok: true } }, contentTypes: ['application/json', 'text/*'],
      maxBodyBytes: 2048, rateLimitPerSecond: 12.5, description: 'from partner X',
    });
    const got = await t.call<SourceJson & { description: string }>('GET', `/api/v1/sources/${s.id}`);
    assert.deepEqual(
      { p: got.body.eventTypePointer, e: got.body.eventType, r: got.body.response, c: got.body.contentTypes, m: got.body.maxBodyBytes, l: got.body.rateLimitPerSecond, d: got.body.description },
      { p: '/meta/type', e: null, r: { status: 202, body: { ok: true } }, c: ['application/json', 'text/*'], m: 2048, l: 12.5, d: 'from partner X' },
    );
  });

  const bad: [string, Record<string, unknown>, string, string][] = [
    ['no event type rule', { eventType: undefined }, '/body/eventType', 'required'],
    ['both rules null', { eventType: null, eventTypePointer: null }, '/body/eventType', 'required'],
    ['a reserved type', { eventType: 'hookrelay.test' }, '/body/eventType', 'reserved'],
    ['a pointer without a leading slash', { eventTypePointer: 'type' }, '/body/eventTypePointer', 'pattern'],
    ['204 with a body', { response: { status: 204, body: 'ok' } }, '/body/response/body', 'no-content'],
    ['a status outside 200/202/204', { response: { status: 201 } }, '/body/response/status', 'enum'],
    ['a content type with parameters', { contentTypes: ['application/json; charset=utf-8'] }, '/body/contentTypes/0', 'pattern'],
    ['a body limit over 10 MiB', { maxBodyBytes: 10_485_761 }, '/body/maxBodyBytes', 'maximum'],
    ['an unknown field', { colour: 'red' }, '/body/colour', 'additionalProperties'],
    ['basic without password', { auth: { type: 'basic', username: 'u' } }, '/body/auth/password', 'required'],
    ['header without token', { auth: { type: 'header', headerName: 'X-Token' } }, '/body/auth/token', 'required'],
    ['hmac without secret', { auth: { type: 'hmac' } }, '/body/auth/secret', 'required'],
    ['hmac with a malformed secret', { auth: { type: 'hmac', secret: 'not a secret!' } }, '/body/auth/secret', 'pattern'],
    ['oauth2 with a non-http jwksUrl', { auth: { type: 'oauth2', jwksUrl: 'ftp://keys.example.com/jwks', issuer: 'https://i', audience: 'a' } }, '/body/auth/jwksUrl', 'https'],
    ['oauth2 without audience', { auth: { type: 'oauth2', jwksUrl: 'https://keys.example.com/jwks', issuer: 'https://i' } }, '/body/auth/audience', 'required'],
  ];
  for (const [name, change, field, rule] of bad) {
    it(`refuses ${name}: 400 problem+json naming ${field} (${rule})`, async () => {
      const body = Object.fromEntries(Object.entries({ tenantId: TENANT, name: 'bad', auth: { type: 'none' }, eventType: 'partner.message', ...change }).filter(([, v]) => v !== undefined));
      const before = (await t.call<{ data: unknown[] }>('GET', '/api/v1/sources?limit=1000')).body.data.length;
      const res = await t.call<ProblemBody>('POST', '/api/v1/sources', body);
      assert.equal(res.status, 400, res.raw);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.ok(res.body.errors?.some((e) => e.field === field && e.rule === rule), `expected ${field}/${rule} in ${res.raw}`);
      assert.ok(res.body.detail.length > 10);
      assert.equal((await t.call<{ data: unknown[] }>('GET', '/api/v1/sources?limit=1000')).body.data.length, before, 'nothing was stored');
    });
  }

  it('refuses a tenant that does not exist (422 naming /body/tenantId)', async () => {
    const res = await t.call<ProblemBody>('POST', '/api/v1/sources', { tenantId: 'nobody', name: 'x', auth: { type: 'none' }, eventType: 'a.b' });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors?.[0]?.field, '/body/tenantId');
  });
});

describe('credentials are write-only', () => {
  it('never appear in create, get, list or patch answers; hasSecret says one is set', async () => {
    const made: SourceJson[] = [];
    for (const auth of [
      { type: 'basic', username: 'partner', password: SECRETS.password },
      { type: 'header', headerName: 'X-Partner-Token', token: SECRETS.token },
      { type: 'hmac', secret: SECRETS.hmac },
    ]) {
      const res = await t.call<SourceJson>('POST', '/api/v1/sources', { tenantId: TENANT, name: 'secretive', auth, eventType: 'a.b' });
      assert.equal(res.status, 201);
      assertNoSecrets(res.raw);
      assert.equal(res.body.auth.hasSecret, true);
      made.push(res.body);
    }
    assert.deepEqual(made.map((s) => s.auth), [
      { type: 'basic', username: 'partner', hasSecret: true },
      { type: 'header', headerName: 'X-Partner-Token', hasSecret: true },
      { type: 'hmac', hasSecret: true },
    ]);
    assertNoSecrets((await t.call('GET', '/api/v1/sources?limit=1000')).raw);
    for (const s of made) {
      assertNoSecrets((await t.call('GET', `/api/v1/sources/${s.id}`)).raw);
      assertNoSecrets((await t.call('PATCH', `/api/v1/sources/${s.id}`, { name: 'renamed' })).raw);
    }
  });

  it('a patch that keeps the auth type keeps the credential; a new type needs its own', async () => {
    const s = await createSource(t, { auth: { type: 'header', headerName: 'X-Token', token: 'first-token' } });
    const renamed = await t.call('PATCH', `/api/v1/sources/${s.id}`, { auth: { type: 'header', headerName: 'X-Token' } });
    assert.equal(renamed.status, 200, renamed.raw);
    assert.equal((await send(t, s.id, { body: '{}', headers: { 'x-token': 'first-token' } })).status, 200);
    const switched = await t.call<ProblemBody>('PATCH', `/api/v1/sources/${s.id}`, { auth: { type: 'basic', username: 'u' } });
    assert.equal(switched.status, 400);
    assert.equal(switched.body.errors?.[0]?.field, '/body/auth/password');
    const rotated = await t.call('PATCH', `/api/v1/sources/${s.id}`, { auth: { type: 'header', headerName: 'X-Token', token: 'second-token' } });
    assert.equal(rotated.status, 200);
    assert.equal((await send(t, s.id, { body: '{}', headers: { 'x-token': 'first-token' } })).status, 401, 'the old token stops working at once on this node');
    assert.equal((await send(t, s.id, { body: '{}', headers: { 'x-token': 'second-token' } })).status, 200);
  });

  it('are never written to the log, at any level, even when requests carry them', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const db = tempSqlite();
    const rt = await createRuntime(testConfig({ databaseUrl: db.url, logLevel: 'trace', allowHttp: true, allowPrivateNetworks: true, sqliteSynchronous: 'NORMAL' }), { log: createLogger('trace', sink), role: 'test' });
    const app = await buildApp(rt);
    try {
      const { key } = await createApiKey(rt, { name: 'admin', permissions: ['admin'], tenantId: null });
      const call = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
        app.inject({ method, url, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      await call('POST', '/api/v1/tenants', { id: TENANT, name: 'Acme' });
      const created = await call('POST', '/api/v1/sources', { tenantId: TENANT, name: 'x', auth: { type: 'basic', username: 'partner', password: SECRETS.password }, eventType: 'a.b' });
      const id = (JSON.parse(created.body) as { id: string }).id;
      await call('PATCH', `/api/v1/sources/${id}`, { auth: { type: 'header', headerName: 'X-Partner-Token', token: SECRETS.token } });
      for (const token of [SECRETS.token, 'wrong']) {
        await app.inject({ method: 'POST', url: `/in/${id}`, headers: { 'content-type': 'application/json', 'x-partner-token': token, authorization: `Basic ${Buffer.from(`partner:${SECRETS.password}`).toString('base64')}` }, payload: '{}' });
      }
      assert.ok(lines.length > 5, 'the log captured the requests');
      assertNoSecrets(lines.join('\n'));
    } finally {
      await app.close();
      await rt.close();
      await db.cleanup();
    }
  });
});

describe('read, change, delete', () => {
  it('lists with cursor pagination and filters by enabled', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createSource(t, { name: `page-${i}`, enabled: i !== 1 })).id);
    const first = await t.call<{ data: SourceJson[]; nextCursor: string | null }>('GET', '/api/v1/sources?limit=2');
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.nextCursor !== null);
    const second = await t.call<{ data: SourceJson[] }>('GET', `/api/v1/sources?limit=2&cursor=${first.body.nextCursor}`);
    assert.ok(!second.body.data.some((s) => first.body.data.some((f) => f.id === s.id)), 'pages do not overlap');
    const disabled = await t.call<{ data: SourceJson[] }>('GET', '/api/v1/sources?enabled=false&limit=1000');
    assert.ok(disabled.body.data.some((s) => s.id === ids[1]));
    assert.ok(disabled.body.data.every((s) => !s.enabled));
  });

  it('patch merges the response object and refuses an empty body', async () => {
    const s = await createSource(t, { response: { status: 202, body: 'thanks' } });
    const res = await t.call<SourceJson>('PATCH', `/api/v1/sources/${s.id}`, { response: { body: null } });
    assert.deepEqual(res.body.response, { status: 202, body: null });
    assert.equal((await t.call('PATCH', `/api/v1/sources/${s.id}`, {})).status, 400);
  });

  it('delete answers 204; the source is then 404 everywhere, /in/ included', async () => {
    const s = await createSource(t, {});
    assert.equal((await send(t, s.id, { body: '{}' })).status, 200);
    assert.equal((await t.call('DELETE', `/api/v1/sources/${s.id}`)).status, 204);
    for (const [method, url] of [['GET', `/api/v1/sources/${s.id}`], ['GET', `/api/v1/sources/${s.id}/requests`], ['DELETE', `/api/v1/sources/${s.id}`], ['PATCH', `/api/v1/sources/${s.id}`]] as const) {
      assert.equal((await t.call(method, url, method === 'PATCH' ? { name: 'x' } : undefined)).status, 404, `${method} ${url}`);
    }
    const inbound = await send(t, s.id, { body: '{}' });
    assert.equal(inbound.status, 404);
    assert.match(String(inbound.headers['content-type']), /^application\/problem\+json/);
  });
});

describe('permissions and tenants', () => {
  let other: SourceJson;
  let own: SourceJson;
  let scoped: string;
  before(async () => {
    await t.call('POST', '/api/v1/tenants', { id: 'globex', name: 'Globex' });
    other = await createSource(t, { tenantId: 'globex', name: 'globex-only' });
    own = await createSource(t, { name: 'acme-own' });
    assert.equal((await send(t, other.id, { body: '{"secret":"globex"}' })).status, 200);
    scoped = await t.key(['sources:read', 'sources:write'], TENANT);
  });

  it('sources:read may read but not write; neither may without it', async () => {
    const reader = await t.key(['sources:read']);
    assert.equal((await t.call('GET', '/api/v1/sources', undefined, reader)).status, 200);
    assert.equal((await t.call('POST', '/api/v1/sources', { tenantId: TENANT, name: 'x', auth: { type: 'none' }, eventType: 'a.b' }, reader)).status, 403);
    assert.equal((await t.call('DELETE', `/api/v1/sources/${own.id}`, undefined, reader)).status, 403);
    const stranger = await t.key(['events:write']);
    assert.equal((await t.call('GET', '/api/v1/sources', undefined, stranger)).status, 403);
    assert.equal((await t.call('GET', `/api/v1/sources/${own.id}/requests`, undefined, stranger)).status, 403);
    assert.equal((await t.call('GET', '/api/v1/sources', undefined, null)).status, 401);
  });

  it('a tenant-restricted key sees other tenants\' sources and requests as 404, and lists only its own', async () => {
    const [req] = (await t.call<{ data: { id: string }[] }>('GET', `/api/v1/sources/${other.id}/requests`)).body.data;
    assert.ok(req !== undefined);
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/sources/${other.id}`],
      ['PATCH', `/api/v1/sources/${other.id}`, { name: 'taken over' }],
      ['DELETE', `/api/v1/sources/${other.id}`],
      ['GET', `/api/v1/sources/${other.id}/requests`],
      ['GET', `/api/v1/sources/${other.id}/requests/${req.id}`],
      ['POST', '/api/v1/sources', { tenantId: 'globex', name: 'x', auth: { type: 'none' }, eventType: 'a.b' }],
    ];
    for (const [method, url, body] of attempts) {
      const res = await t.call<ProblemBody>(method, url, body, scoped);
      assert.equal(res.status, 404, `${method} ${url}: ${res.raw}`);
      assert.ok(!res.raw.includes('globex-only') && !res.raw.includes('"secret"'));
    }
    const listed = await t.call<{ data: SourceJson[] }>('GET', '/api/v1/sources?limit=1000', undefined, scoped);
    assert.ok(listed.body.data.length > 0);
    assert.ok(listed.body.data.every((s) => s.tenantId === TENANT));
    const filtered = await t.call<{ data: SourceJson[] }>('GET', '/api/v1/sources?tenantId=globex', undefined, scoped);
    assert.deepEqual(filtered.body.data, []);
    assert.equal((await t.call('GET', `/api/v1/sources/${other.id}`)).status, 200, 'still there for the admin');
    const mine = await t.call<SourceJson>('POST', '/api/v1/sources', { name: 'own tenant by default', auth: { type: 'none' }, eventType: 'a.b' }, scoped);
    assert.equal(mine.status, 201);
    assert.equal(mine.body.tenantId, TENANT);
  });
});
