// verifyWebhook against signatures made by the independent `standardwebhooks` library, and
// against everything that must fail: tampered bodies, wrong secrets, stale and future
// timestamps, re-serialised JSON, and a parsed object passed where raw bytes belong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verifySignature, verifyWebhook, WebhookVerificationError, type VerificationFailure } from './verify.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const NOW = new Date('2026-11-23T10:00:00Z');

/** A delivery as hookrelay sends it: compact JSON, with a non-ASCII character and an escape to keep serialisers honest. */
const BODY = '{"id":"evt_1","type":"invoice.paid","timestamp":"2026-11-23T10:00:00.000Z","tenantId":"acme","data":{"amount":4200,"note":"caf\u00e9 \\u00e9","n":1.50}}';

function signed(body: string, at = NOW, secret = SECRET, id = 'evt_1'): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

function refused(reason: VerificationFailure, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof WebhookVerificationError && err.reason === reason);
}

describe('verifyWebhook', () => {
  it('accepts a standardwebhooks signature and returns the parsed event', () => {
    const event = verifyWebhook(BODY, signed(BODY), SECRET, { now: NOW });
    assert.ok(!Array.isArray(event));
    assert.equal(event.type, 'invoice.paid');
    assert.deepEqual(event.data, { amount: 4200, note: 'café é', n: 1.5 });
    // Bytes, fetch Headers, and header names in any case all work.
    assert.doesNotThrow(() => verifySignature(Buffer.from(BODY), new Headers(signed(BODY)), SECRET, { now: NOW }));
    const upper = Object.fromEntries(Object.entries(signed(BODY)).map(([k, v]) => [k.toUpperCase(), v]));
    assert.equal(verifySignature(BODY, upper, SECRET, { now: NOW.getTime() }).id, 'evt_1');
  });

  it('accepts any of several signatures, and any of several secrets (rotation)', () => {
    const headers = signed(BODY);
    const wrong = new Webhook(OTHER).sign('evt_1', NOW, BODY);
    assert.doesNotThrow(() => verifyWebhook(BODY, { ...headers, 'webhook-signature': `${wrong} ${headers['webhook-signature'] ?? ''}` }, SECRET, { now: NOW }));
    assert.doesNotThrow(() => verifyWebhook(BODY, headers, [OTHER, SECRET], { now: NOW }));
    assert.doesNotThrow(() => verifyWebhook(BODY, headers, SECRET.slice('whsec_'.length), { now: NOW }), 'the bare base64 key works too');
  });

  it('refuses a tampered body, a wrong secret and a signature for another message id', () => {
    refused('no_matching_signature', () => verifyWebhook(BODY.replace('4200', '4201'), signed(BODY), SECRET, { now: NOW }));
    refused('no_matching_signature', () => verifyWebhook(BODY, signed(BODY), OTHER, { now: NOW }));
    refused('no_matching_signature', () => verifyWebhook(BODY, { ...signed(BODY), 'webhook-id': 'evt_2' }, SECRET, { now: NOW }));
    refused('no_matching_signature', () => verifyWebhook(BODY, { ...signed(BODY), 'webhook-signature': 'v2,abc v1' }, SECRET, { now: NOW }));
  });

  it('refuses re-serialised JSON: the parsed body written out again is not what was signed', () => {
    const reserialised = JSON.stringify(JSON.parse(BODY));
    assert.notEqual(reserialised, BODY);
    refused('no_matching_signature', () => verifyWebhook(reserialised, signed(BODY), SECRET, { now: NOW }));
    refused('no_matching_signature', () => verifyWebhook(JSON.stringify(JSON.parse(BODY), null, 2), signed(BODY), SECRET, { now: NOW }));
  });

  it('refuses a parsed object outright, even from untyped code', () => {
    const untyped = verifyWebhook as (body: unknown, headers: Record<string, string>, secret: string) => unknown;
    refused('not_raw_body', () => untyped(JSON.parse(BODY), signed(BODY), SECRET));
    refused('not_raw_body', () => untyped(undefined, signed(BODY), SECRET));
  });

  it('refuses stale and future timestamps outside the tolerance, and accepts them inside it', () => {
    const old = new Date(NOW.getTime() - 301_000);
    refused('timestamp_too_old', () => verifyWebhook(BODY, signed(BODY, old), SECRET, { now: NOW }));
    refused('timestamp_in_future', () => verifyWebhook(BODY, signed(BODY, new Date(NOW.getTime() + 301_000)), SECRET, { now: NOW }));
    assert.doesNotThrow(() => verifyWebhook(BODY, signed(BODY, old), SECRET, { now: NOW, toleranceSeconds: 600 }));
    assert.doesNotThrow(() => verifyWebhook(BODY, signed(BODY, new Date(NOW.getTime() - 299_000)), SECRET, { now: NOW }));
    refused('invalid_timestamp', () => verifyWebhook(BODY, { ...signed(BODY), 'webhook-timestamp': '2026-11-23' }, SECRET, { now: NOW }));
  });

  it('refuses missing headers, and a signed body that is not JSON', () => {
    const { 'webhook-signature': _omitted, ...partial } = signed(BODY);
    refused('missing_headers', () => verifyWebhook(BODY, partial, SECRET, { now: NOW }));
    refused('invalid_json', () => verifyWebhook('not json', signed('not json'), SECRET, { now: NOW }));
    assert.equal(verifySignature('', signed(''), SECRET, { now: NOW }).id, 'evt_1', 'an empty body (GET webhooks) verifies with verifySignature');
  });

  it('agrees with standardwebhooks on what verifies', () => {
    const reference = new Webhook(SECRET);
    for (const body of [BODY, '[]', '{"a":"\\ud83d\\ude00"}', '{"emoji":"😀"}']) {
      const headers = signed(body, new Date());
      assert.deepEqual(verifyWebhook(body, headers, SECRET), reference.verify(body, headers));
    }
  });
});
