// Retry timing as pure functions: exponential backoff with ±20 % jitter capped at maxDelayMs,
// Retry-After parsing, the end of the retry window, and "no retries".
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RetryPolicy } from '../store/records.js';
import { backoffDelayMs, MIN_RETRY_AFTER_MS, nextRetry, parseRetryAfter, retryWindowOver, type RetryDecision } from './backoff.js';

const ALMOST_ONE = 0.999_999;
const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ initialDelayMs: 1000, maxDelayMs: 3_600_000, maxDurationSeconds: 86_400, ...over });

describe('backoffDelayMs', () => {
  test('doubles from initialDelayMs with each failed attempt (random 0.5 = no jitter)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy({ initialDelayMs: 5000 }), n, 0.5));
    assert.deepEqual(delays, [5000, 10_000, 20_000, 40_000, 80_000, 160_000]);
  });

  test('attempt counts below 1 use the initial delay', () => {
    assert.equal(backoffDelayMs(policy(), 0, 0.5), 1000);
    assert.equal(backoffDelayMs(policy(), -3, 0.5), 1000);
  });

  test('is capped at maxDelayMs, including after jitter and for huge attempt counts', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 5000 });
    assert.equal(backoffDelayMs(p, 3, 0.5), 4000);
    assert.equal(backoffDelayMs(p, 4, 0.5), 5000);
    assert.equal(backoffDelayMs(p, 10, ALMOST_ONE), 5000, 'upward jitter never exceeds the cap');
    assert.equal(backoffDelayMs(p, 10_000, 0.5), 5000, 'no overflow to Infinity/NaN');
    assert.equal(backoffDelayMs(p, 10, 0), 4000, 'downward jitter still applies at the cap');
  });

  test('jitter stays within ±20 %: random 0 gives -20 %, random ~1 gives +20 %', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 10_000_000 });
    for (let n = 1; n <= 8; n++) {
      const base = 1000 * 2 ** (n - 1);
      assert.equal(backoffDelayMs(p, n, 0), Math.round(base * 0.8), `attempt ${n}, random 0`);
      const high = backoffDelayMs(p, n, ALMOST_ONE);
      assert.ok(high <= Math.round(base * 1.2) && high >= Math.round(base * 1.2) - 1, `attempt ${n}, random ~1: ${high} vs ${base * 1.2}`);
      for (const r of [0.1, 0.33, 0.5, 0.77, 0.9]) {
        const d = backoffDelayMs(p, n, r);
        assert.ok(d >= base * 0.8 && d <= base * 1.2, `attempt ${n}, random ${r}: ${d}`);
      }
    }
  });

  test('different random values spread retries apart', () => {
    const values = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelayMs(policy({ initialDelayMs: 10_000 }), 1, r)));
    assert.equal(values.size, 4);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 23, 10, 0, 0);

  test('delta-seconds become milliseconds', () => {
    assert.equal(parseRetryAfter('7', now), 7000);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
  });

  test('an HTTP-date becomes the time until then, never negative', () => {
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 10:05:00 GMT', now), 300_000);
    assert.equal(parseRetryAfter(new Date(now - 60_000).toUTCString(), now), 0);
  });

  test('absent or unparseable values give null', () => {
    assert.equal(parseRetryAfter(undefined, now), null);
    assert.equal(parseRetryAfter('soon', now), null);
    assert.equal(parseRetryAfter('', now), null);
  });
});

describe('nextRetry', () => {
  const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);

  test('schedules the next attempt after the backoff delay from now', () => {
    const d = nextRetry(policy({ initialDelayMs: 5000 }), { attempts: 3, firstAttemptAt: t0, now: t0 + 20_000, retryAfterMs: null, random: 0.5 });
    assert.deepEqual(d, { kind: 'retry', at: t0 + 20_000 + 20_000 });
  });

  test('fails once the next try would fall after maxDurationSeconds since the first attempt', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 1000, maxDurationSeconds: 10 });
    assert.deepEqual(nextRetry(p, { attempts: 5, firstAttemptAt: t0, now: t0 + 9000, retryAfterMs: null, random: 0.5 }), { kind: 'retry', at: t0 + 10_000 }, 'exactly at the deadline is still allowed');
    assert.deepEqual(nextRetry(p, { attempts: 5, firstAttemptAt: t0, now: t0 + 9001, retryAfterMs: null, random: 0.5 }), { kind: 'failed', reason: 'retries_exhausted' });
    assert.deepEqual(nextRetry(p, { attempts: 9, firstAttemptAt: t0, now: t0 + 60_000, retryAfterMs: null, random: 0.5 }), { kind: 'failed', reason: 'retries_exhausted' });
  });

  test('maxDurationSeconds 0 means no retries at all', () => {
    const p = policy({ maxDurationSeconds: 0 });
    assert.deepEqual(nextRetry(p, { attempts: 1, firstAttemptAt: t0, now: t0, retryAfterMs: null, random: 0.5 }), { kind: 'failed', reason: 'no_retries' });
    assert.deepEqual(nextRetry(p, { attempts: 1, firstAttemptAt: t0, now: t0, retryAfterMs: 1000, random: 0.5 }), { kind: 'failed', reason: 'no_retries' });
  });

  test('Retry-After replaces the backoff, at least MIN_RETRY_AFTER_MS and at most maxDelayMs', () => {
    const p = policy({ initialDelayMs: 5000, maxDelayMs: 60_000 });
    const at = (retryAfterMs: number): RetryDecision => nextRetry(p, { attempts: 1, firstAttemptAt: t0, now: t0, retryAfterMs, random: 0.5 });
    assert.deepEqual(at(7000), { kind: 'retry', at: t0 + 7000 });
    assert.deepEqual(at(10), { kind: 'retry', at: t0 + MIN_RETRY_AFTER_MS });
    assert.deepEqual(at(0), { kind: 'retry', at: t0 + MIN_RETRY_AFTER_MS });
    assert.deepEqual(at(3_600_000), { kind: 'retry', at: t0 + 60_000 });
  });

  test('a Retry-After that reaches past the window fails the delivery', () => {
    const p = policy({ maxDelayMs: 3_600_000, maxDurationSeconds: 60 });
    assert.deepEqual(nextRetry(p, { attempts: 1, firstAttemptAt: t0, now: t0, retryAfterMs: 120_000, random: 0.5 }), { kind: 'failed', reason: 'retries_exhausted' });
  });
});

describe('retryWindowOver', () => {
  const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);

  test('is false for a delivery never tried', () => {
    assert.equal(retryWindowOver(policy({ maxDurationSeconds: 0 }), null, t0 + 1e9), false);
  });

  test('turns true only after maxDurationSeconds since the first attempt', () => {
    const p = policy({ maxDurationSeconds: 60 });
    assert.equal(retryWindowOver(p, t0, t0 + 59_999), false);
    assert.equal(retryWindowOver(p, t0, t0 + 60_000), false);
    assert.equal(retryWindowOver(p, t0, t0 + 60_001), true);
  });

  test('with maxDurationSeconds 0 any later moment is over', () => {
    assert.equal(retryWindowOver(policy({ maxDurationSeconds: 0 }), t0, t0 + 1), true);
  });
});
