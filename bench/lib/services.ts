// Starting the processes a benchmark measures: hookrelay (built, from dist/) on a fresh
// database, and the sink. Each is a separate OS process so CPU time can be attributed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { launch, type Proc } from './proc.js';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

export interface Service {
  proc: Proc;
  url: string;
  stop(): Promise<void>;
}

export function tempSqliteUrl(): { url: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-bench-'));
  return { url: `sqlite:${join(dir, 'hookrelay.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startHookrelay(databaseUrl: string, extraEnv: Record<string, string> = {}, args: string[] = ['serve']): Promise<Service> {
  const env = {
    HOOKRELAY_DATABASE_URL: databaseUrl,
    HOOKRELAY_PORT: '0',
    HOOKRELAY_HOST: '127.0.0.1',
    HOOKRELAY_ADMIN_KEY: ADMIN_KEY,
    HOOKRELAY_ALLOW_HTTP: 'true',
    HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
    HOOKRELAY_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    HOOKRELAY_RATE_LIMIT_PER_SECOND: '0',
    HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND: '0',
    HOOKRELAY_MAX_BACKLOG: '0',
    ...(process.env.BENCH_SQLITE_SYNCHRONOUS === undefined ? {} : { HOOKRELAY_SQLITE_SYNCHRONOUS: process.env.BENCH_SQLITE_SYNCHRONOUS }),
    ...extraEnv,
  };
  const isWorker = args[0] === 'worker';
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") profiles the server under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const { proc, line } = await launch(process.execPath, [...nodeArgs, 'dist/main.js', ...args], env, (l) => l.includes(isWorker ? 'worker is delivering' : 'hookrelay is serving'), 60_000);
  const address = isWorker ? '' : ((JSON.parse(line) as { address?: string }).address ?? '');
  return {
    proc,
    url: address,
    stop: async () => {
      await proc.stop('SIGTERM');
    },
  };
}

export async function startSink(options: { delayMs?: number; latency?: boolean } = {}): Promise<Service> {
  const { proc, line } = await launch(process.execPath, ['--import', 'tsx', 'bench/sink-server.ts', '--delay-ms', String(options.delayMs ?? 0), '--latency', options.latency === true ? '1' : '0'], {}, (l) => l.startsWith('{"port"'));
  const port = (JSON.parse(line) as { port: number }).port;
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await proc.stop('SIGTERM');
    },
  };
}

export interface SinkPathStats {
  requests: number;
  events: number;
  latencies: number[];
  first: number;
  last: number;
}

export async function sinkStats(sink: Service): Promise<Record<string, SinkPathStats>> {
  const res = await request(`${sink.url}/__stats`);
  return (await res.body.json()) as Record<string, SinkPathStats>;
}

export async function resetSink(sink: Service): Promise<void> {
  await (await request(`${sink.url}/__reset`, { method: 'POST' })).body.dump();
}

/** Calls hookrelay's API with the admin key; throws on non-2xx. */
export async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(`${base}${path}`, {
    method: method as 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode}: ${text.slice(0, 500)}`);
  return (text === '' ? null : JSON.parse(text)) as T;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns the elapsed ms. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await sleep(everyMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
