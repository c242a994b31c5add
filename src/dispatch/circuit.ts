// Endpoint health after each attempt, as a pure function: consecutive failures, adaptive
// concurrency, Retry-After pauses, the circuit breaker and the reasons to disable a webhook.
//
//   closed ──(failureThreshold consecutive failures)──▶ open ──(nextProbeAt)──▶ half_open
//     ▲                                                   ▲                        │
//     └──────────────────(probe succeeds)─────────────────┼────────────────────────┤
//                                                         └──(probe fails: back off)┘
//
// While open, claims hold the webhook's deliveries (see limits.ts) and only one probe is sent
// when nextProbeAt passes; probes back off like retries.
import type { EndpointState } from '../store/records.js';
import { backoffDelayMs } from './backoff.js';
import { aimdDecrease, aimdIncrease, initialConcurrency, THROTTLE_STATUSES } from './limits.js';

export interface HealthPolicy {
  maxConcurrency: number;
  failureThreshold: number;
  autoDisableAfterHours: number;
  probeInitialDelayMs: number;
  probeMaxDelayMs: number;
}

export interface AttemptResult {
  at: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  retryAfterMs: number | null;
  /** True for a request whose auth could not be prepared (it never reached the endpoint). */
  notSent?: boolean;
}

export type HealthSignal =
  | { kind: 'circuit_opened'; consecutiveFailures: number; nextProbeAt: number }
  | { kind: 'circuit_closed' }
  | { kind: 'disable'; reason: 'gone' | 'failing' };

export function applyAttempt(
  prev: EndpointState,
  attempt: AttemptResult,
  policy: HealthPolicy,
  random: number,
): { state: EndpointState; signals: HealthSignal[] } {
  const s: EndpointState = { ...prev };
  const signals: HealthSignal[] = [];
  if (attempt.notSent === true) return { state: s, signals };
  s.lastStatus = attempt.status;

  if (attempt.ok) {
    s.consecutiveFailures = 0;
    s.failingSince = null;
    s.lastSuccessAt = attempt.at;
    s.lastError = null;
    // Slow start until the first throttling answer (see limits.ts).
    s.effectiveConcurrency = aimdIncrease(s.effectiveConcurrency, policy.maxConcurrency, s.decreasedAt === null);
    if (s.circuit !== 'closed') {
      s.circuit = 'closed';
      s.circuitOpenedAt = null;
      s.nextProbeAt = null;
      s.probeCount = 0;
      // Back from an outage: ramp up again rather than send maxConcurrency requests at once.
      s.effectiveConcurrency = initialConcurrency(policy.maxConcurrency);
      s.decreasedAt = null;
      signals.push({ kind: 'circuit_closed' });
    }
    return { state: s, signals };
  }

  s.consecutiveFailures += 1;
  s.failingSince ??= attempt.at;
  s.lastFailureAt = attempt.at;
  s.lastError = attempt.error;

  if (attempt.status !== null && THROTTLE_STATUSES.has(attempt.status)) {
    const d = aimdDecrease(s.effectiveConcurrency, s.decreasedAt, attempt.at);
    s.effectiveConcurrency = d.effective;
    s.decreasedAt = d.decreasedAt;
  }
  if (attempt.retryAfterMs !== null && (attempt.status === 429 || attempt.status === 503)) {
    const until = attempt.at + Math.min(attempt.retryAfterMs, policy.probeMaxDelayMs);
    s.pausedUntil = Math.max(s.pausedUntil ?? 0, until);
  }

  if (attempt.status === 410) signals.push({ kind: 'disable', reason: 'gone' });
  else if (attempt.at - s.failingSince >= policy.autoDisableAfterHours * 3_600_000) signals.push({ kind: 'disable', reason: 'failing' });

  const probeDelay = (n: number): number =>
    backoffDelayMs({ initialDelayMs: policy.probeInitialDelayMs, maxDelayMs: policy.probeMaxDelayMs }, n, random);
  if (s.circuit === 'closed' && s.consecutiveFailures >= policy.failureThreshold) {
    s.circuit = 'open';
    s.circuitOpenedAt = attempt.at;
    s.probeCount = 0;
    s.nextProbeAt = attempt.at + probeDelay(1);
    signals.push({ kind: 'circuit_opened', consecutiveFailures: s.consecutiveFailures, nextProbeAt: s.nextProbeAt });
  } else if (s.circuit !== 'closed') {
    // A failed probe (or a straggler from before the circuit opened): stay open, back off.
    s.circuit = 'open';
    s.probeCount += 1;
    s.nextProbeAt = attempt.at + probeDelay(s.probeCount + 1);
  }
  return { state: s, signals };
}

/** The state of an endpoint whose webhook was re-enabled or recovered by hand: a clean slate, in slow start. */
export function resetHealth(prev: EndpointState, maxConcurrency: number): EndpointState {
  return {
    ...prev,
    circuit: 'closed',
    circuitOpenedAt: null,
    nextProbeAt: null,
    probeCount: 0,
    consecutiveFailures: 0,
    failingSince: null,
    pausedUntil: null,
    effectiveConcurrency: initialConcurrency(maxConcurrency),
    decreasedAt: null,
  };
}
