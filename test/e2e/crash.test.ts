// At-least-once across kill -9: a real server process delivering 10,000 events is killed with
// SIGKILL part-way, restarted on the same SQLite file, and every event still reaches the
// receiver (deduplicated by webhook-id); the database ends with all 10,000 delivered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { ALL_TENANTS } from '../../src/store/records.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitUntil } from '../engine/support.js';
import { ensureStopped, setupWebhook, startServer, type ServerProcess } from './server.js';

const EVENTS = 10_000;
const PER_REQUEST = 1000;

test('kill -9 mid-delivery loses nothing: after a restart every event reaches the receiver', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-crash-'));
  const dbPath = join(dir, 'hookrelay.db');
  let ingestDone = false;
  // Slow while events are being ingested (so the kill lands mid-delivery), then 2 ms per request.
  const receiver = await startReceiver(() => ({ status: 200, delayMs: ingestDone ? 2 : 20 }));
  let server: ServerProcess | null = null;
  const started = Date.now();
  try {
    server = await startServer(dbPath);
    const webhookId = await setupWebhook(server, { url: receiver.url, maxConcurrency: 20 });

    const ids: string[] = [];
    for (let r = 0; r < EVENTS / PER_REQUEST; r++) {
      const events = Array.from({ length: PER_REQUEST }, (_, i) => ({ tenantId: 'acme', type: 'crash.test', id: `crash-${r}-${i}`, data: { r, i } }));
      const res = await server.api('POST', '/api/v1/events', { events });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.ok((res.body as { events: { deliveries: number }[] }).events.every((e) => e.deliveries === 1));
      ids.push(...events.map((e) => e.id));
    }
    ingestDone = true;

    await waitUntil('~3000 requests before the kill', () => receiver.requests.length >= 3000, 60_000, 5);
    server.proc.kill('SIGKILL');
    const killed = await server.exited;
    assert.equal(killed.signal, 'SIGKILL');
    const seenAtKill = receiver.requests.length;
    assert.ok(seenAtKill < EVENTS, `the kill must land mid-delivery (receiver had ${seenAtKill})`);

    server = await startServer(dbPath);
    const seen = (): Set<string> => new Set(receiver.requests.map((q) => String(q.headers['webhook-id'])));
    await waitUntil('every event id at the receiver', () => seen().size >= EVENTS, 90_000, 50).catch((err: unknown) => {
      throw new Error(`${String(err)}; seen ${seen().size}\n${server?.output() ?? ''}`);
    });
    const unique = seen();
    const missing = ids.filter((id) => !unique.has(id));
    assert.deepEqual(missing, [], 'every acknowledged event reached the receiver');
    assert.equal(unique.size, EVENTS, 'nothing but these events was sent');

    // Let outstanding outcomes settle, then stop cleanly and read the database back.
    const running = server;
    await waitUntil('no undelivered deliveries', async () => {
      const open = await Promise.all(['pending', 'retrying', 'delivering'].map((state) => running.api('GET', `/api/v1/deliveries?state=${state}&webhookId=${webhookId}&limit=1`)));
      return open.every((r) => r.status === 200 && (r.body as { data: unknown[] }).data.length === 0);
    }, 30_000, 100);
    running.proc.kill('SIGTERM');
    assert.equal((await running.exited).code, 0);

    const { store } = await openStore(`sqlite:${dbPath}`, { sqliteSynchronous: 'NORMAL' });
    try {
      const counts = await store.deliveries.countByState(ALL_TENANTS);
      assert.equal(counts.delivered, EVENTS);
      assert.equal(counts.failed + counts.pending + counts.retrying + counts.delivering, 0);
    } finally {
      await store.close();
    }
    const duplicates = receiver.requests.length - EVENTS;
    console.log(`crash test: killed after ${seenAtKill} requests; ${receiver.requests.length} requests in all, ${duplicates} duplicates; ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (err) {
    console.log(server?.output() ?? '');
    throw err;
  } finally {
    await ensureStopped(server);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
