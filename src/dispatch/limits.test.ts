// How many requests may start for one webhook: planClaim's order of checks (pause, circuit,
// concurrency, token bucket), the adaptive limit and AIMD.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointState } from '../store/records.js';
import {
  aimdDecrease,
  aimdIncrease,
  INITIAL_CONCURRENCY,
  initialConcurrency,
  concurrencyLimit,
  consumeTokens,
  DECREASE_INTERVAL_MS,
  planClaim,
  refillTokens,
  THROTTLE_STATUSES,
  type LimitPolicy,
} from './limits.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

function endpointState(over: Partial<EndpointState> = {}): EndpointState {
  return {
    webhookId: 'wh_1', tenantId: 'acme', dueAt: null, effectiveConcurrency: 10, tokens: 0, tokensAt: 0, pausedUntil: null,
    circuit: 'closed', circuitOpenedAt: null, nextProbeAt: null, probeCount: 0, consecutiveFailures: 0, failingSince: null,
    lastSuccessAt: null, lastFailureAt: null, lastStatus: null, lastError: null, decreasedAt: null, ...over,
  };
}
const policy = (over: Partial<LimitPolicy> = {}): LimitPolicy => ({ maxConcurrency: 10, rateLimitPerSecond: null, ordering: 'none', ...over });

describe('planClaim', () => {
  test('a healthy endpoint gets what is wanted, up to its free slots', () => {
    assert.deepEqual(planClaim(endpointState(), policy(), 0, 4, NOW), { kind: 'claim', requests: 4, probe: false, tokens: 0 });
    assert.deepEqual(planClaim(endpointState(), policy(), 7, 64, NOW), { kind: 'claim', requests: 3, probe: false, tokens: 0 });
    assert.deepEqual(planClaim(endpointState(), policy(), 10, 64, NOW), { kind: 'blocked', reason: 'concurrency', until: null });
  });

  test('a Retry-After pause blocks until it ends, and is checked first', () => {
    const paused = endpointState({ pausedUntil: NOW + 7000, circuit: 'open', nextProbeAt: NOW + 60_000 });
    assert.deepEqual(planClaim(paused, policy(), 0, 1, NOW), { kind: 'blocked', reason: 'paused', until: NOW + 7000 });
    assert.equal(planClaim(endpointState({ pausedUntil: NOW }), policy(), 0, 1, NOW).kind, 'claim', 'a pause ending now no longer blocks');
  });

  test('an open circuit blocks until its probe time', () => {
    const open = endpointState({ circuit: 'open', nextProbeAt: NOW + 5000 });
    assert.deepEqual(planClaim(open, policy(), 0, 10, NOW), { kind: 'blocked', reason: 'circuit_open', until: NOW + 5000 });
  });

  test('when the probe is due, exactly one request goes, alone', () => {
    const due = endpointState({ circuit: 'open', nextProbeAt: NOW });
    assert.deepEqual(planClaim(due, policy(), 0, 10, NOW), { kind: 'claim', requests: 1, probe: true, tokens: 0 });
    assert.deepEqual(planClaim(due, policy(), 1, 10, NOW), { kind: 'blocked', reason: 'probe_in_flight', until: null }, 'a straggler in flight holds the probe back');
  });

  test('half-open: the probe is in flight; if it was lost a new single probe may go', () => {
    const half = endpointState({ circuit: 'half_open', nextProbeAt: NOW - 1000 });
    assert.deepEqual(planClaim(half, policy(), 1, 10, NOW), { kind: 'blocked', reason: 'probe_in_flight', until: null });
    assert.deepEqual(planClaim(half, policy(), 0, 10, NOW), { kind: 'claim', requests: 1, probe: true, tokens: 0 });
  });

  test('FIFO ordering allows one request in flight whatever maxConcurrency says', () => {
    const fifo = policy({ ordering: 'fifo', maxConcurrency: 50 });
    assert.deepEqual(planClaim(endpointState({ effectiveConcurrency: 50 }), fifo, 0, 64, NOW), { kind: 'claim', requests: 1, probe: false, tokens: 0 });
    assert.deepEqual(planClaim(endpointState({ effectiveConcurrency: 50 }), fifo, 1, 64, NOW), { kind: 'blocked', reason: 'concurrency', until: null });
  });

  test('the adaptive limit (effectiveConcurrency, floored, at least 1, at most maxConcurrency) bounds the claim', () => {
    assert.equal(concurrencyLimit(endpointState({ effectiveConcurrency: 3.7 }), policy()), 3);
    assert.equal(concurrencyLimit(endpointState({ effectiveConcurrency: 0.4 }), policy()), 1);
    assert.equal(concurrencyLimit(endpointState({ effectiveConcurrency: 40 }), policy({ maxConcurrency: 10 })), 10);
    assert.deepEqual(planClaim(endpointState({ effectiveConcurrency: 3.7 }), policy(), 1, 64, NOW), { kind: 'claim', requests: 2, probe: false, tokens: 0 });
    assert.deepEqual(planClaim(endpointState({ effectiveConcurrency: 3.7 }), policy(), 3, 64, NOW), { kind: 'blocked', reason: 'concurrency', until: null });
  });

  test('the token bucket refills at the rate and caps the claim at whole tokens', () => {
    const p = policy({ rateLimitPerSecond: 5 });
    const full = planClaim(endpointState({ tokens: 0, tokensAt: NOW - 1000 }), p, 0, 64, NOW);
    assert.deepEqual(full, { kind: 'claim', requests: 5, probe: false, tokens: 5 });
    const partial = planClaim(endpointState({ tokens: 1, tokensAt: NOW - 500 }), p, 0, 64, NOW);
    assert.deepEqual(partial, { kind: 'claim', requests: 3, probe: false, tokens: 3.5 });
  });

  test('an empty bucket blocks until the next whole token, not longer', () => {
    const p = policy({ rateLimitPerSecond: 5 });
    assert.deepEqual(planClaim(endpointState({ tokens: 0, tokensAt: NOW - 100 }), p, 0, 64, NOW), { kind: 'blocked', reason: 'rate_limited', until: NOW + 100 });
    assert.deepEqual(planClaim(endpointState({ tokens: 0, tokensAt: NOW }), policy({ rateLimitPerSecond: 2 }), 0, 64, NOW), { kind: 'blocked', reason: 'rate_limited', until: NOW + 500 });
  });

  test('the bucket holds at most one second of tokens (and at least one)', () => {
    assert.equal(refillTokens(0, NOW - 60_000, 5, NOW), 5);
    assert.equal(refillTokens(0, NOW - 60_000, 0.5, NOW), 1);
    assert.equal(refillTokens(2, NOW + 1000, 5, NOW), 2, 'a clock going backwards adds nothing');
    assert.deepEqual(planClaim(endpointState({ tokens: 0, tokensAt: NOW - 60_000 }), policy({ rateLimitPerSecond: 5 }), 0, 64, NOW), { kind: 'claim', requests: 5, probe: false, tokens: 5 });
  });

  test('concurrency is checked before the bucket: no tokens are spent when no slot is free', () => {
    const s = endpointState({ effectiveConcurrency: 2, tokens: 5, tokensAt: NOW });
    assert.deepEqual(planClaim(s, policy({ rateLimitPerSecond: 5 }), 2, 64, NOW), { kind: 'blocked', reason: 'concurrency', until: null });
  });

  test('consumeTokens never goes negative', () => {
    assert.equal(consumeTokens(3.5, 3), 0.5);
    assert.equal(consumeTokens(1, 4), 0);
  });
});

