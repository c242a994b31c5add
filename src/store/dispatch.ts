// Operations the delivery engine runs besides claims and completions: leases that outlive
// their node, node heartbeats, and what the scheduler polls.
import { seqId } from '../ids.js';
import { deliveriesIn, placeholders, type SqlExecutor } from './db.js';
import type { WebhookSettings } from './records.js';
import { claim, loadWebhookForDispatch } from './claim.js';
import { bumpDue, dueWebhooks, getEndpointState, loadEndpointStates, saveEndpointState } from './endpoint-state.js';
import { insertAttempts, recordCompletions, type DeliveryNote } from './outcomes.js';

// A reclaimed delivery keeps the invariant of the lifecycle indexes: `pending` only for rows
// that were never in a batch and never tried, `retrying` (due now) for the rest.
const BACK_TO_QUEUE = `state = CASE WHEN batch_id IS NULL AND attempts = 0 THEN 'pending' ELSE 'retrying' END,
  next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL`;

/** Returns leased work whose lease ran out (its node died or hung) to the queue. */
export async function reclaimExpiredLeases(db: SqlExecutor, now: number, limit = 5000): Promise<{ count: number; webhookIds: string[] }> {
  const rows = await db.all<{ webhook_id: string }>(
    `UPDATE deliveries SET ${BACK_TO_QUEUE}
     WHERE seq IN (SELECT seq FROM ${deliveriesIn(db, 'delivering')} WHERE state = 'delivering' AND lease_expires_at <= ? LIMIT ?)
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

/**
 * Fails deliveries an open circuit held past their retry window: held time counts toward
 * maxDurationSeconds, so a delivery does not wait forever behind a dead endpoint. Never-tried
 * deliveries count from their creation. At most `limit` per webhook per call.
 */
export async function expireHeld(db: SqlExecutor, now: number, limit = 1000): Promise<DeliveryNote[]> {
  const held = await db.all<{ webhook_id: string; tenant_id: string; settings: string }>(
    `SELECT s.webhook_id, s.tenant_id, w.settings FROM webhook_state s JOIN webhooks w ON w.id = s.webhook_id
     WHERE s.circuit <> 'closed' AND w.enabled = 1`,
  );
  const notes: DeliveryNote[] = [];
  for (const h of held) {
    const settings = JSON.parse(h.settings) as WebhookSettings;
    const cutoff = now - settings.retry.maxDurationSeconds * 1000;
    const expired = [
      ...(await db.all<{ seq: number }>(
        `SELECT seq FROM ${deliveriesIn(db, 'pending')} WHERE webhook_id = ? AND state = 'pending' AND created_at < ? ORDER BY seq LIMIT ?`,
        [h.webhook_id, cutoff, limit],
      )),
      ...(await db.all<{ seq: number }>(
        `SELECT seq FROM ${deliveriesIn(db, 'retrying')} WHERE webhook_id = ? AND state = 'retrying' AND COALESCE(window_started_at, created_at) < ? LIMIT ?`,
        [h.webhook_id, cutoff, limit],
      )),
    ].map((r) => r.seq);
    if (expired.length === 0) continue;
    const rows = await db.all<{ seq: number; event_id: string; event_type: string; attempts: number; last_status: number | null; last_error: string | null }>(
      `UPDATE deliveries SET state = 'failed', failed_reason = 'retries_exhausted', next_attempt_at = NULL,
         last_error = COALESCE(last_error, 'held while the endpoint''s circuit was open until the retry window ended')
       WHERE seq IN ${placeholders(expired.length)} AND state IN ('pending', 'retrying')
       RETURNING seq, event_id, event_type, attempts, last_status, last_error`,
      expired,
    );
    for (const r of rows) {
      notes.push({
        deliveryId: seqId('delivery', r.seq), webhookId: h.webhook_id, tenantId: h.tenant_id, eventId: r.event_id, eventType: r.event_type,
        attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, reason: 'retries_exhausted',
      });
    }
  }
  return notes;
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

export interface QueueStats {
  /** When the longest-waiting due delivery became due (null: nothing is waiting). */
  oldestDueAt: number | null;
  pending: number;
  retrying: number;
  delivering: number;
  failed: number;
}

/**
 * The queue at a glance, from the partial lifecycle indexes only (never the delivered rows):
 * counts per queue state, and the oldest due work, found per webhook with due work by index
 * seeks (the first pending delivery, the earliest retry that is due).
 */
export async function queueStats(db: SqlExecutor, now: number): Promise<QueueStats> {
  const count = async (state: 'pending' | 'retrying' | 'delivering' | 'failed'): Promise<number> =>
    // The state is a literal (not a parameter) so SQLite can match the partial index.
    (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${deliveriesIn(db, state)} WHERE state = '${state}'`))?.n ?? 0;
  const oldest = await db.get<{ p: number | null; r: number | null }>(
    `SELECT
       MIN((SELECT created_at FROM ${deliveriesIn(db, 'pending')} WHERE webhook_id = s.webhook_id AND state = 'pending' ORDER BY seq LIMIT 1)) AS p,
       MIN((SELECT MIN(next_attempt_at) FROM ${deliveriesIn(db, 'retrying')} WHERE webhook_id = s.webhook_id AND state = 'retrying' AND next_attempt_at <= ?)) AS r
     FROM webhook_state s WHERE s.due_at IS NOT NULL AND s.due_at <= ?`,
    [now, now],
  );
  const times = [oldest?.p ?? null, oldest?.r ?? null].filter((t): t is number => t !== null);
  return {
    oldestDueAt: times.length > 0 ? Math.min(...times) : null,
    pending: await count('pending'),
    retrying: await count('retrying'),
    delivering: await count('delivering'),
    failed: await count('failed'),
  };
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
  expireHeld,
  releaseLeases,
  heartbeat,
  listNodes,
  removeNode,
  queueStats,
};
