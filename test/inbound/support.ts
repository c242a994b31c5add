// Helpers for the inbound tests: an app with tenant `acme`, sources created through the API,
// requests to /in/{id} through inject() with raw bodies, a real OAuth2 server process, and
// bounded polling.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { request } from 'undici';
import { testApp, type TestApp, type TestAppOptions } from '../helpers/app.js';

export const TENANT = 'acme';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SourceJson {
  id: string;
  tenantId: string;
  url: string;
  enabled: boolean;
  auth: Record<string, unknown>;
  eventType: string | null;
  eventTypePointer: string | null;
  response: { status: number; body: unknown };
  contentTypes: string[];
  maxBodyBytes: number;
  rateLimitPerSecond: number | null;
}

export interface RequestJson {
  id: string;
  sourceId: string;
  tenantId: string;
  method: string;
  query: string;
  contentType: string | null;
  bodyBytes: number;
  dedupKey: string | null;
  receivedAt: string;
  eventId: string;
  headers?: Record<string, string>;
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
  event?: { id: string; type: string; data: unknown; sourceId: string | null; deliveries: number } | null;
}

/** A test app with tenant `acme` (and the engine when asked). */
export async function inboundApp(options: TestAppOptions = {}): Promise<TestApp> {
  const t = await testApp(options);
  const res = await t.call('POST', '/api/v1/tenants', { id: TENANT, name: 'Acme' });
  assert.equal(res.status, 201, res.raw);
  return t;
}

export async function createSource(t: TestApp, body: Record<string, unknown>): Promise<SourceJson> {
  const res = await t.call<SourceJson>('POST', '/api/v1/sources', { tenantId: TENANT, name: 'partner', eventType: 'partner.message', auth: { type: 'none' }, ...body });
  assert.equal(res.status, 201, res.raw);
  return res.body;
}

export interface Sent {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: string;
  json: Record<string, unknown> | null;
}

/** Sends a request to /in/{id} through inject(): `body` goes out as the exact bytes given. */
export async function send(t: TestApp, sourceId: string, options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; query?: string } = {}): Promise<Sent> {
  const body = options.body;
  const res = await t.app.inject({
    method: (options.method ?? 'POST') as 'POST',
    url: `/in/${sourceId}${options.query === undefined ? '' : `?${options.query}`}`,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(body === undefined ? {} : { payload: body }),
  });
  let json: Record<string, unknown> | null;
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.statusCode, headers: res.headers, body: res.body, json };
}

export async function listRequests(t: TestApp, sourceId: string): Promise<RequestJson[]> {
  const res = await t.call<{ data: RequestJson[] }>('GET', `/api/v1/sources/${sourceId}/requests?limit=1000`);
  assert.equal(res.status, 200, res.raw);
  return res.body.data;
}

export async function getRequest(t: TestApp, sourceId: string, requestId: string): Promise<RequestJson> {
  const res = await t.call<RequestJson>('GET', `/api/v1/sources/${sourceId}/requests/${requestId}`);
  assert.equal(res.status, 200, res.raw);
  return res.body;
}

/** Polls `fn` until it returns something other than undefined/false, failing after `timeoutMs`. */
export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface OAuth2Process {
  issuer: string;
  /** http://127.0.0.1:PORT */
  base: string;
  jwksUrl: string;
  tokenUrl: string;
  /** A client-credentials token for `audience` (ttlSeconds may be negative: already expired). */
  token(audience: string, ttlSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts test/inbound/oauth2-server.ts (oauth2-mock-server) as a separate process. */
export async function startOAuth2Server(): Promise<OAuth2Process> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/inbound/oauth2-server.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oauth2 server not ready within 20 s: ${stderr}`));
    }, 20_000);
    createInterface({ input: child.stdout ?? process.stdin }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then(() => reject(new Error(`oauth2 server exited: ${stderr}`)));
  });
  const { issuer, port } = JSON.parse(line) as { issuer: string; port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    issuer,
    base,
    jwksUrl: `${base}/jwks`,
    tokenUrl: `${base}/token`,
    async token(audience, ttlSeconds) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', audience, ...(ttlSeconds === undefined ? {} : { token_ttl: String(ttlSeconds) }) });
      const res = await request(`${base}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('test-client:any-secret').toString('base64')}` },
        body: form.toString(),
      });
      const json = (await res.body.json()) as { access_token?: string };
      assert.equal(res.statusCode, 200);
      assert.ok(typeof json.access_token === 'string');
      return json.access_token;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
