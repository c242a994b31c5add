// Processes of a hookrelay cluster for end-to-end tests: `serve` and `worker` children on one
// PostgreSQL database (test/helpers/hookrelay-process.ts does the work).
import { startHookrelayProcess, type HookrelayProcess } from '../helpers/hookrelay-process.js';

export { stopAll } from '../helpers/hookrelay-process.js';
export type Node = HookrelayProcess;

export function startNode(role: 'serve' | 'worker', databaseUrl: string, env: Record<string, string> = {}): Promise<Node> {
  return startHookrelayProcess({ command: role, databaseUrl, env: { HOOKRELAY_LEASE_GRACE_MS: '2000', HOOKRELAY_POLL_INTERVAL_MS: '250', ...env } });
}

export function api(node: Node, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return node.api(method, path, body);
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

/** webhook-id → how many times the receiver got it. */
export function countIds(bodies: readonly { headers: Record<string, string | string[] | undefined> }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of bodies) {
    const id = b.headers['webhook-id'];
    if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
