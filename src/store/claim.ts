// Claiming work for one webhook, in one transaction that holds the webhook's endpoint-state
// row: read the state, count requests in flight on every node, ask limits.ts how many more may
// start, pick the deliveries (retries that are due first, then fresh ones; FIFO webhooks only
// their head), form batches, lease the rows to this node, and write back the token bucket,
// the probe marker and the next due time. Because the state row is locked (PostgreSQL) or the
// whole database is (SQLite), concurrency, rate, circuit and FIFO limits hold across nodes.
import { retryWindowOver } from '../dispatch/backoff.js';
import { seqId } from '../ids.js';
import { concurrencyLimit, consumeTokens, planClaim, type BlockReason } from '../dispatch/limits.js';
import type { SqlExecutor } from './db.js';
import { deliveriesIn, placeholders } from './db.js';
import { bumpDue, forUpdate, loadEndpointStates, saveEndpointState, skipLocked } from './endpoint-state.js';
import { getEventsBySeq } from './events.js';
import type { EndpointState, EventPayload, Webhook } from './records.js';
import { toWebhook, type WebhookRow } from './webhooks.js';

export interface ClaimInput {
  webhookId: string;
  nodeId: string;
  now: number;
  /** Requests this node is willing to start for the webhook now. */
  maxRequests: number;
  /** Added to the webhook's timeout to make the lease. */
  leaseGraceMs: number;
  /** This node's requests for the webhook that already finished but are not recorded yet. */
  settled: number;
}

export interface ClaimedDelivery {
  seq: number;
  id: string;
  eventSeq: number;
  eventId: string;
  eventType: string;
  attempts: number;
  firstAttemptAt: number | null;
  windowStartedAt: number | null;
  /** Attempts in the current retry window (since creation or the last requeue): drives backoff. */
  windowAttempts: number;
  createdAt: number;
  batchId: string | null;
}

/** One HTTP request to make: a single delivery, or a batch (batchId set). */
export interface ClaimedRequest {
  batchId: string | null;
  deliveries: ClaimedDelivery[];
  probe: boolean;
}

export interface ClaimResult {
  webhook: Webhook | null;
  requests: ClaimedRequest[];
  events: Map<number, EventPayload>;
  /** When this webhook may next have claimable work (null: nothing known). */
  dueAt: number | null;
  blocked: BlockReason | null;
  /** Retries whose window ran out while they were held (circuit, pause, limits): now failed. */
  expired: ClaimedDelivery[];
  inFlight: number;
  /** The endpoint's current concurrency limit (adaptive; 1 for FIFO). */
  limit: number;
}

export interface CandidateRow {
  seq: number;
  event_seq: number;
  event_id: string;
  event_type: string;
  attempts: number;
  first_attempt_at: number | null;
  window_started_at: number | null;
  window_attempts: number;
  created_at: number;
  batch_id: string | null;
  state: string;
  next_attempt_at: number | null;
}

const COLUMNS =
  'seq, event_seq, event_id, event_type, attempts, first_attempt_at, window_started_at, window_attempts, created_at, batch_id, state, next_attempt_at';

const toClaimed = (r: CandidateRow): ClaimedDelivery => ({
  seq: r.seq,
  id: seqId('delivery', r.seq),
  eventSeq: r.event_seq,
  eventId: r.event_id,
  eventType: r.event_type,
  attempts: r.attempts,
  firstAttemptAt: r.first_attempt_at,
  windowStartedAt: r.window_started_at,
  windowAttempts: r.window_attempts,
  createdAt: r.created_at,
  batchId: r.batch_id,
});

// Parsed webhook settings, reused while the row's version is unchanged: claims are frequent.
const parsed = new Map<string, Webhook>();
function cachedWebhook(row: WebhookRow): Webhook {
  const key = `${row.id}:${row.version}:${row.updated_at}`;
  let w = parsed.get(key);
  if (w === undefined) {
    if (parsed.size > 10_000) parsed.clear();
    w = toWebhook(row);
    parsed.set(key, w);
  }
  return w;
}

