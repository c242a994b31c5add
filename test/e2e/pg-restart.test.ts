// PostgreSQL restarting under a running cluster: every node reconnects by itself and carries
// on, and nothing that was acknowledged is lost. Uses a private PostgreSQL server so the
// restart disturbs no other test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { privatePostgresUnavailable, startPrivatePostgres } from '../helpers/private-postgres.js';
import { always, startReceiver } from '../helpers/receiver.js';
import { waitUntil } from '../engine/support.js';
import { api, countIds, publish, startNode, stopAll, type Node } from './cluster-support.js';

const why = privatePostgresUnavailable();
if (why !== null) console.log(`# skipping the PostgreSQL restart test: ${why}`);

test('nodes reconnect after PostgreSQL restarts mid-run and deliver every acknowledged event', { skip: why ?? false }, async () => {
  const pg = await startPrivatePostgres();
  const r = await startReceiver(always(200, { delayMs: 2 }));
  let nodes: Node[] = [];
  try {
    const serve = await startNode('serve', pg.url);
    const worker = await startNode('worker', pg.url);
    nodes = [serve, worker];
    assert.equal((await api(serve, 'POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status, 201);
    assert.equal((await api(serve, 'POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'w', url: r.url, verify: false, maxConcurrency: 20 })).status, 201);

    const first = await publish(serve, 6000, 'a');
    await waitUntil('some delivered', () => r.requests.length >= 1000, 60_000, 20);
    pg.restart();

    // After the restart, publishing works again once the pool has reconnected; only 202s count.
    let lastError = '';
    const second = await waitUntil('publish after restart', async () => {
      try {
        return await publish(serve, 4000, 'b');
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        return undefined;
      }
    }, 90_000, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}; last publish error: ${lastError}\nserve output:\n${serve.output()}`);
    });
    const all = [...first, ...second];
    await waitUntil('every acknowledged event delivered', () => countIds(r.requests).size >= all.length, 120_000, 200);
    const counts = countIds(r.requests);
    for (const id of all) assert.ok((counts.get(id) ?? 0) >= 1, `${id} delivered`);
    console.log(`after the restart: ${r.requests.length - counts.size} duplicates`);
    for (const n of nodes) assert.equal(n.proc.exitCode, null, 'every node is still running');
  } finally {
    await stopAll(nodes);
    await r.close();
    pg.cleanup();
  }
});
