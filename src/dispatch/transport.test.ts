// The two transports run the same cases against real receivers: the answer and its headers,
// a timeout, the connect-time address check, and times taken from the caller's clock.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startReceiver } from '../../test/helpers/receiver.js';
import { createLogger } from '../logger.js';
import { createAgent } from './http-client.js';
import type { PreparedRequest } from './request.js';
import { inProcessTransport, threadTransport, type Transport } from './transport.js';

const CLOCK = Date.UTC(2030, 0, 1); // far from real time: proves whose clock stamps the attempt
const log = createLogger('silent');
const post = (url: string): PreparedRequest => ({ url, method: 'POST', headers: { 'content-type': 'application/json', 'x-a': '1' }, loggedHeaders: {}, body: '{"x":1}', msgId: 'm1' });

const transports: [string, (allowPrivate: boolean) => Transport][] = [
  ['in-process', (allowPrivate) => inProcessTransport(createAgent({ allowPrivateNetworks: allowPrivate }), () => CLOCK)],
  ['sender thread', (allowPrivate) => threadTransport(1, { allowPrivateNetworks: allowPrivate }, () => CLOCK, log)],
];

for (const [name, make] of transports) {
  describe(`${name} transport`, () => {
    const open: Transport[] = [];
    const transport = (allowPrivate = true): Transport => {
      const t = make(allowPrivate);
      open.push(t);
      return t;
    };
    after(async () => {
      await Promise.all(open.map((t) => t.close()));
    });

    it('sends the request as prepared and returns status, headers, excerpt and Retry-After', async () => {
      const r = await startReceiver(() => ({ status: 503, headers: { 'retry-after': '7' }, body: 'busy' }));
      try {
        const t = transport();
        await t.start(); // a booted transport: the first request waits for nothing
        const out = await t.send(post(`${r.url}/hook?q=1`), 2000);
        assert.equal(out.kind, 'response');
        if (out.kind !== 'response') return;
        assert.equal(out.status, 503);
        assert.equal(out.excerpt, 'busy');
        assert.equal(out.retryAfterMs, 7000);
        assert.equal(out.startedAt, CLOCK, 'stamped by the caller\'s clock');
        assert.ok(out.durationMs >= 0 && out.durationMs < 2000);
        const [got] = r.requests;
        assert.equal(got?.method, 'POST');
        assert.equal(got?.url, '/hook?q=1');
        assert.equal(got?.headers['x-a'], '1');
        assert.equal(got?.body, '{"x":1}');
      } finally {
        await r.close();
      }
    });

    it('an endpoint that does not answer in time is a timeout', async () => {
      const r = await startReceiver(() => ({ status: 200, hang: true }));
      try {
        const out = await transport().send(post(r.url), 300);
        assert.equal(out.kind, 'error');
        if (out.kind === 'error') assert.equal(out.errorClass, 'timeout');
      } finally {
        await r.close();
      }
    });

    it('refuses a loopback destination at connect time unless private networks are allowed', async () => {
      const r = await startReceiver();
      try {
        const out = await transport(false).send(post(r.url), 2000);
        assert.equal(out.kind, 'error');
        if (out.kind === 'error') assert.equal(out.errorClass, 'blocked_address');
        assert.equal(r.requests.length, 0);
      } finally {
        await r.close();
      }
    });

    it('spreads concurrent requests and answers each to its caller', async () => {
      const r = await startReceiver((req) => ({ status: 200, body: req.url }));
      try {
        const t = transport();
        const outs = await Promise.all(Array.from({ length: 50 }, (_, i) => t.send(post(`${r.url}/n${i}`), 2000)));
        assert.deepEqual(outs.map((o) => (o.kind === 'response' ? o.excerpt : o.message)), Array.from({ length: 50 }, (_, i) => `/n${i}`));
      } finally {
        await r.close();
      }
    });
  });
}
