// A real hookrelay child process (`node --import tsx src/main.ts serve|worker`) for end-to-end
// tests: started on a loopback port (a given one, to restart at the same address, or a free
// one), waited on through /healthz, driven over HTTP with the admin key, stopped by signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const PROCESS_ADMIN_KEY = 'process-admin-key-0123456789abcdef';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HookrelayProcess {
  proc: ChildProcess;
  /** Its API (serve) or health and metrics endpoint (worker). */
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The last lines it printed, for failure messages. */
  output(): string;
  /** Calls the API with the admin key; the body is parsed JSON (null when empty). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export interface ProcessOptions {
  command?: 'serve' | 'worker';
  databaseUrl: string;
  /** Default: a free port. */
  port?: number;
  env?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startHookrelayProcess(options: ProcessOptions): Promise<HookrelayProcess> {
  const command = options.command ?? 'serve';
  const port = options.port ?? (await freePort());
  const args = command === 'serve' ? ['serve'] : ['worker', '--metrics-port', String(port)];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOOKRELAY_DATABASE_URL: options.databaseUrl,
      HOOKRELAY_PORT: String(port),
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: PROCESS_ADMIN_KEY,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_LEASE_GRACE_MS: '1000',
      HOOKRELAY_POLL_INTERVAL_MS: '200',
      HOOKRELAY_RATE_LIMIT_PER_SECOND: '0',
      HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND: '0',
      HOOKRELAY_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    if (lines.length > 300) lines.splice(0, lines.length - 300);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  const url = `http://127.0.0.1:${port}`;
  const node: HookrelayProcess = {
    proc,
    url,
    exited,
    output: () => lines.slice(-40).join('\n'),
    async api(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${PROCESS_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as unknown };
    },
  };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (gone) throw new Error(`hookrelay ${command} exited during start-up:\n${node.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return node;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`hookrelay ${command} did not become healthy within 40 s:\n${node.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILLs the process if it still runs (cleanup after a failed test). */
export async function ensureStopped(node: HookrelayProcess | null): Promise<void> {
  if (node === null || node.proc.exitCode !== null || node.proc.signalCode !== null) return;
  node.proc.kill('SIGKILL');
  await node.exited;
}

/** SIGTERMs each still-running process and waits (SIGKILL after 15 s). */
export async function stopAll(nodes: readonly (HookrelayProcess | null)[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if (n === null || n.proc.exitCode !== null || n.proc.signalCode !== null) return;
      n.proc.kill('SIGTERM');
      const timer = setTimeout(() => n.proc.kill('SIGKILL'), 15_000);
      await n.exited;
      clearTimeout(timer);
    }),
  );
}
