// `hookrelay listen` as a child process receiving real deliveries from a running server: it
// prints each one, verifies the signature with --secret, says plainly when it did not verify
// (or was not checked), and answers 204 — or 401 with --reject-invalid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { http, servedApp, type Served } from '../protection/support.js';
import { start, type Running } from './support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

interface Shown {
  method: string;
  headers: Record<string, string>;
  body: { id?: string; type?: string; data?: unknown };
  verified: boolean | null;
  reason?: string;
  status: number;
}

async function listening(p: Running): Promise<string> {
  const first = await p.line((l) => l.startsWith('{"listening"') || l.startsWith('Ready.'));
  return first.startsWith('{') ? (JSON.parse(first) as { listening: string }).listening : (/on (http:\/\/\S+) /.exec(first)?.[1] ?? '');
}

describe('hookrelay listen', () => {
  let s: Served;
  const procs: Running[] = [];
  const listener = (args: string[]): Running => {
    const p = start(['listen', '--port', '0', ...args]);
    procs.push(p);
    return p;
  };
  const webhook = async (url: string, verify: boolean): Promise<string> => {
    const r = await http(`${s.url}/api/v1/webhooks`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', name: 'listen', url, eventTypes: ['invoice.*'], secret: SECRET, verify, retry: { maxDurationSeconds: 0 } } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return String(r.body?.id);
  };
  const publish = async (id: string): Promise<void> => {
    const r = await http(`${s.url}/api/v1/events`, { method: 'POST', key: s.adminKey, body: { tenantId: 'acme', type: 'invoice.paid', id, data: { invoice: id, amount: 4200 } } });
    assert.equal(r.status, 202);
  };

  before(async () => {
    s = await servedApp({ engine: true });
    assert.equal((await http(`${s.url}/api/v1/tenants`, { method: 'POST', key: s.adminKey, body: { id: 'acme', name: 'Acme' } })).status, 201);
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await s.close();
  });

  it('verifies real deliveries with --secret and prints them as JSON lines', async () => {
    const p = listener(['--secret', SECRET, '--json']);
    const url = await listening(p);
    // Creating the webhook sends a verification event first; listen accepts it with 204.
    await webhook(`${url}/hooks`, true);
    const test = JSON.parse(await p.line((l) => l.includes('"hookrelay.test"'))) as Shown;
    assert.equal(test.verified, true);
    assert.equal(test.status, 204);

    await publish('inv_1');
    const shown = JSON.parse(await p.line((l) => l.includes('"inv_1"'))) as Shown;
    assert.equal(shown.method, 'POST');
    assert.equal(shown.verified, true);
    assert.equal(shown.body.type, 'invoice.paid');
    assert.deepEqual(shown.body.data, { invoice: 'inv_1', amount: 4200 });
    assert.equal(shown.headers['webhook-id'], 'inv_1');
    assert.match(shown.headers['webhook-signature'] ?? '', /^v1,/);
  });

  it('says so when nothing is verified, and pretty-prints the body for people', async () => {
    const p = listener([]);
    const url = await listening(p);
    assert.match(p.output.stdout, /signatures are NOT verified/);
    await webhook(url, false);
    await publish('inv_2');
    await p.line((l) => l.includes('"invoice": "inv_2"'));
    assert.match(p.output.stdout, /POST \/ {2}→ 204/);
    assert.match(p.output.stdout, /^webhook-id: inv_2$/m);
    assert.match(p.output.stdout, /^signature: not verified \(start with --secret/m);
    assert.match(p.output.stdout, /^ {2}"type": "invoice\.paid",$/m, 'the body is indented JSON');
  });

  it('flags a signature that does not verify, and with --reject-invalid answers 401', async () => {
    const p = listener(['--secret', OTHER_SECRET, '--reject-invalid', '--json']);
    const url = await listening(p);
    const webhookId = await webhook(url, false);
    await publish('inv_3');
    const shown = JSON.parse(await p.line((l) => l.includes('"inv_3"'))) as Shown;
    assert.equal(shown.verified, false);
    assert.match(shown.reason ?? '', /no v1 signature matches/);
    assert.equal(shown.status, 401);
    // The sender saw the 401: the delivery records it.
    for (let i = 0; i < 100; i++) {
      const list = await http(`${s.url}/api/v1/deliveries?webhookId=${webhookId}`, { key: s.adminKey });
      const d = (list.body?.data as { lastStatus: number | null }[] | undefined)?.[0];
      if (d?.lastStatus === 401) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('the delivery never recorded the 401');
  });

  it('refuses a malformed --secret with exit code 2', async () => {
    const f = await start(['listen', '--port', '0', '--secret', 'not-a-secret']).done;
    assert.equal(f.code, 2);
    assert.match(f.stderr, /whsec_/);
  });
});
