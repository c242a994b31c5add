// Operations the delivery engine runs besides claims and completions: leases that outlive
// their node, node heartbeats, and what the scheduler polls.
import type { SqlExecutor } from './db.js';
import { claim, loadWebhookForDispatch } from './claim.js';
import { bumpDue, dueWebhooks, getEndpointState, loadEndpointStates, saveEndpointState } from './endpoint-state.js';
import { insertAttempts, recordCompletions } from './outcomes.js';

// A reclaimed delivery keeps the invariant of the lifecycle indexes: `pending` only for rows
// that were never in a batch and never tried, `retrying` (due now) for the rest.
const BACK_TO_QUEUE = `state = CASE WHEN batch_id IS NULL AND attempts = 0 THEN 'pending' ELSE 'retrying' END,
  next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL`;

/** Returns leased work whose lease ran out (its node died or hung) to the queue. */
export async function reclaimExpiredLeases(db: SqlExecutor, now: number, limit = 5000): Promise<{ count: number; webhookIds: string[] }> {
  const rows = await db.all<{ webhook_id: string }>(
    `UPDATE deliveries SET ${BACK_TO_QUEUE}
     WHERE seq IN (SELECT seq FROM deliveries WHERE state = 'delivering' AND lease_expires_at <= ? LIMIT ?)
     RETURNING webhook_id`,
    [now, now, limit],
  );
  const webhookIds = [...new Set(rows.map((r) => r.webhook_id))];
  await bumpDue(db, webhookIds, now);
  return { count: rows.length, webhookIds };
}

/** Gives back every lease a node still holds (at shutdown, after in-flight work finished). */
export async function releaseLeases(db: SqlExecutor, nodeId: string, now: number): Promise<number> {
  const rows = await db.all<{ webhook_id: string }>(
    `UPDATE deliveries SET ${BACK_TO_QUEUE} WHERE state = 'delivering' AND lease_owner = ? RETURNING webhook_id`,
    [now, nodeId],
  );
  await bumpDue(db, [...new Set(rows.map((r) => r.webhook_id))], now);
  return rows.length;
}

export interface NodeInfo {
  id: string;
  kind: string;
  hostname: string;
  pid: number;
  version: string;
  startedAt: number;
  heartbeatAt: number;
}

export async function heartbeat(db: SqlExecutor, node: NodeInfo): Promise<void> {
  await db.run(
    `INSERT INTO nodes (id, kind, hostname, pid, version, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    [node.id, node.kind, node.hostname, node.pid, node.version, node.startedAt, node.heartbeatAt],
  );
}

export async function listNodes(db: SqlExecutor, aliveSince: number): Promise<NodeInfo[]> {
  const rows = await db.all<{ id: string; kind: string; hostname: string; pid: number; version: string; started_at: number; heartbeat_at: number }>(
    'SELECT * FROM nodes WHERE heartbeat_at >= ? ORDER BY started_at',
    [aliveSince],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, hostname: r.hostname, pid: r.pid, version: r.version, startedAt: r.started_at, heartbeatAt: r.heartbeat_at }));
}

export async function removeNode(db: SqlExecutor, nodeId: string): Promise<void> {
  await db.run('DELETE FROM nodes WHERE id = ?', [nodeId]);
}

/** The oldest due delivery's age and the size of the backlog, for metrics and back-pressure. */
export async function queueStats(db: SqlExecutor, now: number): Promise<{ oldestDueAt: number | null; backlog: number }> {
  const pending = await db.get<{ t: number | null }>("SELECT MIN(created_at) AS t FROM deliveries WHERE state = 'pending'");
  const retrying = await db.get<{ t: number | null }>("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'retrying' AND next_attempt_at <= ?", [now]);
  const backlog = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE state IN ('pending', 'retrying', 'delivering')");
  const times = [pending?.t ?? null, retrying?.t ?? null].filter((t): t is number => t !== null);
  return { oldestDueAt: times.length ? Math.min(...times) : null, backlog: backlog?.n ?? 0 };
}

export const dispatchOps = {
  claim,
  recordCompletions,
  insertAttempts,
  bumpDue,
  dueWebhooks,
  getEndpointState,
  loadEndpointStates,
  saveEndpointState,
  loadWebhookForDispatch,
  reclaimExpiredLeases,
  releaseLeases,
  heartbeat,
  listNodes,
  removeNode,
  queueStats,
};
