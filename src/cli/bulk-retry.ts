// Bulk retry with real progress. POST /deliveries/retry answers only with a final count, so
// the CLI first counts what matches (paging through GET /deliveries), then requeues in slices
// of creation time — each slice one bulk call whose answer is real progress. The slices are
// half-open [since, until) and adjacent, so together they cover the whole filter exactly once
// whatever the ties in creation time; the newest slice is open-ended, so deliveries that fail
// while this runs are requeued too (the total then grows past the count).
import { ApiError, type ApiClient } from './client.js';

export interface RetryFilter {
  state: 'failed' | 'canceled' | 'delivered';
  tenantId?: string;
  webhookId?: string;
  eventId?: string;
  eventType?: string;
  since?: string;
  until?: string;
}

export interface Slice {
  since: number | undefined;
  until: number | undefined;
}

/**
 * Splits creation times (any order) into adjacent half-open slices of about `size` each,
 * newest first, bounded by the filter's own since/until (undefined = open).
 */
export function planSlices(createdAts: readonly number[], size: number, since: number | undefined, until: number | undefined): Slice[] {
  const times = [...createdAts].sort((a, b) => b - a);
  const cuts: number[] = [];
  for (let i = size; i < times.length; i += size) {
    const t = times[i - 1];
    // A cut at t starts the slice that holds t; equal cuts would make empty slices.
    if (t !== undefined && t !== cuts.at(-1) && (since === undefined || t > since)) cuts.push(t);
  }
  const slices: Slice[] = [];
  let upper = until;
  for (const cut of cuts) {
    slices.push({ since: cut, until: upper });
    upper = cut;
  }
  slices.push({ since, until: upper });
  return slices;
}

export interface BulkRetryReport {
  counted: number;
  requeued: number;
  calls: number;
  /** False when the key cannot list deliveries, so there was one call and no progress. */
  progress: boolean;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export async function bulkRetry(
  client: ApiClient,
  filter: RetryFilter,
  onCounting: (counted: number) => void,
  onProgress: (requeued: number, total: number) => void,
): Promise<BulkRetryReport> {
  const createdAts: number[] = [];
  const query = { state: filter.state, tenantId: filter.tenantId, webhookId: filter.webhookId, eventId: filter.eventId, eventType: filter.eventType, since: filter.since, until: filter.until, limit: 1000 };
  try {
    for await (const page of client.pages<{ createdAt: string }>('/deliveries', query)) {
      for (const d of page) createdAts.push(Date.parse(d.createdAt));
      onCounting(createdAts.length);
    }
  } catch (err) {
    // A key with deliveries:retry but not deliveries:read can still retry, without progress.
    if (!(err instanceof ApiError && err.problem.status === 403)) throw err;
    const { requeued } = await client.post<{ requeued: number }>('/deliveries/retry', filter);
    onProgress(requeued, requeued);
    return { counted: requeued, requeued, calls: 1, progress: false };
  }
  const counted = createdAts.length;
  if (counted === 0) return { counted, requeued: 0, calls: 0, progress: true };
  const size = Math.max(1000, Math.ceil(counted / 50));
  const slices = planSlices(createdAts, size, filter.since === undefined ? undefined : Date.parse(filter.since), filter.until === undefined ? undefined : Date.parse(filter.until));
  let requeued = 0;
  onProgress(0, counted);
  for (const slice of slices) {
    const body = { ...filter, since: iso(slice.since), until: iso(slice.until) };
    const res = await client.post<{ requeued: number }>('/deliveries/retry', body);
    requeued += res.requeued;
    onProgress(requeued, Math.max(counted, requeued));
  }
  return { counted, requeued, calls: slices.length, progress: true };
}
