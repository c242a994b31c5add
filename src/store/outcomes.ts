// Recording what happened to requests, many at a time, in one transaction: the attempt rows,
// the deliveries' new states (only where this node still holds the lease), the endpoints'
// health (circuit.ts) and, when an endpoint answered 410 or kept failing, disabling its
// webhook and moving its outstanding deliveries to the failed queue. The dispatcher calls this
// with everything that finished during one turn of the event loop (group commit).
import { applyAttempt, type AttemptResult, type HealthPolicy, type HealthSignal } from '../dispatch/circuit.js';
import type { SqlExecutor, SqlValue } from './db.js';
import { seqId } from '../ids.js';
import { chunks, placeholders, toBool, valuesList } from './db.js';
import { loadEndpointStates, saveEndpointState } from './endpoint-state.js';
import type { Attempt } from './records.js';

export type RequestResult = { kind: 'delivered' } | { kind: 'retry'; at: number } | { kind: 'failed'; reason: string };

/** An attempt as the sender records it: before insert it has no id, and names its delivery by seq. */
export type NewAttempt = Omit<Attempt, 'id' | 'deliveryId'> & { deliverySeq: number | null };

export interface CompletedDelivery {
  seq: number;
  id: string;
  eventId: string;
  eventType: string;
  /** Attempts made before this one. */
  attempts: number;
}

export interface Completion {
  nodeId: string;
  attempt: NewAttempt;
  /** Earlier requests for the same deliveries in this round (a 401 before a token renewal): logged only. */
  extraAttempts: readonly NewAttempt[];
  deliveries: readonly CompletedDelivery[];
  result: RequestResult;
  health: AttemptResult;
  healthPolicy: HealthPolicy;
}

/** A delivery worth an operational event: it went to the failed queue, or made it after failing. */
export interface DeliveryNote {
  deliveryId: string;
  webhookId: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** Why it failed (failed notes only). */
  reason: string | null;
}

export interface CompletionReport {
  signals: { webhookId: string; tenantId: string; signal: HealthSignal }[];
  failed: DeliveryNote[];
  recovered: DeliveryNote[];
  disabled: { webhookId: string; tenantId: string; reason: string; failedCount: number }[];
  /** Deliveries whose lease this node had lost (another node took them over): not updated. */
  stale: number;
}

const DISABLE_REASONS: Record<'gone' | 'failing', string> = {
  gone: 'endpoint answered 410 Gone',
  failing: 'endpoint failed without a single success for longer than autoDisableAfterHours',
};

/** Inserts attempts; returns their ids, in order. */
export async function insertAttempts(db: SqlExecutor, attempts: readonly NewAttempt[]): Promise<string[]> {
  const ids: string[] = [];
  for (const part of chunks(attempts, 200)) {
    const params: SqlValue[] = [];
    for (const a of part) {
      params.push(
        a.tenantId, a.webhookId, a.deliverySeq, a.batchId, a.eventCount, a.startedAt, a.durationMs, a.status, a.outcome,
        a.error, a.errorClass, a.url, a.method, JSON.stringify(a.requestHeaders),
        a.responseHeaders === null ? null : JSON.stringify(a.responseHeaders), a.responseExcerpt,
      );
    }
    const rows = await db.all<{ seq: number }>(
      `INSERT INTO attempts (tenant_id, webhook_id, delivery_seq, batch_id, event_count, started_at, duration_ms, status, outcome,
         error, error_class, url, method, request_headers, response_headers, response_excerpt)
       VALUES ${valuesList(16, part.length)} RETURNING seq`,
      params,
    );
    // Rows come back in insertion order on both databases for a single multi-row INSERT.
    for (const r of rows.sort((a, b) => a.seq - b.seq)) ids.push(seqId('attempt', r.seq));
  }
  return ids;
}

const ROW = '(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT))';

/** A delivery's new state after a request: the same for every delivery the request carried. */
interface NewState {
  seqs: readonly number[];
  state: 'delivered' | 'retrying' | 'failed';
  attemptAt: number;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  status: number | null;
  error: string | null;
  failedReason: string | null;
  leaseOwner: string;
}

const SET_OUTCOME = `attempts = attempts + 1, window_attempts = window_attempts + 1, first_attempt_at = COALESCE(first_attempt_at, ?), window_started_at = COALESCE(window_started_at, ?),
  last_attempt_at = ?, next_attempt_at = ?, delivered_at = ?, last_status = ?, last_error = ?, failed_reason = ?, lease_owner = NULL, lease_expires_at = NULL`;

/**
 * Applies new delivery states, only where this node still holds the lease; returns how many
 * rows changed. PostgreSQL gets one UPDATE … FROM (VALUES …) per 500 rows (one round trip).
 * SQLite gets one `seq IN (…)` UPDATE per request: its planner turns a large VALUES join into
 * a scan of every in-flight row, while these are primary-key lookups.
 */
