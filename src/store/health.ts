// Figures for an endpoint's health view: attempt outcomes and latency over recent windows,
// the webhook's queue by state, and the head a FIFO webhook is waiting on.
import { seqId } from '../ids.js';
import { oldestOpen } from './claim.js';
import { deliveriesIn, type SqlExecutor } from './db.js';

export interface WindowStats {
  attempts: number;
  successes: number;
  /** Durations of the most recent attempts in the window (at most SAMPLE), for percentiles. */
  durations: number[];
}

const SAMPLE = 10_000;

export async function attemptWindow(db: SqlExecutor, webhookId: string, since: number): Promise<WindowStats> {
  const agg = await db.get<{ n: number; ok: number | null }>(
    "SELECT COUNT(*) AS n, SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) AS ok FROM attempts WHERE webhook_id = ? AND started_at >= ?",
    [webhookId, since],
  );
  const rows = await db.all<{ duration_ms: number }>(
    'SELECT duration_ms FROM attempts WHERE webhook_id = ? AND started_at >= ? ORDER BY started_at DESC LIMIT ?',
    [webhookId, since, SAMPLE],
  );
  return { attempts: agg?.n ?? 0, successes: agg?.ok ?? 0, durations: rows.map((r) => r.duration_ms) };
}

export async function webhookQueue(db: SqlExecutor, webhookId: string): Promise<{ pending: number; retrying: number; delivering: number; failed: number }> {
  const count = async (state: 'pending' | 'retrying' | 'delivering' | 'failed'): Promise<number> =>
    // The state is a literal (not a parameter) so SQLite can match the partial index.
    (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${deliveriesIn(db, state)} WHERE webhook_id = ? AND state = '${state}'`, [webhookId]))?.n ?? 0;
  return { pending: await count('pending'), retrying: await count('retrying'), delivering: await count('delivering'), failed: await count('failed') };
}

export interface FifoHead {
  deliveryId: string;
  state: string;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
}

/** The oldest undelivered delivery of a webhook (what a FIFO webhook must finish first). */
export async function fifoHead(db: SqlExecutor, webhookId: string): Promise<FifoHead | null> {
  const head = await oldestOpen(db, webhookId);
  if (head === undefined) return null;
  const row = await db.get<{ last_error: string | null }>('SELECT last_error FROM deliveries WHERE seq = ?', [head.seq]);
  return { deliveryId: seqId('delivery', head.seq), state: head.state, attempts: head.attempts, nextAttemptAt: head.next_attempt_at, lastError: row?.last_error ?? null };
}

export const healthOps = { attemptWindow, webhookQueue, fifoHead };
