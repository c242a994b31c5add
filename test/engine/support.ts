// Shared helpers for the delivery-engine tests: an engine-enabled app with a tenant, webhook
// and event shortcuts through the real API, polling with a deadline, and signature checks of
// received requests with both standardwebhooks and svix.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { testApp, type TestApp, type TestAppOptions } from '../helpers/app.js';
import type { Received } from '../helpers/receiver.js';

export const TENANT = 'acme';

export interface DeliveryJson {
  id: string;
  eventId: string;
  webhookId: string;
  tenantId: string;
  eventType: string;
  state: string;
  attempts: number;
  occurredAt: string;
  createdAt: string;
  firstAttemptAt: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  failedReason: string | null;
  batchId: string | null;
}

export interface AttemptJson {
  id: string;
  webhookId: string;
  batchId: string | null;
  eventCount: number;
  startedAt: string;
  durationMs: number;
  status: number | null;
  outcome: 'success' | 'failure';
  error: string | null;
  errorClass: string | null;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseExcerpt: string | null;
}

export interface DeliveryDetailJson extends DeliveryJson {
  attemptLog: AttemptJson[];
}

export interface WebhookJson {
  id: string;
  secret: string;
  activeFrom: string;
  createdAt: string;
  enabled: boolean;
}

export interface EventInput {
  type: string;
  id?: string;
  tenantId?: string;
  timestamp?: string;
  data?: unknown;
}

/** A test app with the engine running (unless engine: false) and tenant `acme`. */
export async function engineApp(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await testApp({ engine: true, ...options });
  const res = await t.call('POST', '/api/v1/tenants', { id: TENANT, name: 'Acme' });
  assert.equal(res.status, 201, res.raw);
  return t;
}

/** Creates a webhook through the API (verify: false unless given). */
export async function createWebhook(t: TestApp, body: Record<string, unknown>): Promise<WebhookJson> {
  const res = await t.call<WebhookJson>('POST', '/api/v1/webhooks', { tenantId: TENANT, name: 'test', verify: false, ...body });
  assert.equal(res.status, 201, res.raw);
  return res.body;
}

/** Publishes events (one request) and returns their ids and delivery counts. */
export async function ingest(t: TestApp, events: EventInput[]): Promise<{ id: string; deliveries: number }[]> {
  const res = await t.call<{ events: { id: string; deliveries: number }[] }>('POST', '/api/v1/events', { events: events.map((e) => ({ tenantId: TENANT, data: {}, ...e })) });
  assert.equal(res.status, 202, res.raw);
  return res.body.events;
}

export async function listDeliveries(t: TestApp, query: Record<string, string>): Promise<DeliveryJson[]> {
  const res = await t.call<{ data: DeliveryJson[] }>('GET', `/api/v1/deliveries?${new URLSearchParams({ limit: '1000', ...query }).toString()}`);
  assert.equal(res.status, 200, res.raw);
  return res.body.data;
}

export async function getDelivery(t: TestApp, id: string): Promise<DeliveryDetailJson> {
  const res = await t.call<DeliveryDetailJson>('GET', `/api/v1/deliveries/${id}`);
  assert.equal(res.status, 200, res.raw);
  return res.body;
}

/** Polls `fn` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the delivery of `eventId` to `webhookId` is in one of `states`. */
export async function waitForDelivery(t: TestApp, webhookId: string, eventId: string, states: readonly string[], timeoutMs = 10_000): Promise<DeliveryDetailJson> {
  const summary = await waitUntil(`delivery of ${eventId} to be ${states.join('/')}`, async () => {
    const [d] = await listDeliveries(t, { webhookId, eventId });
    return d !== undefined && states.includes(d.state) ? d : undefined;
  }, timeoutMs);
  return getDelivery(t, summary.id);
}

/** Waits until every delivery of a webhook is in one of `states` (and there are `count`). */
export async function waitForAll(t: TestApp, webhookId: string, count: number, states: readonly string[], timeoutMs = 10_000): Promise<DeliveryJson[]> {
  return waitUntil(`${count} deliveries of ${webhookId} to be ${states.join('/')}`, async () => {
    const all = await listDeliveries(t, { webhookId });
    return all.length === count && all.every((d) => states.includes(d.state)) ? all : undefined;
  }, timeoutMs);
}

export function headersOf(req: Received): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Verifies a received request with standardwebhooks and svix; returns the parsed payload. */
export function verifyReceived(secret: string, req: Received): unknown {
  const headers = headersOf(req);
  const a = new StandardWebhook(secret).verify(req.body, headers);
  if (req.body === '') {
    // svix JSON-parses the payload after matching, which throws for an empty body: compare
    // the signature svix computes instead.
    const expected = new SvixWebhook(secret).sign(headers['webhook-id'] ?? '', new Date(Number(headers['webhook-timestamp']) * 1000), '');
    assert.ok((headers['webhook-signature'] ?? '').split(' ').includes(expected), 'svix computes one of the sent signatures');
    return a;
  }
  const b = new SvixWebhook(secret).verify(req.body, headers);
  assert.deepEqual(b, a);
  return a;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export const ms = (iso: string | null): number => {
  assert.ok(iso !== null, 'expected a timestamp');
  return Date.parse(iso);
};

export const sleep = (msec: number): Promise<void> => new Promise((r) => setTimeout(r, msec));
