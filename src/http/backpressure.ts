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

/** A measurement that takes longer is abandoned (a hung connection must not pin the last value). */
const MEASURE_TIMEOUT_MS = 5000;
/** With no successful measurement for this long, the bound is not enforced: a stale count is no basis for refusing. */
const FAIL_OPEN_AFTER_MS = 30_000;

export class Backlog {
  private value: number | null = null;
  private valueAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private measuring: Promise<void> | null = null;

  constructor(
    /** Undelivered deliveries right now (pending + retrying + delivering). */
    private readonly measure: () => Promise<number>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxAgeMs = MEASURE_EVERY_MS,
  ) {}

  /**
   * The last measurement. Only the first call waits for one; later calls refresh it in the
   * background when it is older than maxAgeMs, and fail open (0) when no measurement has
   * succeeded for FAIL_OPEN_AFTER_MS — if the database cannot count, ingest finds out for itself.
   */
  async current(): Promise<number> {
    if (this.value === null) {
      await this.refresh();
      return this.value ?? 0;
    }
    const now = this.clock.now();
    if (now - this.attemptedAt >= this.maxAgeMs) void this.refresh();
    return now - this.valueAt > FAIL_OPEN_AFTER_MS ? 0 : this.value;
  }

  private refresh(): Promise<void> {
    // Single-flight: concurrent requests share one measurement.
    if (this.measuring !== null) return this.measuring;
    this.attemptedAt = this.clock.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${MEASURE_TIMEOUT_MS} ms`)), MEASURE_TIMEOUT_MS);
      timer.unref();
    });
    this.measuring = Promise.race([this.measure(), timeout])
      .then(
        (n) => {
          this.value = n;
          this.valueAt = this.clock.now();
        },
        (err: unknown) => {
          this.log.warn({ err }, 'could not measure the delivery backlog');
        },
      )
      .finally(() => {
        clearTimeout(timer);
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
