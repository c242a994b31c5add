// Retention: delivered deliveries, their attempts and their events are purged after one
// period, failed and canceled ones after a longer one. Work is done in small batches along
// the primary key (oldest first) from a cursor, so each statement is short and never holds the
// database long enough to stall delivery.
import type { SqlExecutor } from './db.js';
import { placeholders } from './db.js';

export interface PurgeCutoffs {
  deliveredBefore: number;
  failedBefore: number;
}

export interface PurgeStep {
  deleted: number;
  /** Where the next step starts; null when the scan reached rows too young to purge. */
  nextSeq: number | null;
}

/** Scans `limit` deliveries from `afterSeq` and deletes those past their retention. */
export async function purgeDeliveries(db: SqlExecutor, afterSeq: number, cutoffs: PurgeCutoffs, limit: number): Promise<PurgeStep> {
  const rows = await db.all<{ seq: number; state: string; created_at: number; delivered_at: number | null; last_attempt_at: number | null }>(
    'SELECT seq, state, created_at, delivered_at, last_attempt_at FROM deliveries WHERE seq > ? ORDER BY seq LIMIT ?',
    [afterSeq, limit],
  );
  const doomed: number[] = [];
  for (const r of rows) {
    if (r.state === 'delivered' && (r.delivered_at ?? r.created_at) < cutoffs.deliveredBefore) doomed.push(r.seq);
    else if ((r.state === 'failed' || r.state === 'canceled') && (r.last_attempt_at ?? r.created_at) < cutoffs.failedBefore) doomed.push(r.seq);
  }
  if (doomed.length > 0) await db.run(`DELETE FROM deliveries WHERE seq IN ${placeholders(doomed.length)}`, doomed);
  const last = rows.at(-1);
  // Rows are in creation order: once they are younger than the longest retention, stop.
  const done = last === undefined || last.created_at >= Math.max(cutoffs.deliveredBefore, cutoffs.failedBefore);
  return { deleted: doomed.length, nextSeq: done ? null : last.seq };
}

/** Deletes attempts past retention: successes after the delivered period, failures after the failed one. */
export async function purgeAttempts(db: SqlExecutor, afterSeq: number, cutoffs: PurgeCutoffs, limit: number): Promise<PurgeStep> {
  const rows = await db.all<{ seq: number; outcome: string; started_at: number }>(
    'SELECT seq, outcome, started_at FROM attempts WHERE seq > ? ORDER BY seq LIMIT ?',
    [afterSeq, limit],
  );
  const doomed = rows
    .filter((r) => r.started_at < (r.outcome === 'success' ? cutoffs.deliveredBefore : cutoffs.failedBefore))
    .map((r) => r.seq);
  if (doomed.length > 0) await db.run(`DELETE FROM attempts WHERE seq IN ${placeholders(doomed.length)}`, doomed);
  const last = rows.at(-1);
  const done = last === undefined || last.started_at >= Math.max(cutoffs.deliveredBefore, cutoffs.failedBefore);
  return { deleted: doomed.length, nextSeq: done ? null : last.seq };
}

/** Deletes events older than the delivered period that no delivery refers to any more. */
export async function purgeEvents(db: SqlExecutor, afterSeq: number, cutoffs: PurgeCutoffs, limit: number): Promise<PurgeStep> {
  const rows = await db.all<{ seq: number; received_at: number; refs: number }>(
    `SELECT e.seq, e.received_at, (SELECT COUNT(*) FROM deliveries d WHERE d.event_seq = e.seq) AS refs
     FROM events e WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
    [afterSeq, limit],
  );
  const doomed = rows.filter((r) => r.received_at < cutoffs.deliveredBefore && r.refs === 0).map((r) => r.seq);
  if (doomed.length > 0) await db.run(`DELETE FROM events WHERE seq IN ${placeholders(doomed.length)}`, doomed);
  const last = rows.at(-1);
  const done = last === undefined || last.received_at >= cutoffs.deliveredBefore;
  return { deleted: doomed.length, nextSeq: done ? null : last.seq };
}

export const maintenanceOps = { purgeDeliveries, purgeAttempts, purgeEvents };
