// Receiving: what is committed (raw bytes, redacted headers, the event it became) before the
// answer, in how few commits; the configured answer; event type fixed or by JSON pointer;
// non-JSON bodies; duplicates by webhook-id and Idempotency-Key; 415/413/400/422/404/405;
// the GET challenge; and forwarding through the engine to a subscribed receiver.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestApp } from '../helpers/app.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { createSource, getRequest, inboundApp, listRequests, send, TENANT, waitUntil } from './support.js';

let t: TestApp;
let receiver: Receiver;
before(async () => {
  t = await inboundApp({ engine: true });
  receiver = await startReceiver();
});
after(async () => {
  await receiver.close();
  await t.close();
});

describe('persist, then answer', () => {
  it('commits the exact bytes, redacted headers and the event before answering 200', async () => {
    const s = await createSource(t, { auth: { type: 'header', headerName: 'X-Partner-Token', token: 'tok-123' }, eventTypePointer: '/type' });
    const raw = '{ "type": "order.created", "big": 12345678901234567890, "text": "héllo" }\n';
    const res = await send(t, s.id, { body: raw, query: 'a=1&b=2', headers: { 'x-partner-token': 'tok-123', cookie: 'session=abc', 'x-trace': 'trace-1' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.body, '');
    const inboundId = String(res.headers['hookrelay-inbound-id']);
    assert.match(inboundId, /^inb_/);
    // Committed by the time the answer arrived: read straight from the store.
    const stored = await t.rt.store.sources.getRequest({ tenantId: null }, s.id, inboundId);
    assert.ok(stored !== undefined);
    assert.equal(stored.body.toString('utf8'), raw);
    assert.equal(stored.method, 'POST');
    assert.equal(stored.query, 'a=1&b=2');
    assert.equal(stored.headers['x-partner-token'], '[redacted]');
    assert.equal(stored.headers.cookie, '[redacted]');
    assert.equal(stored.headers['x-trace'], 'trace-1');
    const event = await t.rt.store.events.getEvent({ tenantId: TENANT }, stored.eventId);
    assert.ok(event !== undefined);
    assert.equal(event.type, 'order.created');
    assert.equal(event.sourceId, s.id);
    assert.equal(event.data, raw.trim(), 'JSON data is kept as sent: 12345678901234567890 keeps its digits');

    const detail = await getRequest(t, s.id, inboundId);
    assert.equal(detail.bodyEncoding, 'utf8');
    assert.equal(detail.body, raw);
    assert.equal(detail.headers?.['x-partner-token'], '[redacted]');
    assert.equal(detail.event?.id, stored.eventId);
    assert.equal(detail.event?.type, 'order.created');
    assert.equal(detail.event?.sourceId, s.id);
    assert.equal(detail.bodyBytes, Buffer.byteLength(raw));
  });

  it('many concurrent requests share commits (group commit) and each is stored once', async () => {
    const s = await createSource(t, {});
    let commits = 0;
    const original = t.rt.store.transaction.bind(t.rt.store);
    t.rt.store.transaction = (fn, options) => {
      commits += 1;
      return original(fn, options);
    };
    try {
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => send(t, s.id, { body: JSON.stringify({ i }) })));
      assert.ok(results.every((r) => r.status === 200));
      assert.ok(commits < 30, `60 requests took ${commits} commits`);
    } finally {
      t.rt.store.transaction = original;
    }
    const rows = await listRequests(t, s.id);
    assert.equal(rows.length, 60);
    assert.equal(new Set(rows.map((r) => r.eventId)).size, 60);
  });

  it('answers with the configured status and body', async () => {
    const cases: [Record<string, unknown>, number, string, string | undefined][] = [
      [{ status: 202, body: null }, 202, '', undefined],
      [{ status: 204 }, 204, '', undefined],
      [{ status: 200, body: 'accepted, thanks' }, 200, 'accepted, thanks', 'text/plain; charset=utf-8'],
      [{ status: 202, body: { received: true } }, 202, '{"received":true}', 'application/json; charset=utf-8'],
    ];
    for (const [response, status, body, type] of cases) {
      const s = await createSource(t, { response });
      const res = await send(t, s.id, { body: '{}' });
      assert.equal(res.status, status);
      assert.equal(res.body, body);
      if (type !== undefined) assert.equal(res.headers['content-type'], type);
    }
  });

  it('PUT is accepted like POST', async () => {
    const s = await createSource(t, {});
    const res = await send(t, s.id, { method: 'PUT', body: '{"a":1}' });
    assert.equal(res.status, 200);
    const [row] = await listRequests(t, s.id);
    assert.equal(row?.method, 'PUT');
  });
});

