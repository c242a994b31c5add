import type { SqlExecutor } from './db.js';
import { placeholders } from './db.js';
import type { CircuitState, EndpointState } from './records.js';

interface StateRow {
  webhook_id: string;
  tenant_id: string;
  due_at: number | null;
  effective_concurrency: number;
  tokens: number;
  tokens_at: number;
  paused_until: number | null;
  circuit: CircuitState;
  circuit_opened_at: number | null;
  next_probe_at: number | null;
  probe_count: number;
  consecutive_failures: number;
  failing_since: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_status: number | null;
  last_error: string | null;
  decreased_at: number | null;
}

const toState = (r: StateRow): EndpointState => ({
  webhookId: r.webhook_id,
  tenantId: r.tenant_id,
  dueAt: r.due_at,
  effectiveConcurrency: r.effective_concurrency,
  tokens: r.tokens,
  tokensAt: r.tokens_at,
  pausedUntil: r.paused_until,
  circuit: r.circuit,
  circuitOpenedAt: r.circuit_opened_at,
  nextProbeAt: r.next_probe_at,
  probeCount: r.probe_count,
  consecutiveFailures: r.consecutive_failures,
  failingSince: r.failing_since,
  lastSuccessAt: r.last_success_at,
  lastFailureAt: r.last_failure_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  decreasedAt: r.decreased_at,
});

/** ` FOR UPDATE` on PostgreSQL; SQLite transactions already hold the database's write lock. */
export const forUpdate = (db: SqlExecutor): string => (db.dialect === 'postgres' ? ' FOR UPDATE' : '');
export const skipLocked = (db: SqlExecutor): string => (db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '');

/** Loads endpoint states, locking them for the rest of the transaction when `lock` is set. */
export async function loadEndpointStates(db: SqlExecutor, webhookIds: readonly string[], lock: boolean): Promise<Map<string, EndpointState>> {
  const out = new Map<string, EndpointState>();
  if (webhookIds.length === 0) return out;
  // Sorted, so two transactions locking overlapping sets take the locks in the same order.
  const ids = [...new Set(webhookIds)].sort();
  const rows = await db.all<StateRow>(
    `SELECT * FROM webhook_state WHERE webhook_id IN ${placeholders(ids.length)} ORDER BY webhook_id${lock ? forUpdate(db) : ''}`,
    ids,
  );
  for (const r of rows) out.set(r.webhook_id, toState(r));
  return out;
}

export async function saveEndpointState(db: SqlExecutor, s: EndpointState): Promise<void> {
  await db.run(
    `UPDATE webhook_state SET due_at = ?, effective_concurrency = ?, tokens = ?, tokens_at = ?, paused_until = ?, circuit = ?,
       circuit_opened_at = ?, next_probe_at = ?, probe_count = ?, consecutive_failures = ?, failing_since = ?,
       last_success_at = ?, last_failure_at = ?, last_status = ?, last_error = ?, decreased_at = ?
     WHERE webhook_id = ?`,
    [
      s.dueAt, s.effectiveConcurrency, s.tokens, s.tokensAt, s.pausedUntil, s.circuit, s.circuitOpenedAt, s.nextProbeAt,
      s.probeCount, s.consecutiveFailures, s.failingSince, s.lastSuccessAt, s.lastFailureAt, s.lastStatus, s.lastError,
      s.decreasedAt, s.webhookId,
    ],
  );
}

/**
 * Lowers the due time of webhooks that just got work. The row is always written (not only when
 * the value changes) so the update takes the row lock on PostgreSQL: a concurrent claim that is
 * about to clear `due_at` either runs first, or waits and then sees the new deliveries.
 */
export async function bumpDue(db: SqlExecutor, webhookIds: readonly string[], at: number): Promise<void> {
  const ids = [...new Set(webhookIds)].sort();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    // PostgreSQL locks an UPDATE's rows in scan order, not list order; lock them sorted first, as
    // every other transaction that takes several of these rows does, so they cannot deadlock.
    if (db.dialect === 'postgres') await db.all(`SELECT webhook_id FROM webhook_state WHERE webhook_id IN ${placeholders(part.length)} ORDER BY webhook_id FOR UPDATE`, part);
    await db.run(
      `UPDATE webhook_state SET due_at = CASE WHEN due_at IS NULL OR due_at > ? THEN ? ELSE due_at END
       WHERE webhook_id IN ${placeholders(part.length)}`,
      [at, at, ...part],
    );
  }
}

export interface DueWebhook {
  webhookId: string;
  tenantId: string;
  dueAt: number;
}

export async function dueWebhooks(db: SqlExecutor, until: number, limit: number): Promise<DueWebhook[]> {
  const rows = await db.all<{ webhook_id: string; tenant_id: string; due_at: number }>(
    'SELECT webhook_id, tenant_id, due_at FROM webhook_state WHERE due_at <= ? ORDER BY due_at LIMIT ?',
    [until, limit],
  );
  return rows.map((r) => ({ webhookId: r.webhook_id, tenantId: r.tenant_id, dueAt: r.due_at }));
}

export async function getEndpointState(db: SqlExecutor, webhookId: string): Promise<EndpointState | undefined> {
  return (await loadEndpointStates(db, [webhookId], false)).get(webhookId);
}
