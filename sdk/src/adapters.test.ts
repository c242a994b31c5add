// The receiver adapters on real servers (Node http, Express 5, Fastify 5) on 127.0.0.1:0,
// sent requests signed by the independent `standardwebhooks` library: 204 and the handler runs
// for a good signature; 401 without the handler for a tampered body; and a body that a JSON
// parser already consumed is refused rather than verified.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { expressWebhook, nodeHandler, type EventContext, type OnEvent } from './adapters.js';
import { fastifyWebhook } from './fastify.js';
import type { WebhookEvent } from './verify.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EVENT = { id: 'evt_1', type: 'invoice.paid', timestamp: '2026-11-23T10:00:00.000Z', tenantId: 'acme', data: { amount: 4200, note: 'caf\u00e9' } };
const BODY = JSON.stringify(EVENT).replace('café', 'caf\\u00e9'); // escaped as a sender may escape it

function post(url: string, body: string, id = 'evt_1', signedBody = body): Promise<Response> {
  const now = new Date();
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, now, signedBody),
    },
    body,
  });
}

function recorder(): { seen: [WebhookEvent, EventContext][]; onEvent: OnEvent } {
  const seen: [WebhookEvent, EventContext][] = [];
  return { seen, onEvent: (e, c) => void seen.push([e, c]) };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('nodeHandler', () => {
  const r = recorder();
  let failNext = false;
  const server = createServer(nodeHandler(SECRET, async (e, c) => {
    if (failNext) throw new Error('downstream is down');
    await r.onEvent(e, c);
  }));
  let url = '';
  before(async () => {
    url = await listen(server);
  });
  after(() => close(server));

  it('answers 204 and hands over the verified event', async () => {
    assert.equal((await post(url, BODY)).status, 204);
    assert.deepEqual(r.seen.at(-1)?.[0], EVENT);
    assert.equal(r.seen.at(-1)?.[1].messageId, 'evt_1');
  });

  it('hands over each event of a batch, in order', async () => {
    const before = r.seen.length;
    const batch = JSON.stringify([{ ...EVENT, id: 'a' }, { ...EVENT, id: 'b' }]);
    assert.equal((await post(url, batch, 'bat_1')).status, 204);
    assert.deepEqual(r.seen.slice(before).map(([e, c]) => [e.id, c.batch, c.messageId]), [['a', true, 'bat_1'], ['b', true, 'bat_1']]);
  });

  it('answers 401 for a tampered body and 500 when the handler fails (so the sender retries)', async () => {
    const before = r.seen.length;
    assert.equal((await post(url, BODY.replace('4200', '1'), 'evt_1', BODY)).status, 401);
    assert.equal(r.seen.length, before, 'the handler never saw it');
    failNext = true;
    assert.equal((await post(url, BODY)).status, 500);
    failNext = false;
  });
});

describe('expressWebhook (Express 5)', () => {
  const r = recorder();
  const app = express();
  const errors: unknown[] = [];
  app.post('/plain', expressWebhook(SECRET, r.onEvent));
  app.post('/raw', express.raw({ type: 'application/json' }), expressWebhook(SECRET, r.onEvent));
  // The classic mistake: a JSON parser ran first, so only a parsed object is left.
  app.post('/parsed', express.json(), expressWebhook(SECRET, r.onEvent, { onError: (e) => errors.push(e) }));
  const server = createServer(app);
  let url = '';
  before(async () => {
    url = await listen(server);
  });
  after(() => close(server));

  it('verifies the raw bytes it reads itself, or those express.raw() kept', async () => {
    assert.equal((await post(`${url}/plain`, BODY)).status, 204);
    assert.equal((await post(`${url}/raw`, BODY)).status, 204);
    assert.deepEqual(r.seen.map(([e]) => e), [EVENT, EVENT]);
    assert.equal((await post(`${url}/raw`, BODY.replace('acme', 'evil'), 'evt_1', BODY)).status, 401);
  });

  it('refuses a body that express.json() already parsed, instead of verifying it', async () => {
    const res = await post(`${url}/parsed`, BODY);
    assert.equal(res.status, 500);
    assert.match(await res.text(), /already parsed .* express\.raw/);
    assert.equal(r.seen.length, 2);
    assert.equal(errors.length, 1);
  });
});

describe('fastifyWebhook (Fastify 5)', () => {
  const r = recorder();
  let app: FastifyInstance;
  let url = '';
  before(async () => {
    app = Fastify();
    await app.register(fastifyWebhook({ secret: SECRET, onEvent: r.onEvent }), { prefix: '/webhooks' });
    // The rest of the application keeps Fastify's JSON parsing.
    app.post('/echo', (request) => ({ parsed: request.body }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => app.close());

  it('verifies the raw bytes in its own scope while the app still parses JSON elsewhere', async () => {
    assert.equal((await post(`${url}/webhooks`, BODY)).status, 204);
    assert.deepEqual(r.seen.at(-1)?.[0], EVENT);
    assert.equal((await post(`${url}/webhooks`, BODY.replace('4200', '0'), 'evt_1', BODY)).status, 401);
    assert.equal(r.seen.length, 1);
    const echo = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.deepEqual(await echo.json(), { parsed: { a: 1 } });
  });
});
