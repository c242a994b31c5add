// A real `hookrelay serve` child process for end-to-end tests: started with tsx on a SQLite
// file and a free loopback port, driven over HTTP with the admin key, stopped by signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../engine/support.js';

export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The last lines the process printed, for failure messages. */
  output(): string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export async function startServer(databasePath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOOKRELAY_DATABASE_URL: `sqlite:${databasePath}`,
      HOOKRELAY_PORT: String(port),
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: ADMIN_KEY,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_LEASE_GRACE_MS: '1000',
      HOOKRELAY_POLL_INTERVAL_MS: '200',
      HOOKRELAY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    proc,
    url,
    exited,
    output: () => lines.slice(-40).join('\n'),
    async api(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as unknown };
    },
  };

  const deadline = Date.now() + 30_000;
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
  });
  for (;;) {
    if (exitedEarly) throw new Error(`hookrelay exited during start-up:\n${server.output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`hookrelay did not become healthy within 30 s:\n${server.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates tenant `acme` and a webhook (no verification) on a running server; returns its id. */
export async function setupWebhook(server: ServerProcess, webhook: Record<string, unknown>): Promise<string> {
  const tenant = await server.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const w = await server.api('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'e2e', verify: false, ...webhook });
  if (w.status !== 201) throw new Error(`webhook: ${w.status} ${JSON.stringify(w.body)}`);
  return (w.body as { id: string }).id;
}

/** Kills the process if it is still running (cleanup after a failed test). */
export async function ensureStopped(server: ServerProcess | null): Promise<void> {
  if (server === null || server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  server.proc.kill('SIGKILL');
  await server.exited;
}