export async function loadWebhookForDispatch(db: SqlExecutor, webhookId: string): Promise<Webhook | null> {
  const row = await db.get<WebhookRow>('SELECT * FROM webhooks WHERE id = ?', [webhookId]);
  return row === undefined ? null : cachedWebhook(row);
}

async function inFlightRequests(db: SqlExecutor, webhookId: string, now: number): Promise<number> {
  const row = await db.get<{ n: number }>(
    `SELECT COUNT(DISTINCT COALESCE(batch_id, CAST(seq AS TEXT))) AS n FROM ${deliveriesIn(db, 'delivering')}
     WHERE webhook_id = ? AND state = 'delivering' AND lease_expires_at > ?`,
    [webhookId, now],
  );
  return row?.n ?? 0;
}

async function lease(db: SqlExecutor, seqs: readonly number[], nodeId: string, until: number, batchId: string | null): Promise<void> {
  if (seqs.length === 0) return;
  for (let i = 0; i < seqs.length; i += 500) {
    const part = seqs.slice(i, i + 500);
    await db.run(
      `UPDATE deliveries SET state = 'delivering', lease_owner = ?, lease_expires_at = ?${batchId === null ? '' : ', batch_id = ?'}
       WHERE seq IN ${placeholders(part.length)}`,
      batchId === null ? [nodeId, until, ...part] : [nodeId, until, batchId, ...part],
    );
  }
}

interface FreshRow {
  seq: number;
  event_seq: number;
  event_id: string;
  event_type: string;
  attempts: number;
  first_attempt_at: number | null;
  created_at: number;
}

/**
 * Leases the oldest `limit` pending deliveries of a webhook and returns them, in one statement.
 * Pending rows start a retry window (never tried, or requeued), so its fields are fixed.
 */
async function leaseFresh(db: SqlExecutor, webhookId: string, limit: number, nodeId: string, until: number, batchId: string | null): Promise<ClaimedDelivery[]> {
  const rows = await db.all<FreshRow>(
    `UPDATE deliveries SET state = 'delivering', lease_owner = ?, lease_expires_at = ?${batchId === null ? '' : ', batch_id = ?'}
     WHERE seq IN (SELECT seq FROM ${deliveriesIn(db, 'pending')} WHERE webhook_id = ? AND state = 'pending' ORDER BY seq LIMIT ?${skipLocked(db)})
     RETURNING seq, event_seq, event_id, event_type, attempts, first_attempt_at, created_at`,
    batchId === null ? [nodeId, until, webhookId, limit] : [nodeId, until, batchId, webhookId, limit],
  );
  // RETURNING follows no particular order; FIFO and batches need creation order.
  return rows
    .sort((a, b) => a.seq - b.seq)
    .map((r) => ({
      seq: r.seq, id: seqId('delivery', r.seq), eventSeq: r.event_seq, eventId: r.event_id, eventType: r.event_type, attempts: r.attempts,
      firstAttemptAt: r.first_attempt_at, windowStartedAt: null, windowAttempts: 0, createdAt: r.created_at, batchId,
    }));
}

async function failExpired(db: SqlExecutor, rows: readonly ClaimedDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db.run(
    `UPDATE deliveries SET state = 'failed', failed_reason = 'retries_exhausted', next_attempt_at = NULL,
       last_error = COALESCE(last_error, 'retry window ended while the endpoint was held back')
     WHERE seq IN ${placeholders(rows.length)}`,
    rows.map((r) => r.seq),
  );
}

/** Earliest time a retrying row is due, if any. */
async function nextRetryDue(db: SqlExecutor, webhookId: string): Promise<number | null> {
  const row = await db.get<{ t: number | null }>(`SELECT MIN(next_attempt_at) AS t FROM ${deliveriesIn(db, 'retrying')} WHERE webhook_id = ? AND state = 'retrying'`, [webhookId]);
  return row?.t ?? null;
}

