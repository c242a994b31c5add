// Retry timing, as pure functions of the policy, the attempt count, the time and a random
// value in [0, 1): exponential from initialDelayMs, doubling, capped at maxDelayMs, with ±20 %
// jitter so that many deliveries failing together do not retry together.
import type { RetryPolicy } from '../store/records.js';

const JITTER = 0.2;
/** A Retry-After shorter than this is treated as this, so a server cannot make us spin. */
export const MIN_RETRY_AFTER_MS = 1000;

/** Delay before the retry that follows the `attempts`-th failed attempt (1-based). */
export function backoffDelayMs(policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>, attempts: number, random: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const base = Math.min(policy.initialDelayMs * 2 ** exponent, policy.maxDelayMs);
  const jittered = base * (1 - JITTER + 2 * JITTER * random);
  return Math.round(Math.min(jittered, policy.maxDelayMs));
}

/** Parses a Retry-After header (delta-seconds or HTTP-date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

export type RetryDecision = { kind: 'retry'; at: number } | { kind: 'failed'; reason: 'retries_exhausted' | 'no_retries' };

/**
 * What happens after a failed attempt: the next try time, or the failed queue once the next
 * try would fall after `maxDurationSeconds` since the first attempt. Retry-After is honoured
 * (at least 1 s, at most maxDelayMs).
 */
export function nextRetry(
  policy: RetryPolicy,
  input: { attempts: number; firstAttemptAt: number; now: number; retryAfterMs: number | null; random: number },
): RetryDecision {
  if (policy.maxDurationSeconds === 0) return { kind: 'failed', reason: 'no_retries' };
  const delay =
    input.retryAfterMs === null
      ? backoffDelayMs(policy, input.attempts, input.random)
      : Math.min(Math.max(input.retryAfterMs, MIN_RETRY_AFTER_MS), policy.maxDelayMs);
  const at = input.now + delay;
  const deadline = input.firstAttemptAt + policy.maxDurationSeconds * 1000;
  return at > deadline ? { kind: 'failed', reason: 'retries_exhausted' } : { kind: 'retry', at };
}

/** True once a delivery that has been tried is past its retry window (held time counts). */
export function retryWindowOver(policy: RetryPolicy, firstAttemptAt: number | null, now: number): boolean {
  return firstAttemptAt !== null && now > firstAttemptAt + policy.maxDurationSeconds * 1000;
}
