// End to end, hookrelay to hookrelay: instance A (in this process, engine running) delivers
// every event to two sources of instance B (a child process): one checks A's OAuth2 bearer
// token (client credentials from a real oauth2-mock-server process, checked against its JWKS),
// the other A's Standard Webhooks signature. B forwards what it accepts to a receiver. B is
// killed with SIGKILL mid-stream and restarted on the same database and port; afterwards every
// event of A has reached the receiver through both paths, and B stored each request once
// (A's retries of requests B had committed but not answered were recognised by webhook-id).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testApp, type TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { ensureStopped, freePort, startHookrelay, type HookrelayProcess } from './hookrelay-process.js';
import { startOAuth2Server, waitUntil, type OAuth2Process } from './support.js';

const EVENTS = 300;
const SECRET = 'whsec_ZTJlLXNpZ25pbmctc2VjcmV0LWZvci1ob29rcmVsYXk=';
const AUDIENCE = 'https://hookrelay-b.example/in';

interface Forwarded {
  type: string;
  data: { id: string; type: string; data: { n: number } };
}

test('A → B (signed, OAuth2) → receiver: B killed -9 and restarted mid-stream, nothing lost', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-inbound-e2e-'));
  const dbPath = join(dir, 'b.db');
  const port = await freePort();
  let oauth: OAuth2Process | null = null;
  let receiver: Receiver | null = null;
  let a: TestApp | null = null;
  let b: HookrelayProcess | null = null;
  try {
    [oauth, receiver] = await Promise.all([startOAuth2Server(), startReceiver()]);
    b = await startHookrelay(dbPath, port);

    // B: a tenant, a webhook to the receiver, and one source per authentication mode.
    const ok = async (p: Promise<{ status: number; body: unknown }>): Promise<Record<string, unknown>> => {
      const res = await p;
      assert.ok(res.status < 300, JSON.stringify(res.body));
      return res.body as Record<string, unknown>;
    };
    await ok(b.api('POST', '/api/v1/tenants', { id: 'partners', name: 'Partners' }));
    await ok(b.api('POST', '/api/v1/webhooks', { tenantId: 'partners', name: 'internal', url: `${receiver.url}/internal`, eventTypes: ['via.*'], verify: false }));
    const jwtSource = await ok(b.api('POST', '/api/v1/sources', {
      tenantId: 'partners', name: 'A with OAuth2', eventType: 'via.jwt',
      auth: { type: 'oauth2', jwksUrl: oauth.jwksUrl, issuer: oauth.issuer, audience: AUDIENCE },
    }));
    const sigSource = await ok(b.api('POST', '/api/v1/sources', {
      tenantId: 'partners', name: 'A with signatures', eventType: 'via.sig', response: { status: 202 }, auth: { type: 'hmac', secret: SECRET },
    }));

    // A: two webhooks to B's sources, retrying fast so the test does not wait long after the restart.
    a = await testApp({ engine: true, config: { pollIntervalMs: 100, circuitFailureThreshold: 100_000 } });
    const api = a;
    assert.equal((await api.call('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status, 201);
    const common = { tenantId: 'acme', verify: false, eventTypes: ['order.*'], maxConcurrency: 8, timeoutMs: 2000, retry: { initialDelayMs: 200, maxDelayMs: 1000, maxDurationSeconds: 600 } };
    const hooks = [
      await api.call<{ id: string }>('POST', '/api/v1/webhooks', {
        ...common, name: 'to B (oauth2)', url: `${b.url}/in/${String(jwtSource.id)}`,
        auth: { type: 'oauth2', tokenUrl: oauth.tokenUrl, clientId: 'hookrelay-a', clientSecret: 'any-secret', audience: AUDIENCE },
      }),
      await api.call<{ id: string }>('POST', '/api/v1/webhooks', { ...common, name: 'to B (signed)', url: `${b.url}/in/${String(sigSource.id)}`, secret: SECRET }),
    ];
    for (const h of hooks) assert.equal(h.status, 201, h.raw);

    const forwarded = (type: string): Set<string> => {
      const ids = new Set<string>();
      for (const r of receiver?.requests ?? []) {
        const e = JSON.parse(r.body) as Forwarded;
        if (e.type === type) ids.add(e.data.id);
      }
      return ids;
    };

    // Stream events into A; B is killed once about a third has come through, and restarted.
    const ids: string[] = [];
    let killedAt = -1;
    for (let i = 0; i < EVENTS; i += 10) {
      const events = Array.from({ length: 10 }, (_, k) => ({ tenantId: 'acme', type: 'order.created', id: `order-${i + k}`, data: { n: i + k } }));
      const res = await api.call('POST', '/api/v1/events', { events });
      assert.equal(res.status, 202, res.raw);
      ids.push(...events.map((e) => e.id));
      if (killedAt < 0 && receiver.requests.length >= EVENTS * 2 / 3) {
        b.proc.kill('SIGKILL');
        assert.equal((await b.exited).signal, 'SIGKILL');
        killedAt = receiver.requests.length;
        await new Promise((r) => setTimeout(r, 300));
        b = await startHookrelay(dbPath, port);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (killedAt < 0) {
      // The stream outran the receiver: kill now, still mid-stream for B.
      await waitUntil('some forwarded requests', () => (receiver?.requests.length ?? 0) >= 50, 30_000);
      b.proc.kill('SIGKILL');
      await b.exited;
      killedAt = receiver.requests.length;
      b = await startHookrelay(dbPath, port);
    }
    assert.ok(killedAt < EVENTS * 2, `B was killed mid-stream (receiver had ${killedAt} of ${EVENTS * 2})`);

    await waitUntil('every event forwarded through both sources', () => forwarded('via.jwt').size >= EVENTS && forwarded('via.sig').size >= EVENTS, 120_000, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}: jwt ${forwarded('via.jwt').size}, sig ${forwarded('via.sig').size}\n${b?.output() ?? ''}`);
    });
    for (const type of ['via.jwt', 'via.sig']) {
      const got = forwarded(type);
      assert.deepEqual(ids.filter((id) => !got.has(id)), [], `every acknowledged event of A reached the receiver via ${type}`);
    }

    // B stored each of A's requests once per source, although A resent what B had not answered.
    const running = b;
    for (const source of [jwtSource, sigSource]) {
      const rows = (await ok(running.api('GET', `/api/v1/sources/${String(source.id)}/requests?limit=1000`))).data as { dedupKey: string }[];
      assert.equal(rows.length, EVENTS, `source ${String(source.id)} stored ${rows.length} requests`);
      assert.equal(new Set(rows.map((r) => r.dedupKey)).size, EVENTS);
    }
    await waitUntil('A marks every delivery delivered', async () => {
      const open = await Promise.all(['pending', 'retrying', 'delivering', 'failed'].map((state) => api.call<{ data: unknown[] }>('GET', `/api/v1/deliveries?state=${state}&limit=1`)));
      return open.every((r) => r.body.data.length === 0);
    }, 30_000, 100);
    // The kill interrupted A's deliveries: some needed more than one attempt.
    const retried = (await api.rt.store.deliveries.listDeliveries({ tenantId: 'acme' }, {}, { limit: 10_000 })).data.filter((d) => d.attempts > 1).length;
    assert.ok(retried > 0, 'some deliveries of A were retried across the restart');
    console.log(`inbound e2e: B killed after ${killedAt} forwarded requests; ${retried} deliveries of A retried; receiver got ${receiver.requests.length} for ${EVENTS * 2} events`);
  } finally {
    await ensureStopped(b);
    await a?.close();
    await receiver?.close();
    await oauth?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