async function firstPending(db: SqlExecutor, webhookId: string): Promise<CandidateRow | undefined> {
  return db.get<CandidateRow>(`SELECT ${COLUMNS} FROM ${deliveriesIn(db, 'pending')} WHERE webhook_id = ? AND state = 'pending' ORDER BY seq LIMIT 1`, [webhookId]);
}

/** The oldest delivery of a webhook not yet finished, whatever its state (a FIFO head). */
export async function oldestOpen(db: SqlExecutor, webhookId: string): Promise<CandidateRow | undefined> {
  const heads = [
    await firstPending(db, webhookId),
    await db.get<CandidateRow>(`SELECT ${COLUMNS} FROM ${deliveriesIn(db, 'retrying')} WHERE webhook_id = ? AND state = 'retrying' ORDER BY seq LIMIT 1`, [webhookId]),
    await db.get<CandidateRow>(`SELECT ${COLUMNS} FROM ${deliveriesIn(db, 'delivering')} WHERE webhook_id = ? AND state = 'delivering' ORDER BY seq LIMIT 1`, [webhookId]),
  ];
  let head: CandidateRow | undefined;
  for (const h of heads) if (h !== undefined && (head === undefined || h.seq < head.seq)) head = h;
  return head;
}

const minTime = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

export async function claim(db: SqlExecutor, input: ClaimInput, newBatchId: () => string): Promise<ClaimResult> {
  const { webhookId, now } = input;
  const empty = (webhook: Webhook | null, dueAt: number | null, blocked: BlockReason | null): ClaimResult => ({
    webhook,
    requests: [],
    events: new Map(),
    dueAt,
    blocked,
    expired: [],
    inFlight: 0,
    limit: 1,
  });

  const state = (await loadEndpointStates(db, [webhookId], true)).get(webhookId);
  const webhook = await loadWebhookForDispatch(db, webhookId);
  if (state === undefined || webhook === null) return empty(null, null, null);
  if (!webhook.enabled) {
    await saveEndpointState(db, { ...state, dueAt: null });
    return empty(webhook, null, 'disabled');
  }

  const s = webhook.settings;
  const fifo = s.ordering === 'fifo';
  const batching = s.batch.maxEvents > 1;
  const inFlight = Math.max(0, (await inFlightRequests(db, webhookId, now)) - input.settled);
  const plan = planClaim(state, s, inFlight, input.maxRequests, now);
  const leaseUntil = now + s.timeoutMs + input.leaseGraceMs;

  const requests: ClaimedRequest[] = [];
  const expired: ClaimedDelivery[] = [];
  let batchWaitUntil: number | null = null;
  let headBlockedUntil: number | null = null;
  let fifoHeadWaiting = false;
  // What is known to remain after this claim, so the due time needs no extra queries:
  // null = not looked at; the earliest retry is re-read only when retries were taken.
  let pendingLeft: boolean | null = null;
  let retryMin = await nextRetryDue(db, webhookId);

  const takeRetries = async (max: number): Promise<void> => {
    if (max <= 0 || retryMin === null || retryMin > now) return;
    const rows = await db.all<CandidateRow>(
      `SELECT ${COLUMNS} FROM ${deliveriesIn(db, 'retrying')} WHERE webhook_id = ? AND state = 'retrying' AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ?${skipLocked(db)}`,
      [webhookId, now, max],
    );
    const batches = new Set<string>();
    for (const r of rows) {
      if (requests.length >= max) break;
      const d = toClaimed(r);
      if (retryWindowOver(s.retry, d.windowStartedAt, now)) {
        expired.push(d);
        continue;
      }
      if (d.batchId === null) {
        await lease(db, [d.seq], input.nodeId, leaseUntil, null);
        requests.push({ batchId: null, deliveries: [d], probe: plan.kind === 'claim' && plan.probe });
      } else if (!batches.has(d.batchId)) {
        batches.add(d.batchId);
        const members = (
          await db.all<CandidateRow>(`SELECT ${COLUMNS} FROM deliveries WHERE batch_id = ? AND state = 'retrying' ORDER BY seq${skipLocked(db)}`, [d.batchId])
        ).map(toClaimed);
        await lease(db, members.map((m) => m.seq), input.nodeId, leaseUntil, null);
        requests.push({ batchId: d.batchId, deliveries: members, probe: plan.kind === 'claim' && plan.probe });
      }
    }
    retryMin = await nextRetryDue(db, webhookId);
  };

  const takeFresh = async (max: number): Promise<void> => {
    const probe = plan.kind === 'claim' && plan.probe;
    while (requests.length < max) {
      if (!batching) {
        const want = max - requests.length;
        const rows = await leaseFresh(db, webhookId, want, input.nodeId, leaseUntil, null);
        // A full page means there may be more; a short one means none are left.
        pendingLeft = rows.length === want;
        for (const d of rows) requests.push({ batchId: null, deliveries: [d], probe });
        return;
      }
      // A batch goes when it is full or its oldest event has waited maxWaitMs: two index probes
      // decide that before anything is read or leased.
      const oldest = await firstPending(db, webhookId);
      pendingLeft = oldest !== undefined;
      if (oldest === undefined) return;
      const full = (await db.get(`SELECT seq FROM ${deliveriesIn(db, 'pending')} WHERE webhook_id = ? AND state = 'pending' ORDER BY seq LIMIT 1 OFFSET ?`, [webhookId, s.batch.maxEvents - 1])) !== undefined;
      if (!full && now < oldest.created_at + s.batch.maxWaitMs) {
        batchWaitUntil = oldest.created_at + s.batch.maxWaitMs;
        return;
      }
      const batchId = newBatchId();
      const rows = await leaseFresh(db, webhookId, s.batch.maxEvents, input.nodeId, leaseUntil, batchId);
      if (rows.length === 0) return;
      requests.push({ batchId, deliveries: rows, probe });
      pendingLeft = full;
      if (!full) return;
    }
  };

  if (plan.kind === 'claim') {
    if (fifo) {
      // The head is the oldest undelivered delivery; nothing behind it moves until it is done.
      // Retrying and in-flight rows of a FIFO webhook are few (the head or its batch), so these
      // lookups stay small however long the webhook's history is.
      const head = await oldestOpen(db, webhookId);
      if (head === undefined) {
        // nothing to send
      } else if (head.state === 'delivering') {
        fifoHeadWaiting = true; // its completion or lease expiry wakes the webhook again
      } else if (head.state === 'retrying' && (head.next_attempt_at ?? now) > now) {
        fifoHeadWaiting = true;
        headBlockedUntil = head.next_attempt_at;
      } else if (head.state === 'retrying') {
        await takeRetries(1);
      } else {
        await takeFresh(1);
      }
    } else {
      await takeRetries(plan.requests);
      await takeFresh(plan.requests);
    }
  }

  await failExpired(db, expired);

  // When to look at this webhook again.
  let dueAt: number | null;
  if (fifoHeadWaiting && plan.kind === 'claim') {
    dueAt = headBlockedUntil;
  } else {
    pendingLeft ??= (await firstPending(db, webhookId)) !== undefined;
    const known = minTime(pendingLeft ? (batchWaitUntil ?? now) : null, retryMin);
    dueAt = plan.kind === 'blocked' && known !== null && plan.until !== null ? Math.max(known, plan.until) : known;
  }

  const next: EndpointState = { ...state, dueAt };
  if (plan.kind === 'claim') {
    if (s.rateLimitPerSecond !== null) {
      next.tokens = consumeTokens(plan.tokens, requests.length);
      next.tokensAt = now;
    }
    if (plan.probe && requests.length > 0) next.circuit = 'half_open';
  }
  await saveEndpointState(db, next);

  const claimed = requests.flatMap((r) => r.deliveries);
  const events = claimed.length === 0 ? new Map<number, EventPayload>() : await getEventsBySeq(db, claimed.map((d) => d.eventSeq));
  return {
    webhook,
    requests,
    events,
    dueAt,
    blocked: plan.kind === 'blocked' ? plan.reason : null,
    expired,
    inFlight: inFlight + requests.length,
    limit: concurrencyLimit(state, s),
  };
}

export { bumpDue, forUpdate };
