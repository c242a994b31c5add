// Endpoint health after each attempt (applyAttempt): consecutive failures, the circuit
// breaker and its probes, Retry-After pauses, AIMD on throttling, and disabling a webhook.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointState } from '../store/records.js';
import { applyAttempt, resetHealth, type AttemptResult, type HealthPolicy } from './circuit.js';

const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);
const HOUR = 3_600_000;

function endpointState(over: Partial<EndpointState> = {}): EndpointState {
  return {
    webhookId: 'wh_1', tenantId: 'acme', dueAt: null, effectiveConcurrency: 10, tokens: 0, tokensAt: 0, pausedUntil: null,
    circuit: 'closed', circuitOpenedAt: null, nextProbeAt: null, probeCount: 0, consecutiveFailures: 0, failingSince: null,
    lastSuccessAt: null, lastFailureAt: null, lastStatus: null, lastError: null, decreasedAt: null, ...over,
  };
}
const policy: HealthPolicy = { maxConcurrency: 10, failureThreshold: 3, autoDisableAfterHours: 24, probeInitialDelayMs: 1000, probeMaxDelayMs: 8000 };
const ok = (at: number, status = 200): AttemptResult => ({ at, ok: true, status, error: null, retryAfterMs: null });
const fail = (at: number, status: number | null = 500, retryAfterMs: number | null = null): AttemptResult => ({
  at, ok: false, status, error: status === null ? 'connection refused' : `HTTP ${status}`, retryAfterMs,
});

