// A real `hookrelay serve` child process (node --import tsx src/main.ts serve) on a SQLite file
// and a fixed loopback port, so it can be killed and restarted at the same address.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const PROCESS_ADMIN_KEY = 'inbound-e2e-admin-key-0123456789';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HookrelayProcess {
  proc: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** Calls the API with the admin key; the body is parsed JSON (null when empty). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export async function startHookrelay(databasePath: string, port: number, env: Record<string, string> = {}): Promise<HookrelayProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOOKRELAY_DATABASE_URL: `sqlite:${databasePath}`,
      HOOKRELAY_PORT: String(port),
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: PROCESS_ADMIN_KEY,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_LEASE_GRACE_MS: '1000',
      HOOKRELAY_POLL_INTERVAL_MS: '100',
      HOOKRELAY_RATE_LIMIT_PER_SECOND: '0',
      HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND: '0',
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = `http://127.0.0.1:${port}`;
  const server: HookrelayProcess = {
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
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`hookrelay exited during start-up:\n${server.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
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

/** SIGKILLs the process if it still runs (cleanup after a failed test). */
export async function ensureStopped(server: HookrelayProcess | null): Promise<void> {
  if (server === null || server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  server.proc.kill('SIGKILL');
  await server.exited;
}
