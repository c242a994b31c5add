// Processes of a hookrelay cluster for end-to-end tests: `serve` and `worker` children on one
// PostgreSQL database, each with a health endpoint to wait on, killable with any signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../engine/support.js';

export const ADMIN_KEY = 'cluster-admin-key-0123456789abcdef';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Node {
  proc: ChildProcess;
  /** Base URL of its API (serve) or health/metrics endpoint (worker). */
  url: string;
  exited: Promise<number | null>;
  output(): string;
}

export async function startNode(role: 'serve' | 'worker', databaseUrl: string, env: Record<string, string> = {}): Promise<Node> {
  const port = await freePort();
  const args = role === 'serve' ? ['serve'] : ['worker', '--metrics-port', String(port)];
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOOKRELAY_DATABASE_URL: databaseUrl,
      HOOKRELAY_PORT: String(port),
      HOOKRELAY_HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: ADMIN_KEY,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_LEASE_GRACE_MS: '2000',
      HOOKRELAY_POLL_INTERVAL_MS: '250',
      HOOKRELAY_LOG_LEVEL: 'warn',
      HOOKRELAY_RATE_LIMIT_PER_SECOND: '0',
      HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND: '0',
      ...env,
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
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const node: Node = { proc, url: `http://127.0.0.1:${port}`, exited, output: () => lines.slice(-40).join('\n') };
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (gone) throw new Error(`${role} exited during start-up:\n${node.output()}`);
    try {
      if ((await fetch(`${node.url}/healthz`)).ok) return node;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${role} did not become healthy:\n${node.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function api(node: Node, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as unknown };
}

/** Publishes `total` events with ids e00000… in batches of 1000. */
export async function publish(node: Node, total: number, prefix = 'e'): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < total; from += 1000) {
    const events = Array.from({ length: Math.min(1000, total - from) }, (_, k) => {
      const id = `${prefix}${String(from + k).padStart(6, '0')}`;
      ids.push(id);
      return { tenantId: 'acme', type: 'cluster.x', id, data: { n: from + k } };
    });
    const res = await api(node, 'POST', '/api/v1/events', { events });
    if (res.status !== 202) throw new Error(`publish: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return ids;
}

export async function stopAll(nodes: readonly (Node | null)[]): Promise<void> {
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

/** webhook-id → how many times the receiver got it. */
export function countIds(bodies: readonly { headers: Record<string, string | string[] | undefined> }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of bodies) {
    const id = b.headers['webhook-id'];
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
