// The sources store on both drivers: insertRequests reports created, duplicate (of a stored
// row or of an earlier row in the same batch) and source_gone; reads respect the tenant scope;
// purgeRequests deletes the oldest first, in batches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/open.js';
import type { NewInboundRequest, Source } from '../../src/store/sources.js';
import type { Store } from '../../src/store/store.js';
import { skipPostgres, tempPostgres, tempSqlite, type TempDb } from '../helpers/db.js';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function source(id: string, tenantId: string): Source {
  return {
    id, tenantId, name: id, enabled: true, auth: { type: 'none' }, version: 1, createdAt: T0, updatedAt: T0,
    settings: { description: '', eventType: 'a.b', eventTypePointer: null, response: { status: 200, body: null }, contentTypes: ['application/json'], maxBodyBytes: 1024, rateLimitPerSecond: null },
  };
}

function request(id: string, sourceId: string, dedupKey: string | null, receivedAt = T0): NewInboundRequest {
  return { id, sourceId, tenantId: 't1', dedupKey, method: 'POST', query: '', headers: { 'content-type': 'application/json' }, contentType: 'application/json', body: Buffer.from(`{"id":"${id}"}`), remoteAddress: '127.0.0.1', receivedAt, eventId: `evt_${id}` };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`sources store (${dialect})`, { skip: dialect === 'postgres' ? await skipPostgres() : false }, () => {
    let db: TempDb;
    let store: Store;
    before(async () => {
      db = dialect === 'postgres' ? await tempPostgres() : tempSqlite();
      store = (await openStore(db.url, { sqliteSynchronous: 'NORMAL' })).store;
      for (const id of ['t1', 't2']) await store.tenants.insertTenant({ id, name: id, enabled: true, createdAt: T0, updatedAt: T0 });
      await store.sources.insertSource(source('src_a', 't1'));
      await store.sources.insertSource(source('src_b', 't2'));
    });
    after(async () => {
      await store.close();
      await db.cleanup();
    });

    it('reports created, duplicates (stored before or earlier in the batch) and vanished sources', async () => {
      const first = await store.transaction((tx) => tx.sources.insertRequests([request('inb_1', 'src_a', 'webhook-id:m1'), request('inb_2', 'src_a', null)]));
      assert.deepEqual(first, [{ status: 'created' }, { status: 'created' }]);
      const second = await store.transaction((tx) => tx.sources.insertRequests([
        request('inb_3', 'src_a', 'webhook-id:m1'),
        request('inb_4', 'src_a', 'webhook-id:m2'),
        request('inb_5', 'src_a', 'webhook-id:m2'),
        request('inb_6', 'src_gone', 'webhook-id:m3'),
        request('inb_7', 'src_b', 'webhook-id:m1'),
      ]));
      assert.deepEqual(second, [
        { status: 'duplicate', id: 'inb_1', eventId: 'evt_inb_1' },
        { status: 'created' },
        { status: 'duplicate', id: 'inb_4', eventId: 'evt_inb_4' },
        { status: 'source_gone' },
        { status: 'created' },
      ]);
      const stored = await store.sources.getRequest({ tenantId: null }, 'src_a', 'inb_1');
      assert.equal(stored?.body.toString(), '{"id":"inb_1"}');
      assert.deepEqual(stored?.headers, { 'content-type': 'application/json' });
    });

    it('scopes reads by tenant and lists newest first with a cursor', async () => {
      assert.equal(await store.sources.getSource({ tenantId: 't2' }, 'src_a'), undefined);
      assert.equal(await store.sources.getRequest({ tenantId: 't2' }, 'src_a', 'inb_1'), undefined);
      assert.deepEqual((await store.sources.listRequests({ tenantId: 't2' }, 'src_a', { limit: 10 })).data, []);
      const page = await store.sources.listRequests({ tenantId: 't1' }, 'src_a', { limit: 2 });
      assert.deepEqual(page.data.map((r) => r.id), ['inb_4', 'inb_2']);
      const rest = await store.sources.listRequests({ tenantId: 't1' }, 'src_a', { limit: 2, cursor: page.nextCursor ?? '' });
      assert.deepEqual(rest.data.map((r) => r.id), ['inb_1']);
      assert.equal(rest.nextCursor, null);
    });

    it('purges the oldest requests first, in batches', async () => {
      await store.transaction((tx) => tx.sources.insertRequests([request('inb_old1', 'src_a', null, T0 - 3000), request('inb_old2', 'src_a', null, T0 - 2000), request('inb_new', 'src_a', null, T0 + 5000)]));
      assert.equal(await store.sources.purgeRequests(T0 - 1000, 1), 1);
      assert.equal(await store.sources.getRequest({ tenantId: null }, 'src_a', 'inb_old1'), undefined);
      assert.equal(await store.sources.purgeRequests(T0 - 1000, 100), 1);
      assert.equal(await store.sources.purgeRequests(T0 - 1000, 100), 0);
      assert.ok((await store.sources.getRequest({ tenantId: null }, 'src_a', 'inb_new')) !== undefined);
    });

    it('deleting a source (or its tenant) deletes its requests', async () => {
      assert.equal(await store.sources.deleteSource({ tenantId: 't1' }, 'src_b'), false, 'another tenant\'s source is out of scope');
      assert.equal(await store.transaction((tx) => tx.tenants.deleteTenant({ tenantId: null }, 't2')), true);
      assert.equal(await store.sources.getSource({ tenantId: null }, 'src_b'), undefined);
      assert.equal(await store.sources.getRequest({ tenantId: null }, 'src_b', 'inb_7'), undefined);
      assert.equal(await store.sources.deleteSource({ tenantId: null }, 'src_a'), true);
      assert.deepEqual((await store.sources.listRequests({ tenantId: null }, 'src_a', { limit: 10 })).data, []);
    });
  });
}