describe('event type and data', () => {
  it('a pointer finds nested types; without one the fallback type applies; otherwise 422 naming the pointer', async () => {
    const s = await createSource(t, { eventType: 'partner.other', eventTypePointer: '/meta/kind' });
    await send(t, s.id, { body: '{"meta":{"kind":"invoice.paid"}}' });
    await send(t, s.id, { body: '{"meta":{}}' });
    await send(t, s.id, { body: '{"meta":{"kind":"hookrelay.test"}}' });
    const types = await Promise.all((await listRequests(t, s.id)).map(async (r) => (await getRequest(t, s.id, r.id)).event?.type));
    assert.deepEqual(types.reverse(), ['invoice.paid', 'partner.other', 'partner.other']);

    const strict = await createSource(t, { eventType: null, eventTypePointer: '/type' });
    for (const [body, why] of [['{"kind":"x"}', 'nothing is there'], ['{"type":42}', 'number'], ['[1,2]', 'nothing is there'], ['{"type":"hookrelay.ping"}', 'reserved']] as const) {
      const res = await send(t, strict.id, { body });
      assert.equal(res.status, 422, body);
      assert.equal((res.json?.errors as { field: string }[])[0]?.field, '/body/type');
      assert.ok(String(res.json?.detail).includes(why), String(res.json?.detail));
    }
    assert.equal((await listRequests(t, strict.id)).length, 0, 'refused requests are not stored');
  });

  it('non-JSON bodies become { contentType, encoding, body }: text as utf8, binary as base64; an empty body is null', async () => {
    const s = await createSource(t, { contentTypes: ['application/x-www-form-urlencoded', 'application/octet-stream', 'application/json'] });
    await send(t, s.id, { body: 'a=1&b=caf%C3%A9', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x10, 0x80]);
    await send(t, s.id, { body: binary, headers: { 'content-type': 'application/octet-stream' } });
    await send(t, s.id, { headers: {} });
    const rows = (await listRequests(t, s.id)).reverse();
    const details = await Promise.all(rows.map((r) => getRequest(t, s.id, r.id)));
    assert.deepEqual(details[0]?.event?.data, { contentType: 'application/x-www-form-urlencoded', encoding: 'utf8', body: 'a=1&b=caf%C3%A9' });
    assert.deepEqual(details[1]?.event?.data, { contentType: 'application/octet-stream', encoding: 'base64', body: binary.toString('base64') });
    assert.equal(details[1]?.bodyEncoding, 'base64');
    assert.equal(details[1]?.body, binary.toString('base64'));
    assert.equal(details[2]?.event?.data, null);
    assert.equal(details[2]?.bodyBytes, 0);
  });

  it('a JSON Schema on the event type applies to inbound data (422 naming the field)', async () => {
    const created = await t.call('POST', '/api/v1/event-types', { name: 'partner.typed', schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' } } } });
    assert.equal(created.status, 201, created.raw);
    const s = await createSource(t, { eventType: 'partner.typed' });
    const bad = await send(t, s.id, { body: '{"amount":"lots"}' });
    assert.equal(bad.status, 422);
    assert.equal((bad.json?.errors as { field: string }[])[0]?.field, '/body/amount');
    assert.equal((await send(t, s.id, { body: '{"amount":5}' })).status, 200);
  });
});

describe('duplicates', () => {
  it('a repeated webhook-id or Idempotency-Key is answered 2xx, marked replayed, and stored once', async () => {
    const s = await createSource(t, { response: { status: 202, body: null } });
    const first = await send(t, s.id, { body: '{"n":1}', headers: { 'webhook-id': 'msg_1' } });
    const again = await send(t, s.id, { body: '{"n":1}', headers: { 'webhook-id': 'msg_1' } });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.headers['hookrelay-inbound-id'], first.headers['hookrelay-inbound-id'], 'the repeat names the original');
    await send(t, s.id, { body: '{"n":2}', headers: { 'idempotency-key': 'key-2' } });
    await send(t, s.id, { body: '{"n":2}', headers: { 'idempotency-key': 'key-2' } });
    // A webhook-id and an Idempotency-Key with the same text are different keys.
    await send(t, s.id, { body: '{"n":3}', headers: { 'idempotency-key': 'msg_1' } });
    const rows = await listRequests(t, s.id);
    assert.deepEqual(rows.map((r) => r.dedupKey).sort(), ['idempotency-key:key-2', 'idempotency-key:msg_1', 'webhook-id:msg_1']);
    const events = await t.rt.store.events.listEvents({ tenantId: TENANT }, {}, { limit: 1000 });
    assert.equal(events.data.filter((e) => e.sourceId === s.id).length, 3);
  });

  it('concurrent repeats (same commit group) store one request and one event', async () => {
    const s = await createSource(t, {});
    const results = await Promise.all(Array.from({ length: 20 }, () => send(t, s.id, { body: '{"same":true}', headers: { 'webhook-id': 'msg_concurrent' } })));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(results.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 19);
    assert.equal(new Set(results.map((r) => r.headers['hookrelay-inbound-id'])).size, 1);
    assert.equal((await listRequests(t, s.id)).length, 1);
  });

  it('keys are per source: the same webhook-id at two sources is two requests', async () => {
    const a = await createSource(t, {});
    const b = await createSource(t, {});
    await send(t, a.id, { body: '{}', headers: { 'webhook-id': 'shared' } });
    const res = await send(t, b.id, { body: '{}', headers: { 'webhook-id': 'shared' } });
    assert.equal(res.headers['idempotent-replayed'], undefined);
  });

  it('refuses a key over 255 characters (400 naming the header)', async () => {
    const s = await createSource(t, {});
    const res = await send(t, s.id, { body: '{}', headers: { 'idempotency-key': 'k'.repeat(256) } });
    assert.equal(res.status, 400);
    assert.equal((res.json?.errors as { field: string }[])[0]?.field, '/headers/idempotency-key');
  });
});

describe('what is refused', () => {
  it('415 for a content type the source does not accept, a missing one, or a compressed body', async () => {
    const s = await createSource(t, { contentTypes: ['application/json', 'text/*'] });
    assert.equal((await send(t, s.id, { body: 'x', headers: { 'content-type': 'text/csv' } })).status, 200, 'text/* covers text/csv');
    assert.equal((await send(t, s.id, { body: '{}', headers: { 'content-type': 'application/vnd.api+json' } })).status, 415);
    const xml = await send(t, s.id, { body: '<a/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.status, 415);
    assert.match(String(xml.headers['content-type']), /^application\/problem\+json/);
    assert.ok(String(xml.json?.detail).includes('application/json, text/*'));
    const gz = await send(t, s.id, { body: '{}', headers: { 'content-encoding': 'gzip' } });
    assert.equal(gz.status, 415);
    const untyped = await t.app.inject({ method: 'POST', url: `/in/${s.id}`, payload: Buffer.from('{}') });
    assert.equal(untyped.statusCode, 415);
  });

  it('413 over the source limit, by content-length or while reading; exactly at the limit is fine', async () => {
    const s = await createSource(t, { maxBodyBytes: 100 });
    const exact = JSON.stringify({ p: 'x'.repeat(92) });
    assert.equal(Buffer.byteLength(exact), 100);
    assert.equal((await send(t, s.id, { body: exact })).status, 200);
    const big = await send(t, s.id, { body: JSON.stringify({ p: 'x'.repeat(93) }) });
    assert.equal(big.status, 413);
    assert.ok(String(big.json?.detail).includes('100 bytes'));
    // No content-length (chunked): refused once the 101st byte arrives.
    const res = await fetch(await listenUrl(`/in/${s.id}`), {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(`{"p":"${'y'.repeat(200)}"}`)); c.close(); } }),
    });
    assert.equal(res.status, 413);
    assert.equal((await listRequests(t, s.id)).length, 1);
  });

  it('400 for a JSON content type with a body that is not JSON', async () => {
    const s = await createSource(t, {});
    const res = await send(t, s.id, { body: '{"broken": ' });
    assert.equal(res.status, 400);
    assert.equal(res.json?.code, 'malformed_json');
  });

  it('404 for an unknown or disabled source, or a disabled tenant; 405 for other methods', async () => {
    assert.equal((await send(t, 'src_unknown', { body: '{}' })).status, 404);
    const s = await createSource(t, {});
    await t.call('PATCH', `/api/v1/sources/${s.id}`, { enabled: false });
    const disabled = await send(t, s.id, { body: '{}' });
    assert.equal(disabled.status, 404);
    assert.equal(disabled.json?.code, 'not_found');
    await t.call('PATCH', `/api/v1/sources/${s.id}`, { enabled: true });
    assert.equal((await send(t, s.id, { body: '{}' })).status, 200);
    const del = await send(t, s.id, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, 'GET, HEAD, POST, PUT');

    await t.call('POST', '/api/v1/tenants', { id: 'sleepy', name: 'Sleepy' });
    const z = await createSource(t, { tenantId: 'sleepy' });
    assert.equal((await send(t, z.id, { body: '{}' })).status, 200);
    await t.call('PATCH', '/api/v1/tenants/sleepy', { enabled: false });
    // The source cache notices a tenant change within its 2 s lifetime; the commit refuses at once.
    assert.equal((await send(t, z.id, { body: '{}' })).status, 404);
  });

  it('GET echoes ?challenge= as text/plain; without one it is a 400 that says what to send', async () => {
    const s = await createSource(t, { auth: { type: 'header', headerName: 'X-Token', token: 't' } });
    const res = await send(t, s.id, { method: 'GET', query: 'challenge=abc%3Cscript%3E123' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'abc<script>123');
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const none = await send(t, s.id, { method: 'GET' });
    assert.equal(none.status, 400);
    assert.equal((none.json?.errors as { field: string }[])[0]?.field, '/query/challenge');
    assert.equal((await send(t, 'src_unknown', { method: 'GET', query: 'challenge=x' })).status, 404);
  });
});

