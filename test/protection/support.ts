// A test app listening on 127.0.0.1:0 and a real HTTP client for it, so limits are exercised
// by concurrent requests over sockets rather than inject().
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { testApp, type TestApp, type TestAppOptions } from '../helpers/app.js';

export interface Served extends TestApp {
  url: string;
}

/** `register` adds routes before the server starts listening. */
export async function servedApp(options: TestAppOptions & { register?: (app: FastifyInstance) => void } = {}): Promise<Served> {
  const t = await testApp(options);
  options.register?.(t.app);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, url: `http://127.0.0.1:${port}` };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
}

export async function http(url: string, init: { method?: string; key?: string; body?: unknown; raw?: string } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined || init.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> | null;
  try {
    body = text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

/** Fires `n` requests at once and returns them in completion order. */
export function burst(n: number, make: (i: number) => Promise<HttpResult>): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function count(results: readonly HttpResult[], status: number): number {
  return results.filter((r) => r.status === status).length;
}
