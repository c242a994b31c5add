// The client commands as child processes against a running server: send, webhooks
// list/create/test, deliveries list/retry (one, and in bulk with progress), and exit codes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { always, startReceiver, type Receiver } from '../helpers/receiver.js';
import { http, servedApp, type Served } from '../protection/support.js';
import { json, run } from './support.js';

interface Queue { pending: number; retrying: number; delivering: number; failed: number }

describe('hookrelay client commands', () => {
  let s: Served;
  let receiver: Receiver;
  let env: Record<string, string>;

  /** Polls the webhook's queue counts until `check` holds. */
  async function queueUntil(webhookId: string, check: (q: Queue) => boolean): Promise<Queue> {
    let last: Queue | undefined;
    for (let i = 0; i < 600; i++) {
      const r = await http(`${s.url}/api/v1/webhooks/${webhookId}/health`, { key: s.adminKey });
      last = r.body?.queue as Queue;
      if (check(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the queue never reached the expected state: ${JSON.stringify(last)}`);
  }

  before(async () => {
    // The bulk test fails thousands of deliveries on purpose; an open circuit would hold the retried ones.
    s = await servedApp({ engine: true, config: { circuitFailureThreshold: 10_000 } });
    receiver = await startReceiver(always(204));
    env = { HOOKRELAY_URL: s.url, HOOKRELAY_KEY: s.adminKey };
    assert.equal((await http(`${s.url}/api/v1/tenants`, { method: 'POST', key: s.adminKey, body: { id: 'acme', name: 'Acme' } })).status, 201);
  });
  after(async () => {
    await receiver.close();
    await s.close();
  });

  it('webhooks create, list and test', async () => {
    const created = await run(['webhooks', 'create', '--tenant', 'acme', '--name', 'billing', '--endpoint', `${receiver.url}/billing`, '--events', 'invoice.*,order.created', '--header', 'X-Env: test', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const w = json(created) as { id: string; secret: string; eventTypes: string[]; headers: Record<string, string> };
    assert.match(w.secret, /^whsec_/);
    assert.deepEqual(w.eventTypes, ['invoice.*', 'order.created']);
    assert.deepEqual(w.headers, { 'X-Env': 'test' });
    assert.equal(receiver.requests.length, 1, 'the server verified the endpoint with a test event first');

    const human = await run(['webhooks', 'create', '--tenant', 'acme', '--endpoint', `${receiver.url}/other`, '--events', 'other.*', '--no-verify'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Created webhook wh_\S+ .* for tenant acme/m);
    assert.match(human.stdout, /^Signing secret: whsec_/m);
    assert.equal(receiver.requests.length, 1, '--no-verify sends nothing');

    const listed = await run(['webhooks', 'list', '--tenant', 'acme'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+TENANT\s+NAME\s+ENABLED\s+EVENT TYPES\s+URL$/m);
    assert.ok(listed.stdout.includes(w.id) && listed.stdout.includes(`POST ${receiver.url}/billing`), listed.stdout);

    const tested = await run(['webhooks', 'test', w.id], env);
    assert.equal(tested.code, 0, tested.stderr);
    assert.match(tested.stdout, /^OK: .* answered 204 in \d+ ms\.$/m);
  });

  it('send publishes inline, from a file and from stdin, idempotently with --id', async () => {
    const inline = await run(['send', '--tenant', 'acme', '--type', 'invoice.paid', '--data', '{"invoice":"in_1"}', '--id', 'in_1-paid'], env);
    assert.equal(inline.code, 0, inline.stderr);
    assert.match(inline.stdout, /^Published event in_1-paid \(invoice\.paid\) to 1 webhook\.$/m);

    const file = join(tmpdir(), `hookrelay-send-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ invoice: 'in_2' }));
    const fromFile = json(await run(['send', '--tenant', 'acme', '--type', 'invoice.paid', '--data', `@${file}`, '--json'], env)) as { id: string; deliveries: number; replayed: boolean };
    assert.equal(fromFile.deliveries, 1);
    assert.equal(fromFile.replayed, false);

    const fromStdin = await run(['send', '--tenant', 'acme', '--type', 'order.created', '--data', '-', '--json'], env, '{"order":7}');
    assert.equal((json(fromStdin) as { deliveries: number }).deliveries, 1);

    const again = await run(['send', '--tenant', 'acme', '--type', 'invoice.paid', '--data', '{"invoice":"in_1"}', '--id', 'in_1-paid'], env);
    assert.match(again.stdout, /already published \(same id\)/);

    const bodies = (await receiver.waitFor(5)).slice(1).map((r) => JSON.parse(r.body) as { id: string; data: unknown });
    assert.ok(bodies.some((b) => b.id === 'in_1-paid'));
    assert.ok(bodies.some((b) => JSON.stringify(b.data) === '{"order":7}'));
  });

  it('exit codes: 1 with the server\'s problem when it refuses, 1 when unreachable, 2 for usage', async () => {
    const refused = await run(['send', '--tenant', 'nobody', '--type', 'x', '--data', '{}'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /422 .*\(tenant_unavailable\): Tenant 'nobody' does not exist/);

    const unreachable = await run(['webhooks', 'list', '--url', 'http://127.0.0.1:9', '--key', 'hr_x']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach the server at http:\/\/127\.0\.0\.1:9/);

    const noKey = await run(['deliveries', 'list', '--url', s.url]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /HOOKRELAY_KEY/);

    const badKey = await run(['webhooks', 'list'], { ...env, HOOKRELAY_KEY: 'hr_wrong' });
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /401 /);

    const noFilter = await run(['deliveries', 'retry'], env);
    assert.equal(noFilter.code, 2);
    assert.match(noFilter.stderr, /--all/);
  });

  it('deliveries list and retry: one by id, and the failed queue in bulk with progress lines', async () => {
    const failing = await startReceiver(always(500));
    try {
      const w = await http(`${s.url}/api/v1/webhooks`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', name: 'flaky', url: failing.url, eventTypes: ['bulk.*'], verify: false, retry: { maxDurationSeconds: 0 } } });
      const webhookId = String(w.body?.id);
      const total = 2500;
      for (let from = 0; from < total; from += 1000) {
        const events = Array.from({ length: Math.min(1000, total - from) }, (_, i) => ({ tenantId: 'acme', type: 'bulk.item', id: `bulk-${from + i}`, data: { n: from + i } }));
        assert.equal((await http(`${s.url}/api/v1/events`, { method: 'POST', key: s.adminKey, body: { events } })).status, 202);
      }
      await queueUntil(webhookId, (q) => q.failed === total);

      const listed = await run(['deliveries', 'list', '--webhook', webhookId, '--state', 'failed', '--limit', '2'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /^ID\s+STATE\s+TRIES/m);
      assert.equal(listed.stdout.match(/ failed /g)?.length, 2);
      assert.match(listed.stdout, /More: --cursor \S+/);

      failing.setBehaviour(always(200));
      const one = (json(await run(['deliveries', 'list', '--webhook', webhookId, '--limit', '1', '--json'], env)) as { data: { id: string }[] }).data[0];
      const single = await run(['deliveries', 'retry', one?.id ?? ''], env);
      assert.equal(single.code, 0, single.stderr);
      assert.match(single.stdout, /^Requeued delivery dlv_/m);

      // Not a terminal here, so progress comes as plain lines on stderr and the outcome on stdout.
      const bulk = await run(['deliveries', 'retry', '--webhook', webhookId], env);
      assert.equal(bulk.code, 0, bulk.stderr);
      const lines = bulk.stderr.split('\n').filter((l) => l.startsWith('Requeueing: '));
      assert.ok(lines.length >= 3, `progress lines:\n${bulk.stderr}`);
      assert.match(lines.at(-1) ?? '', /^Requeueing: \d+ of \d+ \(100%\)$/);
      assert.match(bulk.stdout, /^Requeued 249\d failed deliveries\.$/m);
      await queueUntil(webhookId, (q) => q.failed + q.pending + q.retrying + q.delivering === 0);
      assert.ok(failing.requests.length >= 2 * total, 'every delivery was sent again');
    } finally {
      await failing.close();
    }
  });
});
