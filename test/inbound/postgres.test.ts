// Inbound on PostgreSQL, where commits run in parallel (several group commits at once) and
// bytes travel as bytea: concurrent repeats of one webhook-id still store one request and one
// event, binary bodies come back byte for byte, and deleting a source while its requests are
// being committed answers each of them 200 or 404, never 500. (The other inbound suites also
// run on PostgreSQL with HOOKRELAY_TEST_DB=postgres.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { skipPostgres } from '../helpers/db.js';
import { createSource, getRequest, inboundApp, listRequests, send, TENANT } from './support.js';

const skip = await skipPostgres();

describe('inbound on PostgreSQL', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await inboundApp({ postgres: true });
  });
  after(() => t.close());

  it('concurrent repeats across parallel commits store each webhook-id once', async () => {
    const s = await createSource(t, {});
    const sends = Array.from({ length: 60 }, (_, i) => send(t, s.id, { body: JSON.stringify({ k: i % 6 }), headers: { 'webhook-id': `msg_${i % 6}` } }));
    const results = await Promise.all(sends);
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    assert.equal(results.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 54);
    const rows = await listRequests(t, s.id);
    assert.deepEqual(rows.map((r) => r.dedupKey).sort(), [0, 1, 2, 3, 4, 5].map((k) => `webhook-id:msg_${k}`));
    const events = await t.rt.store.events.listEvents({ tenantId: TENANT }, {}, { limit: 1000 });
    assert.equal(events.data.filter((e) => e.sourceId === s.id).length, 6);
  });

  it('binary bodies round-trip byte for byte', async () => {
    const s = await createSource(t, { contentTypes: ['*/*'] });
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const res = await send(t, s.id, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 200);
    const stored = await t.rt.store.sources.getRequest({ tenantId: null }, s.id, String(res.headers['hookrelay-inbound-id']));
    assert.ok(stored?.body.equals(bytes));
    const detail = await getRequest(t, s.id, String(res.headers['hookrelay-inbound-id']));
    assert.equal(detail.bodyEncoding, 'base64');
    assert.equal(detail.body, bytes.toString('base64'));
  });

  it('deleting a source while its requests are committed answers each 200 or 404, and leaves none behind', async () => {
    const s = await createSource(t, {});
    const inflight = Array.from({ length: 40 }, (_, i) => send(t, s.id, { body: JSON.stringify({ i }) }));
    const deleted = t.call('DELETE', `/api/v1/sources/${s.id}`);
    const results = await Promise.all(inflight);
    assert.equal((await deleted).status, 204);
    const statuses = new Set(results.map((r) => r.status));
    assert.ok([...statuses].every((x) => x === 200 || x === 404), [...statuses].join(','));
    const rows = await t.rt.store.sources.listRequests({ tenantId: null }, s.id, { limit: 1000 });
    assert.equal(rows.data.length, 0, 'the source\'s requests went with it');
  });
});