describe('AIMD', () => {
  test('throttling statuses are 429, 502, 503 and 504', () => {
    assert.deepEqual([...THROTTLE_STATUSES].sort(), [429, 502, 503, 504]);
  });

  test('after a throttle, each success adds 1/floor(limit), so a full round of successes adds about one', () => {
    assert.equal(aimdIncrease(4, 10, false), 4.25);
    assert.equal(aimdIncrease(1, 10, false), 2);
    assert.equal(aimdIncrease(10, 10, false), 10);
    assert.equal(aimdIncrease(9.9, 10, false), 10, 'never above maxConcurrency');
    let e = 5;
    for (let i = 0; i < 5; i++) e = aimdIncrease(e, 100, false);
    assert.ok(Math.abs(e - 6) < 1e-9, `five successes at 5 give 6, got ${e}`);
  });

  test('slow start: an endpoint starts at INITIAL_CONCURRENCY and each success adds one, doubling per round', () => {
    assert.equal(INITIAL_CONCURRENCY, 1);
    assert.equal(initialConcurrency(10), 1);
    assert.equal(initialConcurrency(1), 1);
    let e = initialConcurrency(64);
    const rounds: number[] = [];
    // One round: as many requests as the limit allows, each one succeeding.
    while (e < 64) {
      const n = Math.floor(e);
      for (let i = 0; i < n; i++) e = aimdIncrease(e, 64, true);
      rounds.push(e);
    }
    assert.deepEqual(rounds, [2, 4, 8, 16, 32, 64]);
    assert.equal(aimdIncrease(64, 64, true), 64, 'never above maxConcurrency');
    assert.equal(aimdIncrease(2.5, 64, true), 3, 'from a fractional limit it moves to the next whole one');
  });

  test('a decrease halves the limit, at most once per DECREASE_INTERVAL_MS, never below 1', () => {
    assert.equal(DECREASE_INTERVAL_MS, 1000);
    const first = aimdDecrease(10, null, NOW);
    assert.deepEqual(first, { effective: 5, decreasedAt: NOW });
    assert.deepEqual(aimdDecrease(first.effective, first.decreasedAt, NOW + 999), { effective: 5, decreasedAt: NOW }, 'a burst of throttles counts once');
    assert.deepEqual(aimdDecrease(first.effective, first.decreasedAt, NOW + 1000), { effective: 2, decreasedAt: NOW + 1000 });
    assert.deepEqual(aimdDecrease(1, null, NOW), { effective: 1, decreasedAt: NOW });
    assert.deepEqual(aimdDecrease(7.9, null, NOW), { effective: 3, decreasedAt: NOW });
  });
});
