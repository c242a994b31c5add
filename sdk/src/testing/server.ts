// A real hookrelay server for the SDK's tests: `hookrelay serve` from this repository as a child
// process, on a temporary SQLite file and a free loopback port. Spawning it (rather than
// importing the server) keeps the SDK free of any dependency on the server's code, in tests too.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ADMIN_KEY = 'sdk-test-admin-key-0123456789abcdef';

export interface TestServer {
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-sdk-'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOOKRELAY_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...clean,
      HOOKRELAY_DATABASE_URL: `sqlite:${join(dir, 'hookrelay.db')}`,
      HOOKRELAY_PORT: '0',
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: ADMIN_KEY,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_SQLITE_SYNCHRONOUS: 'NORMAL',
      HOOKRELAY_POLL_INTERVAL_MS: '100',
      HOOKRELAY_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hookrelay did not start within 30 s:\n${output}`)), 30_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.includes('hookrelay is serving'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { address: string }).address);
    });
    child.on('exit', (code) => reject(new Error(`hookrelay exited (${code}) during start-up:\n${output}`)));
  });
  return {
    url,
    adminKey: ADMIN_KEY,
    stop: async () => {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Sink {
  url: string;
  requests: { headers: IncomingMessage['headers']; body: string }[];
  /** Resolves once `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1:0 that answers 204 and keeps what it got. */
export async function startSink(): Promise<Sink> {
  const requests: Sink['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async waitFor(n, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`the sink got ${requests.length} of ${n} requests`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
