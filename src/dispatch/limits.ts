// How many requests a node may start for one webhook right now, as a pure function of the
// endpoint's shared state (webhook_state), its settings, the requests already in flight across
// all nodes, and the time. Order of checks: Retry-After pause, circuit, concurrency (FIFO = 1,
// else the adaptive limit), then the token bucket.
import type { EndpointState } from '../store/records.js';

export interface LimitPolicy {
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
  ordering: 'none' | 'fifo';
}

export type BlockReason = 'paused' | 'circuit_open' | 'probe_in_flight' | 'concurrency' | 'rate_limited' | 'disabled';

export type ClaimPlan =
  | { kind: 'claim'; requests: number; probe: boolean; tokens: number }
  | { kind: 'blocked'; reason: BlockReason; until: number | null };

/** Tokens available at `now`: refilled at `rate` per second up to one second's worth. */
export function refillTokens(tokens: number, tokensAt: number, rate: number, now: number): number {
  const capacity = Math.max(1, rate);
  return Math.min(capacity, tokens + (Math.max(0, now - tokensAt) / 1000) * rate);
}

/** The concurrency the endpoint may have right now. */
export function concurrencyLimit(state: Pick<EndpointState, 'effectiveConcurrency'>, policy: LimitPolicy): number {
  if (policy.ordering === 'fifo') return 1;
  return Math.max(1, Math.min(policy.maxConcurrency, Math.floor(state.effectiveConcurrency)));
}

export function planClaim(state: EndpointState, policy: LimitPolicy, inFlight: number, wanted: number, now: number): ClaimPlan {
  if (state.pausedUntil !== null && state.pausedUntil > now) return { kind: 'blocked', reason: 'paused', until: state.pausedUntil };

  let probe = false;
  if (state.circuit !== 'closed') {
    if (state.circuit === 'open' && state.nextProbeAt !== null && state.nextProbeAt > now) {
      return { kind: 'blocked', reason: 'circuit_open', until: state.nextProbeAt };
    }
    // Open and due for a probe, or half-open with its probe lost: one request, alone.
    if (inFlight > 0) return { kind: 'blocked', reason: 'probe_in_flight', until: null };
    probe = true;
  }

  const limit = probe ? 1 : concurrencyLimit(state, policy);
  const free = Math.min(limit - inFlight, wanted);
  if (free <= 0) return { kind: 'blocked', reason: 'concurrency', until: null };

  if (policy.rateLimitPerSecond === null) return { kind: 'claim', requests: free, probe, tokens: state.tokens };
  const rate = policy.rateLimitPerSecond;
  const tokens = refillTokens(state.tokens, state.tokensAt, rate, now);
  const allowed = Math.min(free, Math.floor(tokens));
  if (allowed <= 0) return { kind: 'blocked', reason: 'rate_limited', until: now + Math.ceil(((1 - tokens) / rate) * 1000) };
  return { kind: 'claim', requests: allowed, probe, tokens };
}

/** The bucket after `used` requests were started at `now` (tokens as returned by planClaim). */
export function consumeTokens(tokens: number, used: number): number {
  return Math.max(0, tokens - used);
}

// Adaptive concurrency, as in TCP congestion control. Slow start: an endpoint that has not
// proven itself (a new webhook, one re-enabled or recovered by hand, or one whose circuit just
// closed after an outage) starts with INITIAL_CONCURRENCY requests, and each success adds one
// (doubling per round of requests) up to maxConcurrency, so a dead endpoint ties up one
// connection instead of maxConcurrency, and a recovering one is not hit at full force. After
// the first throttling answer (decreasedAt set) growth is additive: each success adds 1/limit,
// about one per round. Throttling answers halve the limit at most once per
// DECREASE_INTERVAL_MS, so a burst of 429s from requests already in flight counts once.
export const INITIAL_CONCURRENCY = 1;
export const DECREASE_INTERVAL_MS = 1000;
export const THROTTLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The concurrency an endpoint starts from. */
export function initialConcurrency(maxConcurrency: number): number {
  return Math.min(maxConcurrency, INITIAL_CONCURRENCY);
}

export function aimdIncrease(effective: number, maxConcurrency: number, slowStart: boolean): number {
  if (slowStart) return Math.min(maxConcurrency, Math.floor(effective) + 1);
  return Math.min(maxConcurrency, effective + 1 / Math.max(1, Math.floor(effective)));
}

export function aimdDecrease(effective: number, decreasedAt: number | null, now: number): { effective: number; decreasedAt: number | null } {
  if (decreasedAt !== null && now - decreasedAt < DECREASE_INTERVAL_MS) return { effective, decreasedAt };
  return { effective: Math.max(1, Math.floor(effective / 2)), decreasedAt: now };
}
