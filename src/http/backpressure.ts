// Ingest back-pressure: while more deliveries are owed than HOOKRELAY_MAX_BACKLOG, ingest
// answers 503 with Retry-After instead of letting the queue (and the database) grow without
// bound. The backlog is measured with the queue's partial-index counts, at most once every
// MEASURE_EVERY_MS per node and off the request path: requests read the last measurement, so a
// busy ingest endpoint never pays for a count, and never waits for one after the first.
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export const MEASURE_EVERY_MS = 2000;
/**
 * What a refused client is told to wait. A backlog large enough to trip the bound takes
 * minutes to drain, so a shorter hint only multiplies refused requests; a longer one keeps
 * clients away after the backlog has already drained.
 */
export const BACKPRESSURE_RETRY_AFTER_SECONDS = 10;

export class Backlog {
  private value: number | null = null;
  private measuredAt = Number.NEGATIVE_INFINITY;
  private measuring: Promise<void> | null = null;

  constructor(
    /** Undelivered deliveries right now (pending + retrying + delivering). */
    private readonly measure: () => Promise<number>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxAgeMs = MEASURE_EVERY_MS,
  ) {}

  /** The last measurement; the first call waits for one, later calls refresh it in the background when stale. */
  async current(): Promise<number> {
    if (this.value === null) {
      await this.refresh();
      return this.value ?? 0;
    }
    if (this.clock.now() - this.measuredAt >= this.maxAgeMs) void this.refresh();
    return this.value;
  }

  private refresh(): Promise<void> {
    // Single-flight: concurrent requests share one measurement.
    this.measuring ??= this.measure()
      .then(
        (n) => {
          this.value = n;
        },
        (err: unknown) => {
          // Fail open: if the database cannot count, ingest will find out for itself.
          this.log.warn({ err }, 'could not measure the delivery backlog');
        },
      )
      .finally(() => {
        this.measuredAt = this.clock.now();
        this.measuring = null;
      });
    return this.measuring;
  }
}

/** Throws the 503 problem when the backlog is over `maxBacklog` (0 = unbounded). */
export async function checkBackpressure(backlog: Backlog, maxBacklog: number): Promise<void> {
  if (maxBacklog === 0) return;
  const n = await backlog.current();
  if (n <= maxBacklog) return;
  // The numbers stay out of the answer: inbound callers are third parties, and the size of the
  // queue is the operator's business (it is in /metrics).
  throw new AppError(
    'backpressure',
    `The delivery backlog is over its bound (HOOKRELAY_MAX_BACKLOG); nothing was stored. Retry after ${BACKPRESSURE_RETRY_AFTER_SECONDS} seconds.`,
    { headers: { 'retry-after': String(BACKPRESSURE_RETRY_AFTER_SECONDS) } },
  );

}
