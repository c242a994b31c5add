// Tenant fairness: a tenant with a large backlog does not delay another tenant's new events —
// the dispatcher claims for tenants round-robin, so the newcomer is served in the next round,
// long before the backlog drains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { always, startReceiver } from '../helpers/receiver.js';
import { createWebhook, engineApp, TENANT } from '../engine/support.js';

test('a new event of another tenant is delivered while a 20,000-delivery backlog is still draining', async () => {
  const t = await engineApp({ engine: false });
  const busy = await startReceiver(always(200, { delayMs: 1 }));
  const quiet = await startReceiver(always(200));
  try {
    await t.call('POST', '/api/v1/tenants', { id: 'quiet', name: 'Quiet' });
    await createWebhook(t, { url: busy.url, maxConcurrency: 20 });
    await createWebhook(t, { url: quiet.url, tenantId: 'quiet' });
    for (let i = 0; i < 20; i++) {
      const events = Array.from({ length: 1000 }, (_, k) => ({ tenantId: TENANT, type: 'bulk.x', data: { k } }));
      assert.equal((await t.call('POST', '/api/v1/events', { events })).status, 202);
    }
    await t.rt.startEngine();
    await busy.waitFor(200);
    assert.equal((await t.call('POST', '/api/v1/events', { tenantId: 'quiet', type: 'q.x', id: 'newcomer', data: {} })).status, 202);
    await quiet.waitFor(1);
    const backlogServed = busy.requests.length;
    console.log(`the quiet tenant's event arrived after the busy tenant had ${backlogServed} of 20000`);
    assert.ok(backlogServed < 10_000, `served long before the backlog drained (${backlogServed} of 20000)`);
  } finally {
    await busy.close();
    await quiet.close();
    await t.close();
  }
});
