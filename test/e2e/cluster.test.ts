// Many nodes on one PostgreSQL database: one `serve` and two `worker` processes share the
// work through row leases. No process dies → every event exactly once; a worker killed with
// SIGKILL → every event at least once, duplicates only from the leases the dead worker held.
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { skipPostgres, tempPostgres, type TempDb } from '../helpers/db.js';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { waitUntil } from '../engine/support.js';
import { api, countIds, publish, startNode, stopAll, type Node } from './cluster-support.js';

const TOTAL = 20_000;
const MAX_CONCURRENCY = 40;

async function cluster(db: TempDb): Promise<{ serve: Node; workers: Node[] }> {
  const serve = await startNode('serve', db.url);
  const workers = await Promise.all([startNode('worker', db.url), startNode('worker', db.url)]);
  return { serve, workers };
}

async function webhook(serve: Node, url: string): Promise<void> {
  assert.equal((await api(serve, 'POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status, 201);
  const w = await api(serve, 'POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'cluster', url, verify: false, maxConcurrency: MAX_CONCURRENCY });
  assert.equal(w.status, 201, JSON.stringify(w.body));
}

/** Deliveries leased (state delivering) right now, on every node. */
async function leasesHeld(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ n: number }>("SELECT COUNT(*)::int AS n FROM deliveries WHERE state = 'delivering'");
    return res.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

async function deliveredBy(node: Node): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = /^hookrelay_deliveries_total\{outcome="delivered"\} (\d+)/m.exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

describe('a cluster on PostgreSQL', async () => {
  const skip = await skipPostgres();
  let db: TempDb | null = null;
  let receiver: Receiver | null = null;
  let nodes: Node[] = [];

  before(async () => {
    if (skip !== false) return;
    db = await tempPostgres();
  });
  after(async () => {
    await stopAll(nodes);
    await receiver?.close();
    await db?.cleanup();
  });

  it('one serve and two workers deliver 20,000 events, each exactly once', { skip }, async () => {
    if (db === null) return;
    receiver = await startReceiver(always(200, { delayMs: 1 }));
    const { serve, workers } = await cluster(db);
    nodes = [serve, ...workers];
    await webhook(serve, receiver.url);
    const ids = await publish(serve, TOTAL);
    await waitUntil('all events received', () => receiver !== null && countIds(receiver.requests).size >= TOTAL, 180_000, 200);
    await new Promise((r) => setTimeout(r, 1500)); // anything duplicated would arrive by now
    const counts = countIds(receiver.requests);
    assert.equal(counts.size, TOTAL);
    for (const id of ids) assert.equal(counts.get(id), 1, `${id} delivered exactly once`);
    assert.equal(receiver.requests.length, TOTAL);
    const shares = await Promise.all(nodes.map(deliveredBy));
    console.log(`deliveries per node (serve, worker, worker): ${shares.join(', ')}`);
    assert.equal(shares.reduce((a, b) => a + b, 0), TOTAL);
    assert.ok(shares.filter((n) => n > 0).length >= 2, 'the work was shared');
    await stopAll(nodes);
    nodes = [];
    await receiver.close();
    receiver = null;
  });

  it('a worker killed with SIGKILL mid-run loses nothing; duplicates come only from its leases', { skip }, async () => {
    if (skip !== false) return;
    const fresh = await tempPostgres();
    const r = await startReceiver(always(200, { delayMs: 2 }));
    try {
      const { serve, workers } = await cluster(fresh);
      nodes = [serve, ...workers];
      await webhook(serve, r.url);
      const ids = await publish(serve, TOTAL);
      await waitUntil('a quarter delivered', () => r.requests.length >= TOTAL / 4, 120_000, 50);
      workers[0]?.proc.kill('SIGKILL');
      await workers[0]?.exited;
      const leased = await leasesHeld(fresh.url);
      await waitUntil('all events received at least once', () => countIds(r.requests).size >= TOTAL, 180_000, 200);
      const counts = countIds(r.requests);
      for (const id of ids) assert.ok((counts.get(id) ?? 0) >= 1, `${id} delivered`);
      const duplicates = r.requests.length - counts.size;
      console.log(`duplicates after killing a worker: ${duplicates} (leases held at the kill: ${leased})`);
      // Only deliveries leased when the worker died can repeat: the ones it had in flight and the
      // ones that had finished but whose outcome it had not committed yet.
      assert.ok(duplicates <= leased, `${duplicates} duplicates ≤ ${leased} leases held when the worker died`);
    } finally {
      await stopAll(nodes);
      nodes = [];
      await r.close();
      await fresh.cleanup();
    }
  });
});
