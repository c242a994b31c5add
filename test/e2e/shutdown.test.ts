// Graceful shutdown of a real server process: SIGTERM lets the request in flight finish and
// records it (exit 0, delivery `delivered` in the database); a second signal exits at once
// with 130, leaving the unfinished delivery leased, not lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { ALL_TENANTS, type Delivery } from '../../src/store/records.js';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { ensureStopped, setupWebhook, startServer, type ServerProcess } from './server.js';

async function readDelivery(dbPath: string, eventId: string): Promise<Delivery | undefined> {
  const { store } = await openStore(`sqlite:${dbPath}`, { sqliteSynchronous: 'NORMAL' });
  try {
    return (await store.deliveries.listDeliveries(ALL_TENANTS, { eventId }, { limit: 10 })).data[0];
  } finally {
    await store.close();
  }
}

async function withServer(receiver: Receiver, run: (server: ServerProcess, dbPath: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-shutdown-'));
  let server: ServerProcess | null = null;
  try {
    server = await startServer(join(dir, 'hookrelay.db'));
    await run(server, join(dir, 'hookrelay.db'));
  } catch (err) {
    console.log(server?.output() ?? '');
    throw err;
  } finally {
    await ensureStopped(server);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('SIGTERM waits for the request in flight, records it, and exits 0', { timeout: 60_000 }, async () => {
  const receiver = await startReceiver(always(200, { delayMs: 1500 }));
  await withServer(receiver, async (server, dbPath) => {
    await setupWebhook(server, { url: receiver.url });
    const res = await server.api('POST', '/api/v1/events', { tenantId: 'acme', type: 'sd.x', id: 'evt-shutdown', data: {} });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const [req] = await receiver.waitFor(1, 10_000);
    assert.ok(req !== undefined);
    server.proc.kill('SIGTERM');
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.output());
    assert.ok(exit.at >= req.at + 1500 - 5, `exited ${exit.at - req.at} ms after the request arrived; the answer came after 1500 ms`);
    assert.equal(receiver.requests.length, 1);

    const d = await readDelivery(dbPath, 'evt-shutdown');
    assert.equal(d?.state, 'delivered');
    assert.equal(d?.attempts, 1);
    assert.equal(d?.lastStatus, 200);
  });
});

test('a second signal during shutdown exits at once with 130', { timeout: 60_000 }, async () => {
  const receiver = await startReceiver(always(200, { hang: true }));
  await withServer(receiver, async (server, dbPath) => {
    await setupWebhook(server, { url: receiver.url, timeoutMs: 30_000 });
    assert.equal((await server.api('POST', '/api/v1/events', { tenantId: 'acme', type: 'sd.x', id: 'evt-forced', data: {} })).status, 202);
    await receiver.waitFor(1, 10_000);
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.proc.exitCode, null, 'still draining after the first signal');
    const forcedAt = Date.now();
    server.proc.kill('SIGINT');
    const exit = await server.exited;
    assert.equal(exit.code, 130, server.output());
    assert.ok(exit.at - forcedAt < 3000, `exited ${exit.at - forcedAt} ms after the second signal`);

    const d = await readDelivery(dbPath, 'evt-forced');
    assert.ok(d !== undefined);
    assert.equal(d.state, 'delivering', 'left leased: it returns to the queue when the lease expires');
  });
});