describe('forwarding', () => {
  it('each accepted request becomes an event that the engine delivers to subscribed webhooks', async () => {
    const hook = await t.call<{ id: string }>('POST', '/api/v1/webhooks', { tenantId: TENANT, name: 'internal', url: `${receiver.url}/internal`, eventTypes: ['fwd.*'], verify: false });
    assert.equal(hook.status, 201, hook.raw);
    const s = await createSource(t, { eventTypePointer: '/type', eventType: null });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await send(t, s.id, { body: JSON.stringify({ type: 'fwd.item', i }) });
      ids.push(String(res.headers['hookrelay-inbound-id']));
    }
    const got = await receiver.waitFor(5, 10_000);
    const delivered = got.filter((r) => r.url === '/internal').map((r) => JSON.parse(r.body) as { type: string; data: { i: number }; tenantId: string });
    assert.deepEqual(delivered.map((e) => e.data.i).sort(), [0, 1, 2, 3, 4]);
    assert.ok(delivered.every((e) => e.type === 'fwd.item' && e.tenantId === TENANT));
    await waitUntil('deliveries marked delivered', async () => {
      const page = await t.rt.store.deliveries.listDeliveries({ tenantId: TENANT }, { webhookId: hook.body.id }, { limit: 100 });
      return page.data.length === 5 && page.data.every((d) => d.state === 'delivered');
    });
  });
});

let listening: string | null = null;
/** The app on a real loopback port (for requests inject() cannot make, such as chunked bodies). */
async function listenUrl(path: string): Promise<string> {
  listening ??= await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `${listening}${path}`;
}
