// Private-network protection with allowPrivateNetworks: false. The API refuses such URLs; and
// a webhook that got into the database anyway (inserted directly) is refused at connect time:
// its attempts fail with errorClass blocked_address and the receiver sees nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testConfig } from '../../src/config.js';
import { newId } from '../../src/ids.js';
import { buildWebhook } from '../../src/webhooks/service.js';
import type { ProblemBody, TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { engineApp, ingest, waitForDelivery } from './support.js';

let t: TestApp;
let r: Receiver;
before(async () => {
  t = await engineApp({ config: { allowPrivateNetworks: false, allowHttp: true } });
  r = await startReceiver();
});
after(async () => {
  await r.close();
  await t.close();
});

/** Stores a webhook the API would refuse, built with a configuration that allows private networks. */
async function insertDirectly(url: string, eventType: string): Promise<string> {
  const now = t.rt.clock.now();
  const w = await buildWebhook(testConfig({ allowPrivateNetworks: true, allowHttp: true }), 'acme', newId('webhook', now), {
    name: 'sneaky', url, eventTypes: [eventType], retry: { maxDurationSeconds: 0 },
  }, now);
  await t.rt.store.transaction((tx) => tx.webhooks.insertWebhook(w));
  return w.id;
}

for (const host of ['localhost', '127.0.0.1']) {
  test(`a stored webhook for http://${host}:<port> is refused at connect time (blocked_address)`, async () => {
    const type = `ssrf.${host.replace(/\./g, '-')}`;
    const id = await insertDirectly(`http://${host}:${r.port}/hook`, type);
    const [res] = await ingest(t, [{ type, id: `evt-${type}` }]);
    assert.equal(res?.deliveries, 1);
    const d = await waitForDelivery(t, id, `evt-${type}`, ['failed']);
    assert.equal(d.attemptLog.length, 1);
    assert.equal(d.attemptLog[0]?.errorClass, 'blocked_address');
    assert.equal(d.attemptLog[0]?.status, null);
    assert.match(d.lastError ?? '', /refused to connect/);
    assert.equal(r.requests.length, 0, 'the receiver got nothing');
  });
}

test('the API refuses private destinations with 400 naming /body/url and rule private-network', async () => {
  const before = (await t.call<{ data: unknown[] }>('GET', '/api/v1/webhooks')).body.data.length;
  for (const url of [`http://127.0.0.1:${r.port}/`, `http://localhost:${r.port}/`, 'http://[::1]:8080/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/', 'http://[::ffff:7f00:1]/', 'http://app.localhost/']) {
    const res = await t.call<ProblemBody>('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'private', url, verify: false });
    assert.equal(res.status, 400, `${url}: ${res.raw}`);
    assert.equal(res.body.code, 'validation_failed');
    const err = res.body.errors?.find((e) => e.field === '/body/url');
    assert.ok(err !== undefined, `${url}: ${res.raw}`);
    assert.equal(err.rule, 'private-network', url);
  }
  // Verification would also have been refused: the receiver saw nothing.
  await t.call('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'private', url: r.url });
  assert.equal(r.requests.length, 0);
  assert.equal((await t.call<{ data: unknown[] }>('GET', '/api/v1/webhooks')).body.data.length, before, 'none was created');
});