describe('applyAttempt', () => {
  test('a success resets the failure streak and raises the adaptive limit (additively after a throttle)', () => {
    const prev = endpointState({ consecutiveFailures: 2, failingSince: NOW - 5000, lastError: 'HTTP 500', effectiveConcurrency: 4, decreasedAt: NOW - HOUR });
    const { state, signals } = applyAttempt(prev, ok(NOW), policy, 0.5);
    assert.deepEqual(signals, []);
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(state.failingSince, null);
    assert.equal(state.lastSuccessAt, NOW);
    assert.equal(state.lastError, null);
    assert.equal(state.lastStatus, 200);
    assert.equal(state.effectiveConcurrency, 4.25);
    assert.equal(state.circuit, 'closed');
    assert.equal(prev.consecutiveFailures, 2, 'the input is not mutated');
    assert.equal(applyAttempt({ ...prev, decreasedAt: null }, ok(NOW), policy, 0.5).state.effectiveConcurrency, 5, 'in slow start (no throttle yet) a success adds one');
  });

  test('failures below the threshold are counted; the threshold-th opens the circuit with a probe time', () => {
    let s = endpointState();
    for (let i = 0; i < 2; i++) {
      const r = applyAttempt(s, fail(NOW + i * 1000), policy, 0.5);
      assert.deepEqual(r.signals, []);
      s = r.state;
    }
    assert.equal(s.circuit, 'closed');
    assert.equal(s.consecutiveFailures, 2);
    assert.equal(s.failingSince, NOW, 'failing since the first failure of the streak');
    assert.equal(s.lastFailureAt, NOW + 1000);
    assert.equal(s.lastError, 'HTTP 500');
    const at = NOW + 2000;
    const opened = applyAttempt(s, fail(at), policy, 0.5);
    assert.equal(opened.state.circuit, 'open');
    assert.equal(opened.state.circuitOpenedAt, at);
    assert.equal(opened.state.probeCount, 0);
    assert.equal(opened.state.nextProbeAt, at + 1000, 'first probe after probeInitialDelayMs');
    assert.deepEqual(opened.signals, [{ kind: 'circuit_opened', consecutiveFailures: 3, nextProbeAt: at + 1000 }]);
    assert.equal(applyAttempt(s, fail(at), policy, 0).state.nextProbeAt, at + 800, 'the probe time is jittered');
  });

  test('a failed probe keeps the circuit open and backs off, capped at probeMaxDelayMs', () => {
    let s = endpointState({ circuit: 'half_open', circuitOpenedAt: NOW - 1000, consecutiveFailures: 3, failingSince: NOW - 5000, nextProbeAt: NOW });
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = NOW + i * 60_000;
      const r = applyAttempt(s, fail(at), policy, 0.5);
      assert.deepEqual(r.signals, [], 'no new circuit_opened signal for a failed probe');
      assert.equal(r.state.circuit, 'open');
      assert.equal(r.state.probeCount, i + 1);
      gaps.push((r.state.nextProbeAt ?? 0) - at);
      s = { ...r.state, circuit: 'half_open' };
    }
    assert.deepEqual(gaps, [2000, 4000, 8000, 8000, 8000]);
    assert.equal(s.circuitOpenedAt, NOW - 1000, 'still the original opening time');
  });

  test('a successful probe closes the circuit and restarts the endpoint in slow start', () => {
    const s = endpointState({ circuit: 'half_open', circuitOpenedAt: NOW - 60_000, nextProbeAt: NOW - 1, probeCount: 3, consecutiveFailures: 12, failingSince: NOW - 60_000, decreasedAt: NOW - 30_000 });
    const { state, signals } = applyAttempt(s, ok(NOW), policy, 0.5);
    assert.deepEqual(signals, [{ kind: 'circuit_closed' }]);
    assert.equal(state.circuit, 'closed');
    assert.equal(state.circuitOpenedAt, null);
    assert.equal(state.nextProbeAt, null);
    assert.equal(state.probeCount, 0);
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(state.effectiveConcurrency, 1, 'back from an outage at INITIAL_CONCURRENCY, not maxConcurrency');
    assert.equal(state.decreasedAt, null, 'in slow start again');
  });

  test('429 and 503 with Retry-After pause the endpoint (capped), and halve its concurrency', () => {
    const r429 = applyAttempt(endpointState(), fail(NOW, 429, 7000), policy, 0.5).state;
    assert.equal(r429.pausedUntil, NOW + 7000);
    assert.equal(r429.effectiveConcurrency, 5);
    assert.equal(r429.decreasedAt, NOW);
    const r503 = applyAttempt(endpointState(), fail(NOW, 503, 3_600_000), policy, 0.5).state;
    assert.equal(r503.pausedUntil, NOW + 8000, 'a pause is capped at maxDelayMs');
    const longer = applyAttempt(endpointState({ pausedUntil: NOW + 60_000 }), fail(NOW, 429, 1000), policy, 0.5).state;
    assert.equal(longer.pausedUntil, NOW + 60_000, 'a shorter Retry-After does not cut a longer pause');
  });

  test('Retry-After on other statuses does not pause; 502/504 throttle without pausing', () => {
    const r500 = applyAttempt(endpointState(), fail(NOW, 500, 7000), policy, 0.5).state;
    assert.equal(r500.pausedUntil, null);
    assert.equal(r500.effectiveConcurrency, 10, '500 is not a throttling answer');
    const r502 = applyAttempt(endpointState(), fail(NOW, 502), policy, 0.5).state;
    assert.equal(r502.pausedUntil, null);
    assert.equal(r502.effectiveConcurrency, 5);
  });

  test('410 Gone disables the webhook at once', () => {
    const { signals } = applyAttempt(endpointState(), fail(NOW, 410), policy, 0.5);
    assert.deepEqual(signals, [{ kind: 'disable', reason: 'gone' }]);
  });

  test('failing without a success for autoDisableAfterHours disables it (failing)', () => {
    const almost = applyAttempt(endpointState({ consecutiveFailures: 1, failingSince: NOW - 24 * HOUR + 1 }), fail(NOW, null), { ...policy, failureThreshold: 1000 }, 0.5);
    assert.deepEqual(almost.signals, []);
    const over = applyAttempt(endpointState({ consecutiveFailures: 1, failingSince: NOW - 24 * HOUR }), fail(NOW, null), { ...policy, failureThreshold: 1000 }, 0.5);
    assert.deepEqual(over.signals, [{ kind: 'disable', reason: 'failing' }]);
    assert.equal(over.state.lastStatus, null);
    assert.equal(over.state.lastError, 'connection refused');
  });

  test('an attempt that was never sent (no token) changes nothing', () => {
    const prev = endpointState({ consecutiveFailures: 2, failingSince: NOW - 25 * HOUR, lastStatus: 500, effectiveConcurrency: 7 });
    const { state, signals } = applyAttempt(prev, { at: NOW, ok: false, status: null, error: 'token endpoint unreachable', retryAfterMs: null, notSent: true }, policy, 0.5);
    assert.deepEqual(signals, []);
    assert.deepEqual(state, prev);
  });
});

test('resetHealth gives a clean slate, in slow start, and keeps the rest', () => {
  const prev = endpointState({ circuit: 'open', circuitOpenedAt: NOW, nextProbeAt: NOW + 5000, probeCount: 4, consecutiveFailures: 30, failingSince: NOW - HOUR, pausedUntil: NOW + 1000, effectiveConcurrency: 1, decreasedAt: NOW, lastError: 'HTTP 503', tokens: 2 });
  const s = resetHealth(prev, 25);
  assert.deepEqual(s, { ...prev, circuit: 'closed', circuitOpenedAt: null, nextProbeAt: null, probeCount: 0, consecutiveFailures: 0, failingSince: null, pausedUntil: null, effectiveConcurrency: 1, decreasedAt: null });
});
