// Operational endpoints: health, readiness, the OpenAPI document and the docs UI.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await testApp();
});
after(() => t.close());

describe('operations', () => {
  it('/healthz and /readyz answer 200 without a key', async () => {
    const health = await t.call<{ status: string; version: string }>('GET', '/healthz', undefined, null);
    assert.deepEqual([health.status, health.body.status, health.body.version], [200, 'ok', t.rt.version]);
    const ready = await t.call('GET', '/readyz', undefined, null);
    assert.deepEqual([ready.status, ready.body], [200, { status: 'ready', database: t.rt.store.dialect }]);
  });

  it('/openapi.json is OpenAPI 3.1.0 and documents every resource', async () => {
    const res = await t.call<{ openapi: string; info: { version: string }; paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json', undefined, null);
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    assert.equal(res.body.info.version, t.rt.version);
    const expected: [string, string[]][] = [
      ['/api/v1/tenants', ['get', 'post']],
      ['/api/v1/tenants/{id}', ['get', 'patch', 'delete']],
      ['/api/v1/event-types', ['get', 'post']],
      ['/api/v1/event-types/{name}', ['get', 'patch', 'delete']],
      ['/api/v1/webhooks', ['get', 'post']],
      ['/api/v1/webhooks/{id}', ['get', 'patch', 'delete']],
      ['/api/v1/webhooks/{id}/secret', ['get']],
      ['/api/v1/events', ['get', 'post']],
      ['/api/v1/events/{id}', ['get']],
      ['/api/v1/deliveries', ['get']],
      ['/api/v1/deliveries/{id}', ['get']],
      ['/api/v1/deliveries/{id}/retry', ['post']],
      ['/api/v1/deliveries/retry', ['post']],
      ['/api/v1/api-keys', ['get', 'post']],
      ['/api/v1/api-keys/{id}', ['get', 'delete']],
      ['/healthz', ['get']],
      ['/readyz', ['get']],
    ];
    for (const [path, methods] of expected) {
      const item = res.body.paths[path];
      assert.ok(item, `${path} is documented`);
      for (const m of methods) assert.ok(m in item, `${m.toUpperCase()} ${path} is documented`);
    }
  });

  it('/docs serves the API browser', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/docs' });
    if (res.statusCode >= 300 && res.statusCode < 400) res = await t.app.inject({ method: 'GET', url: new URL(String(res.headers.location), 'http://x/docs').pathname });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /swagger/i);
  });
});
