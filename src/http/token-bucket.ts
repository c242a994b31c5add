// Token buckets for request rate limits, as pure functions over an explicit clock reading, and a
// bounded map of buckets per key. A bucket holds up to `burst` tokens and refills at
// `ratePerSecond`; a request takes one token or is refused. The numbers it reports are the
// ones the RateLimit-* headers carry, so the headers are exact rather than estimated.

export interface BucketLimit {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket capacity: how many requests may arrive at once after a quiet second. */
  burst: number;
}

export interface BucketState {
  tokens: number;
  /** Clock reading (ms) at which `tokens` was computed. */
  at: number;
}

export interface Decision {
  allowed: boolean;
  /** The bucket's capacity (RateLimit-Limit). */
  limit: number;
  /** Whole requests still allowed right now (RateLimit-Remaining). */
  remaining: number;
  /** Seconds until the bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds until the next request would be allowed; 0 when allowed (Retry-After). */
  retryAfterSeconds: number;
}

const EPSILON = 1e-9;

/** One second's worth of requests, and at least one, so fractional rates (0.5/s) still admit. */
export function limitFor(ratePerSecond: number): BucketLimit {
  return { ratePerSecond, burst: Math.max(1, Math.floor(ratePerSecond)) };
}

/** The bucket refilled up to `now` (never beyond capacity; a clock that steps back adds nothing). */
export function refill(state: BucketState | undefined, limit: BucketLimit, now: number): BucketState {
  if (state === undefined) return { tokens: limit.burst, at: now };
  const elapsed = Math.max(0, now - state.at);
  return { tokens: Math.min(limit.burst, state.tokens + (elapsed * limit.ratePerSecond) / 1000), at: Math.max(now, state.at) };
}

/** Takes one token if there is one; returns the new state and what to tell the client. */
export function take(state: BucketState | undefined, limit: BucketLimit, now: number): { state: BucketState; decision: Decision } {
  const current = refill(state, limit, now);
  // Refill is float arithmetic; EPSILON keeps "one token, give or take rounding" counting as one,
  // and keeps `remaining` consistent with `allowed`.
  const allowed = current.tokens + EPSILON >= 1;
  const next = allowed ? { tokens: current.tokens - 1, at: current.at } : current;
  // Seconds are whole in these headers; round up so a client that waits as told succeeds.
  const secondsUntil = (tokens: number): number => Math.max(0, Math.ceil((tokens - next.tokens) / limit.ratePerSecond - EPSILON));
  return {
    state: next,
    decision: {
      allowed,
      limit: limit.burst,
      remaining: Math.max(0, Math.floor(next.tokens + EPSILON)),
      resetSeconds: secondsUntil(limit.burst),
      retryAfterSeconds: allowed ? 0 : Math.max(1, secondsUntil(1)),
    },
  };
}

/**
 * Buckets per key (an API key id, a source id) with bounded memory. Entries are kept in
 * least-recently-used order; past `maxKeys` the least recently used is dropped. Dropping a
 * bucket can only be lenient (its key starts again with a full bucket), never stricter, so
 * eviction never wrongly refuses; and the least recently used bucket is the one most likely to
 * have refilled already, which makes dropping it the same as keeping it.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly maxKeys = 100_000) {}

  take(key: string, limit: BucketLimit, now: number): Decision {
    const before = this.buckets.get(key);
    const { state, decision } = take(before, limit, now);
    // Re-inserting moves the key to the end of the Map's order: the Map is its own LRU list.
    if (before !== undefined) this.buckets.delete(key);
    this.buckets.set(key, state);
    if (this.buckets.size > this.maxKeys) {
      // Each take adds at most one key, so dropping the least recently used one keeps the bound.
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    return decision;
  }

  get size(): number {
    return this.buckets.size;
  }
}