async function updateDeliveries(db: SqlExecutor, updates: readonly NewState[]): Promise<number> {
  let changed = 0;
  if (db.dialect === 'sqlite') {
    for (const u of updates) {
      for (const part of chunks(u.seqs, 500)) {
        const res = await db.run(
          `UPDATE deliveries SET state = ?, ${SET_OUTCOME} WHERE seq IN ${placeholders(part.length)} AND state = 'delivering' AND lease_owner = ?`,
          [u.state, u.attemptAt, u.attemptAt, u.attemptAt, u.nextAttemptAt, u.deliveredAt, u.status, u.error, u.failedReason, ...part, u.leaseOwner],
        );
        changed += res.changes;
      }
    }
    return changed;
  }
  const rows: SqlValue[][] = updates.flatMap((u) =>
    u.seqs.map((seq) => [seq, u.state, u.attemptAt, u.nextAttemptAt, u.deliveredAt, u.status, u.error, u.failedReason, u.leaseOwner]),
  );
  for (const part of chunks(rows, 500)) {
    const res = await db.run(
      `UPDATE deliveries SET
         state = v.column2,
         attempts = deliveries.attempts + 1,
         window_attempts = deliveries.window_attempts + 1,
         first_attempt_at = COALESCE(deliveries.first_attempt_at, v.column3),
         window_started_at = COALESCE(deliveries.window_started_at, v.column3),
         last_attempt_at = v.column3,
         next_attempt_at = v.column4,
         delivered_at = v.column5,
         last_status = v.column6,
         last_error = v.column7,
         failed_reason = v.column8,
         lease_owner = NULL,
         lease_expires_at = NULL
       FROM (VALUES ${part.map(() => ROW).join(', ')}) AS v
       WHERE deliveries.seq = v.column1 AND deliveries.state = 'delivering' AND deliveries.lease_owner = v.column9`,
      part.flat(),
    );
    changed += res.changes;
  }
  return changed;
}

export async function recordCompletions(db: SqlExecutor, completions: readonly Completion[], now: number, random: () => number): Promise<CompletionReport> {
  const report: CompletionReport = { signals: [], failed: [], recovered: [], disabled: [], stale: 0 };
  if (completions.length === 0) return report;
  const webhookIds = [...new Set(completions.map((c) => c.attempt.webhookId))].sort();

  // Health first: it decides whether a webhook is being disabled, which changes what its
  // retries become.
  const states = await loadEndpointStates(db, webhookIds, true);
  const enabledRows = await db.all<{ id: string; enabled: number }>(`SELECT id, enabled FROM webhooks WHERE id IN ${placeholders(webhookIds.length)}`, webhookIds);
  const enabled = new Map(enabledRows.map((r) => [r.id, toBool(r.enabled)]));
  const disabling = new Map<string, 'gone' | 'failing'>();
  const ordered = [...completions].sort((a, b) => a.attempt.startedAt + a.attempt.durationMs - (b.attempt.startedAt + b.attempt.durationMs));
  for (const c of ordered) {
    const current = states.get(c.attempt.webhookId);
    if (current === undefined) continue;
    const { state, signals } = applyAttempt(current, c.health, c.healthPolicy, random());
    states.set(c.attempt.webhookId, state);
    for (const signal of signals) {
      if (signal.kind === 'disable') {
        if (enabled.get(c.attempt.webhookId) === true && !disabling.has(c.attempt.webhookId)) disabling.set(c.attempt.webhookId, signal.reason);
      } else {
        report.signals.push({ webhookId: c.attempt.webhookId, tenantId: c.attempt.tenantId, signal });
      }
    }
  }

  await insertAttempts(db, completions.flatMap((c) => [...c.extraAttempts, c.attempt]));

  const updates: NewState[] = [];
  let expected = 0;
  for (const c of completions) {
    const webhookOff = enabled.get(c.attempt.webhookId) === false || disabling.has(c.attempt.webhookId);
    const result: RequestResult = c.result.kind === 'retry' && webhookOff ? { kind: 'failed', reason: 'webhook_disabled' } : c.result;
    const at = c.attempt.startedAt;
    expected += c.deliveries.length;
    updates.push({
      seqs: c.deliveries.map((d) => d.seq),
      state: result.kind === 'delivered' ? 'delivered' : result.kind === 'retry' ? 'retrying' : 'failed',
      attemptAt: at,
      nextAttemptAt: result.kind === 'retry' ? result.at : null,
      deliveredAt: result.kind === 'delivered' ? at + c.attempt.durationMs : null,
      status: c.attempt.status,
      error: c.attempt.error,
      failedReason: result.kind === 'failed' ? result.reason : null,
      leaseOwner: c.nodeId,
    });
    const note = (d: CompletedDelivery, reason: string | null): DeliveryNote => ({
      deliveryId: d.id, webhookId: c.attempt.webhookId, tenantId: c.attempt.tenantId, eventId: d.eventId, eventType: d.eventType,
      attempts: d.attempts + 1, lastStatus: c.attempt.status, lastError: c.attempt.error, reason,
    });
    if (result.kind === 'failed') for (const d of c.deliveries) report.failed.push(note(d, result.reason));
    if (result.kind === 'delivered') for (const d of c.deliveries) if (d.attempts > 0) report.recovered.push(note(d, null));
  }
  report.stale = expected - (await updateDeliveries(db, updates));

  for (const [webhookId, reason] of disabling) {
    const tenantId = states.get(webhookId)?.tenantId ?? '';
    await db.run(
      'UPDATE webhooks SET enabled = 0, disabled_reason = ?, disabled_at = ?, version = version + 1, updated_at = ? WHERE id = ?',
      [DISABLE_REASONS[reason], now, now, webhookId],
    );
    const res = await db.run(
      `UPDATE deliveries SET state = 'failed', failed_reason = 'webhook_disabled', next_attempt_at = NULL
       WHERE webhook_id = ? AND state IN ('pending', 'retrying')`,
      [webhookId],
    );
    report.disabled.push({ webhookId, tenantId, reason: DISABLE_REASONS[reason], failedCount: res.changes });
  }

  // Every webhook that finished something may have more to do now (a FIFO head moved, a slot
  // freed, a retry was scheduled): its next claim works out exactly what.
  for (const webhookId of webhookIds) {
    const s = states.get(webhookId);
    if (s === undefined) continue;
    const off = enabled.get(webhookId) === false || disabling.has(webhookId);
    await saveEndpointState(db, { ...s, dueAt: off ? null : Math.min(s.dueAt ?? now, now) });
  }
  return report;
}
