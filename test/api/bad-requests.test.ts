// Every bad request gets a precise problem+json answer, leaks nothing internal, and changes
// nothing: counts and versions of every table are compared before and after each one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type ProblemBody, type TestApp } from '../helpers/app.js';
import { snapshot } from '../helpers/snapshot.js';
import { BAD_REQUESTS, type KeyKind } from './bad-requests.rows.js';

let main: TestApp;
let strict: TestApp;
const keys: Partial<Record<KeyKind, string | null>> = {};
const ids = { webhook: '', delivery: '' };

before(async () => {
  main = await testApp();
  strict = await testApp({ config: { allowHttp: false, allowPrivateNetworks: false } });
  for (const t of [main, strict]) assert.equal((await t.call('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status, 201);
  const type = await main.call('POST', '/api/v1/event-types', { name: 'invoice.paid', schema: { type: 'object', properties: { amount: { type: 'integer' } } } });
  assert.equal(type.status, 201);
  const hook = await main.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'h', url: 'https://example.com/hook', verify: false });
  assert.equal(hook.status, 201, hook.raw);
  ids.webhook = hook.body.id;
  assert.equal((await main.call('POST', '/api/v1/events', { tenantId: 'acme', type: 'invoice.paid', id: 'e1', data: { amount: 1 } })).status, 202);
  const [delivery] = (await main.rt.store.deliveries.listDeliveries({ tenantId: null }, {}, { limit: 1 })).data;
  assert.ok(delivery);
  ids.delivery = delivery.id;

  keys.admin = main.adminKey;
  keys.none = null;
  keys.bad = 'hr_thisKeyWasNeverIssuedByThisServer000000000';
  keys.readonly = await main.key(['events:read', 'deliveries:read']);
  const doomed = await main.call<{ id: string; key: string }>('POST', '/api/v1/api-keys', { name: 'doomed', permissions: ['events:write'] });
  assert.equal((await main.call('DELETE', `/api/v1/api-keys/${doomed.body.id}`)).status, 204);
  keys.revoked = doomed.body.key;
});
after(async () => {
  await main.close();
  await strict.close();
});

// Internals a client must never see: stack frames, SQL, driver and file names.
const LEAKS = [/\n\s+at /, /\bat .+:\d+:\d+/, /SELECT |INSERT INTO|UPDATE \w+ SET|DELETE FROM/, /SQLITE_|better-sqlite3|node_modules|\.ts\b/, /"stack"/];

describe('bad requests', () => {
  it('the table covers at least 35 cases', () => {
    assert.ok(BAD_REQUESTS.length >= 35, `${BAD_REQUESTS.length} rows`);
    assert.equal(new Set(BAD_REQUESTS.map((r) => r.name)).size, BAD_REQUESTS.length, 'row names are unique');
  });

  for (const row of BAD_REQUESTS) {
    it(`${row.name} → ${row.status} ${row.code}`, async () => {
      const t = row.app === 'strict' ? strict : main;
      const url = row.url.replace('{webhook}', ids.webhook).replace('{delivery}', ids.delivery);
      const key = row.app === 'strict' ? strict.adminKey : keys[row.key ?? 'admin'];
      assert.notEqual(key, undefined);
      const before = await snapshot(t.rt.store);
      const payload = row.raw ?? row.body;
      const headers = row.raw !== undefined ? { 'content-type': 'application/json', ...row.headers } : (row.headers ?? {});
      const res = await t.call<ProblemBody>(row.method, url, payload, key ?? null, headers);

      assert.equal(res.status, row.status, res.raw.slice(0, 600));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const p = res.body;
      assert.equal(p.code, row.code, res.raw.slice(0, 600));
      assert.equal(p.status, row.status);
      assert.match(p.type, /^https:\/\/\S+$/);
      assert.ok(typeof p.title === 'string' && p.title.length > 0, 'title');
      assert.ok(typeof p.detail === 'string' && p.detail.length > 0, 'detail');
      for (const leak of LEAKS) assert.doesNotMatch(res.raw, leak);
      if (row.status === 401) assert.match(String(res.headers['www-authenticate']), /^Bearer /);
      if (row.fields !== undefined) {
        const named = (p.errors ?? []).map((e) => e.field);
        for (const field of row.fields) assert.ok(named.includes(field), `errors name ${field} (got ${named.join(', ')})`);
        for (const e of p.errors ?? []) assert.ok(e.rule.length > 0 && e.message.length > 0, 'each error says which rule and how to fix it');
      }
      assert.deepEqual(await snapshot(t.rt.store), before, 'nothing changed');
    });
  }
});
