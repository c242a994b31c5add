// The overview's figures, from the store's aggregates: per-minute throughput by outcome and
// latency percentiles (estimated from the latency histogram, like Prometheus histograms),
// summaries over recent windows, and the queue. Cached for a few seconds per tenant scope so
// several open dashboards polling at once cost the database one query set.
import type { Runtime } from '../runtime.js';
import type { Scope } from '../store/records.js';
import { LATENCY_BOUNDS_MS, type AttemptSeries, type QueueDepth } from '../store/stats.js';

export const CHART_MINUTES = 30;
const MAX_ATTEMPT_ROWS = 200_000;
const QUEUE_COUNT_CAP = 100_000;
const CACHE_MS = 4000;

export interface MinutePoint {
  /** Start of the minute, epoch ms. */
  at: number;
  delivered: number;
  httpError: number;
  noResponse: number;
  p50: number | null;
  p99: number | null;
}

export interface WindowSummary {
  label: string;
  attempts: number;
  successRate: number | null;
  p50: number | null;
  p99: number | null;
}

export interface Overview {
  now: number;
  minutes: MinutePoint[];
  windows: WindowSummary[];
  queue: QueueDepth;
  /** The attempt window held more rows than were counted. */
  sampled: boolean;
}

/** The latency at quantile `q` (0..1), interpolated inside its histogram bucket. */
export function quantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && seen + n >= target) {
      const lower = i === 0 ? 0 : (LATENCY_BOUNDS_MS[i - 1] ?? 0);
      const upper = LATENCY_BOUNDS_MS[i] ?? lower;
      return Math.round(lower + (upper - lower) * Math.min(1, Math.max(0, (target - seen) / n)));
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS.at(-1) ?? null;
}

const emptyHistogram = (): number[] => new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);

export function summarize(series: AttemptSeries, now: number): Pick<Overview, 'minutes' | 'windows'> {
  const current = Math.floor(now / 60_000);
  const first = current - CHART_MINUTES + 1;
  const points = Array.from({ length: CHART_MINUTES }, () => ({ delivered: 0, httpError: 0, noResponse: 0, histogram: emptyHistogram() }));
  const windows = [
    { label: 'last 5 min', from: current - 4, attempts: 0, ok: 0, histogram: emptyHistogram() },
    { label: `last ${CHART_MINUTES} min`, from: first, attempts: 0, ok: 0, histogram: emptyHistogram() },
  ];
  for (const c of series.cells) {
    const p = points[c.minute - first];
    if (p === undefined) continue;
    if (c.outcome === 'success') p.delivered += c.deliveries;
    else if (c.noResponse) p.noResponse += c.deliveries;
    else p.httpError += c.deliveries;
    p.histogram[c.bucket] = (p.histogram[c.bucket] ?? 0) + c.attempts;
    for (const w of windows) {
      if (c.minute < w.from) continue;
      w.attempts += c.attempts;
      if (c.outcome === 'success') w.ok += c.attempts;
      w.histogram[c.bucket] = (w.histogram[c.bucket] ?? 0) + c.attempts;
    }
  }
  return {
    minutes: points.map((p, i) => ({ at: (first + i) * 60_000, delivered: p.delivered, httpError: p.httpError, noResponse: p.noResponse, p50: quantile(p.histogram, 0.5), p99: quantile(p.histogram, 0.99) })),
    windows: windows.map((w) => ({ label: w.label, attempts: w.attempts, successRate: w.attempts === 0 ? null : w.ok / w.attempts, p50: quantile(w.histogram, 0.5), p99: quantile(w.histogram, 0.99) })),
  };
}

export class OverviewSource {
  private readonly cache = new Map<string, { at: number; value: Promise<Overview> }>();

  constructor(private readonly rt: Runtime) {}

  get(scope: Scope): Promise<Overview> {
    const key = scope.tenantId ?? '*';
    const now = this.rt.clock.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && now - hit.at < CACHE_MS) return hit.value;
    if (this.cache.size > 1000) this.cache.clear();
    const value = this.load(scope, now);
    this.cache.set(key, { at: now, value });
    // A failed load is not cached: the next poll tries again.
    value.catch(() => this.cache.delete(key));
    return value;
  }

  private async load(scope: Scope, now: number): Promise<Overview> {
    const since = (Math.floor(now / 60_000) - CHART_MINUTES + 1) * 60_000;
    const series = await this.rt.store.stats.attemptSeries(scope, since, now + 60_000, MAX_ATTEMPT_ROWS);
    const queue = await this.rt.store.stats.queueDepth(scope, now, QUEUE_COUNT_CAP);
    return { now, ...summarize(series, now), queue, sampled: series.truncated };
  }
}
