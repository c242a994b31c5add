import type { SqlExecutor } from './db.js';
import { chunks, placeholders, Where } from './db.js';
import { parseSeqId, seqId } from '../ids.js';
import { decodeCursor, toPage } from './page.js';
import { DELIVERY_STATES, type Attempt, type Delivery, type DeliveryFilter, type DeliveryState, type Page, type PageRequest, type Scope } from './records.js';

export interface DeliveryRow {
  seq: number;
  tenant_id: string;
  webhook_id: string;
  event_seq: number;
  event_id: string;
  event_type: string;
  state: DeliveryState;
  attempts: number;
  occurred_at: number;
  created_at: number;
  first_attempt_at: number | null;
  window_started_at: number | null;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
  failed_reason: string | null;
  batch_id: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

export const toDelivery = (r: DeliveryRow): Delivery => ({
  seq: r.seq,
  id: seqId('delivery', r.seq),
  tenantId: r.tenant_id,
  webhookId: r.webhook_id,
  eventSeq: r.event_seq,
  eventId: r.event_id,
  eventType: r.event_type,
  state: r.state,
  attempts: r.attempts,
  occurredAt: r.occurred_at,
  createdAt: r.created_at,
  firstAttemptAt: r.first_attempt_at,
  lastAttemptAt: r.last_attempt_at,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  failedReason: r.failed_reason,
  batchId: r.batch_id,
});

interface AttemptRow {
  seq: number;
  tenant_id: string;
  webhook_id: string;
  delivery_seq: number | null;
  batch_id: string | null;
  event_count: number;
  started_at: number;
  duration_ms: number;
  status: number | null;
  outcome: 'success' | 'failure';
  error: string | null;
  error_class: string | null;
  url: string;
  method: string;
  request_headers: string;
  response_headers: string | null;
  response_excerpt: string | null;
}

const toAttempt = (r: AttemptRow): Attempt => ({
  id: seqId('attempt', r.seq),
  tenantId: r.tenant_id,
  webhookId: r.webhook_id,
  deliveryId: r.delivery_seq === null ? null : seqId('delivery', r.delivery_seq),
  batchId: r.batch_id,
  eventCount: r.event_count,
  startedAt: r.started_at,
  durationMs: r.duration_ms,
  status: r.status,
  outcome: r.outcome,
  error: r.error,
  errorClass: r.error_class,
  url: r.url,
  method: r.method,
  requestHeaders: JSON.parse(r.request_headers) as Record<string, string>,
  responseHeaders: r.response_headers === null ? null : (JSON.parse(r.response_headers) as Record<string, string>),
  responseExcerpt: r.response_excerpt,
});

/** WHERE clauses for a delivery filter; the scope always applies. */
function filterClauses(scope: Scope, filter: DeliveryFilter): Where {
  const w = new Where()
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('tenant_id = ?', filter.tenantId)
    .when('webhook_id = ?', filter.webhookId);
  if (filter.eventId !== undefined) {
    // Through the events table, whose (tenant_id, id) index finds the event's seq.
    const tenantId = filter.tenantId ?? scope.tenantId;
    if (tenantId !== null) w.add('event_seq IN (SELECT seq FROM events WHERE tenant_id = ? AND id = ?)', tenantId, filter.eventId);
    else w.add('event_seq IN (SELECT seq FROM events WHERE id = ?)', filter.eventId);
  }
  w.when('event_type = ?', filter.eventType);
  // A literal state (from the closed list) lets SQLite use that state's partial index.
  if (filter.state !== undefined && DELIVERY_STATES.includes(filter.state)) w.add(`state = '${filter.state}'`);
  return w.when('created_at >= ?', filter.since).when('created_at < ?', filter.until);
}

export async function listDeliveries(db: SqlExecutor, scope: Scope, filter: DeliveryFilter, page: PageRequest): Promise<Page<Delivery>> {
  const w = filterClauses(scope, filter).when('seq < ?', decodeCursor(page.cursor, 'number'));
  const rows = await db.all<DeliveryRow>(`SELECT * FROM deliveries ${w.sql} ORDER BY seq DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toDelivery, (r) => r.seq);
}

export async function getDelivery(db: SqlExecutor, scope: Scope, id: string): Promise<Delivery | undefined> {
  const seq = parseSeqId('delivery', id);
  if (seq === null) return undefined;
  const row = await db.get<DeliveryRow>(
    scope.tenantId === null ? 'SELECT * FROM deliveries WHERE seq = ?' : 'SELECT * FROM deliveries WHERE seq = ? AND tenant_id = ?',
    scope.tenantId === null ? [seq] : [seq, scope.tenantId],
  );
  return row && toDelivery(row);
}

/** Attempts that carried this delivery: its own, and those of the batch it belongs to. */
export async function listAttempts(db: SqlExecutor, delivery: Pick<Delivery, 'seq' | 'batchId'>, limit = 100): Promise<Attempt[]> {
  const rows = await db.all<AttemptRow>(
    delivery.batchId === null
      ? 'SELECT * FROM attempts WHERE delivery_seq = ? ORDER BY seq DESC LIMIT ?'
      : 'SELECT * FROM attempts WHERE delivery_seq = ? OR batch_id = ? ORDER BY seq DESC LIMIT ?',
    delivery.batchId === null ? [delivery.seq, limit] : [delivery.seq, delivery.batchId, limit],
  );
  return rows.map(toAttempt);
}

export async function getAttempt(db: SqlExecutor, scope: Scope, id: string): Promise<Attempt | undefined> {
  const seq = parseSeqId('attempt', id);
  if (seq === null) return undefined;
  const row = await db.get<AttemptRow>(
    scope.tenantId === null ? 'SELECT * FROM attempts WHERE seq = ?' : 'SELECT * FROM attempts WHERE seq = ? AND tenant_id = ?',
    scope.tenantId === null ? [seq] : [seq, scope.tenantId],
  );
  return row && toAttempt(row);
}

const REQUEUEABLE: readonly DeliveryState[] = ['failed', 'canceled', 'delivered'];

/**
 * Puts deliveries back in the queue to be sent at `now`, as a fresh series of attempts (the
 * retry window restarts). A delivery that was part of a batch goes back with its batch id, so
 * the resend carries the same `webhook-id` and receivers can still deduplicate it. Returns how
 * many rows changed and which webhooks now have work.
 */
async function requeueRows(db: SqlExecutor, seqs: readonly number[], now: number): Promise<{ count: number; webhookIds: string[] }> {
  let count = 0;
  const webhookIds = new Set<string>();
  for (const part of chunks(seqs, 500)) {
    const rows = await db.all<{ webhook_id: string }>(
      `UPDATE deliveries SET state = CASE WHEN batch_id IS NULL THEN 'pending' ELSE 'retrying' END, next_attempt_at = ?,
         window_started_at = NULL, window_attempts = 0, failed_reason = NULL, delivered_at = NULL, lease_owner = NULL, lease_expires_at = NULL
       WHERE seq IN ${placeholders(part.length)} AND state IN ('failed', 'canceled', 'delivered')
       RETURNING webhook_id`,
      [now, ...part],
    );
    count += rows.length;
    for (const r of rows) webhookIds.add(r.webhook_id);
  }
  return { count, webhookIds: [...webhookIds] };
}

export async function requeueDelivery(
  db: SqlExecutor,
  scope: Scope,
  id: string,
  now: number,
): Promise<{ kind: 'requeued'; webhookId: string } | { kind: 'not_found' } | { kind: 'not_requeueable'; state: DeliveryState }> {
  const d = await getDelivery(db, scope, id);
  if (d === undefined) return { kind: 'not_found' };
  if (!REQUEUEABLE.includes(d.state)) return { kind: 'not_requeueable', state: d.state };
  await requeueRows(db, [d.seq], now);
  return { kind: 'requeued', webhookId: d.webhookId };
}

/**
 * Requeues up to `limit` deliveries matching the filter whose seq is below `beforeSeq`, newest
 * first. Callers loop with the returned `lastSeq` so one huge reprocessing request becomes many
 * short transactions that never hold the database for long.
 */
export async function requeueMatching(
  db: SqlExecutor,
  scope: Scope,
  filter: DeliveryFilter,
  beforeSeq: number | null,
  limit: number,
  now: number,
): Promise<{ count: number; scanned: number; lastSeq: number | null; webhookIds: string[] }> {
  const w = filterClauses(scope, { ...filter, state: filter.state ?? 'failed' }).when('seq < ?', beforeSeq ?? undefined);
  const rows = await db.all<{ seq: number }>(`SELECT seq FROM deliveries ${w.sql} ORDER BY seq DESC LIMIT ?`, [...w.params, limit]);
  const seqs = rows.map((r) => r.seq);
  const res = await requeueRows(db, seqs, now);
  return { ...res, scanned: seqs.length, lastSeq: seqs.at(-1) ?? null };
}

export async function countByState(db: SqlExecutor, scope: Scope): Promise<Record<DeliveryState, number>> {
  const rows = await db.all<{ state: DeliveryState; n: number }>(
    scope.tenantId === null
      ? 'SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state'
      : 'SELECT state, COUNT(*) AS n FROM deliveries WHERE tenant_id = ? GROUP BY state',
    scope.tenantId === null ? [] : [scope.tenantId],
  );
  const out: Record<DeliveryState, number> = { pending: 0, delivering: 0, retrying: 0, delivered: 0, failed: 0, canceled: 0 };
  for (const r of rows) out[r.state] = r.n;
  return out;
}

export const deliveryOps = { listDeliveries, getDelivery, listAttempts, getAttempt, requeueDelivery, requeueMatching, countByState };
