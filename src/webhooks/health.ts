// GET /webhooks/{id}/health: everything about an endpoint's condition in one answer — circuit,
// adaptive concurrency, pauses, recent success rate and latency, its queue, what a FIFO
// webhook is waiting on, and (for OAuth2) the token's state without the token.
import { Type } from 'typebox';
import { concurrencyLimit } from '../dispatch/limits.js';
import { notFound } from '../errors.js';
import { scopeOf } from '../http/auth.js';
import { errorResponses, IdParams, isoOrNull, Nullable, NullableTimestamp, type Api } from '../http/schemas.js';
import type { Runtime } from '../runtime.js';
import type { TokenState } from '../dispatch/auth/oauth2.js';
import type { FifoHead } from '../store/health.js';
import type { EndpointState, Webhook } from '../store/records.js';
import { loadWebhook } from './operations.js';

const WINDOWS = [
  ['5m', 5 * 60_000],
  ['1h', 3_600_000],
  ['24h', 86_400_000],
] as const;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

const WindowView = Type.Object({ window: Type.String(), attempts: Type.Integer(), successRate: Nullable(Type.Number()), p50Ms: Nullable(Type.Number()), p99Ms: Nullable(Type.Number()) });

const HealthView = Type.Object({
  webhookId: Type.String(),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  disabledAt: NullableTimestamp,
  circuit: Type.Object({ state: Type.String(), openedAt: NullableTimestamp, nextProbeAt: NullableTimestamp, consecutiveFailures: Type.Integer() }),
  concurrency: Type.Object({ max: Type.Integer(), effective: Type.Integer(), inFlight: Type.Integer() }),
  rateLimitPerSecond: Nullable(Type.Number()),
  pausedUntil: NullableTimestamp,
  failingSince: NullableTimestamp,
  lastSuccessAt: NullableTimestamp,
  lastFailureAt: NullableTimestamp,
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  windows: Type.Array(WindowView),
  queue: Type.Object({ pending: Type.Integer(), retrying: Type.Integer(), delivering: Type.Integer(), failed: Type.Integer() }),
  fifo: Nullable(
    Type.Object({
      blocked: Type.Boolean({ description: 'The head is failing and holds back everything behind it' }),
      headDeliveryId: Nullable(Type.String()),
      headState: Nullable(Type.String()),
      headAttempts: Type.Integer(),
      headNextAttemptAt: NullableTimestamp,
      headLastError: Nullable(Type.String()),
    }),
  ),
  token: Nullable(Type.Object({ validUntil: NullableTimestamp, refreshAt: NullableTimestamp, lastFetchedAt: NullableTimestamp, lastError: Nullable(Type.String()), requests: Type.Integer() })),
});

export interface HealthWindow {
  window: string;
  attempts: number;
  successRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface EndpointHealth {
  state: EndpointState | null;
  effectiveConcurrency: number;
  windows: HealthWindow[];
  queue: { pending: number; retrying: number; delivering: number; failed: number };
  fifo: { blocked: boolean; head: FifoHead | null } | null;
  token: TokenState | null;
}

/** An endpoint's condition, computed once for the API and the dashboard. */
export async function endpointHealth(rt: Runtime, w: Webhook): Promise<EndpointHealth> {
  const state = (await rt.store.dispatch.getEndpointState(w.id)) ?? null;
  const now = rt.clock.now();
  const windows: HealthWindow[] = [];
  for (const [name, ms] of WINDOWS) {
    const stats = await rt.store.health.attemptWindow(w.id, now - ms);
    const sorted = [...stats.durations].sort((a, b) => a - b);
    windows.push({ window: name, attempts: stats.attempts, successRate: stats.attempts === 0 ? null : stats.successes / stats.attempts, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) });
  }
  const queue = await rt.store.health.webhookQueue(w.id);
  let fifo: EndpointHealth['fifo'] = null;
  if (w.settings.ordering === 'fifo') {
    const head = await rt.store.health.fifoHead(w.id);
    fifo = { blocked: head !== null && head.attempts > 0 && head.state !== 'pending', head };
  }
  return {
    state,
    effectiveConcurrency: state === null ? w.settings.maxConcurrency : concurrencyLimit(state, w.settings),
    windows,
    queue,
    fifo,
    token: w.auth.type === 'oauth2' ? rt.tokens.state(w.auth) : null,
  };
}

export function webhookHealthRoute(app: Api, rt: Runtime): void {
  app.get('/webhooks/:id/health', {
    config: { permission: 'webhooks:read' },
    schema: { tags: ['webhooks'], summary: 'Endpoint health: circuit, concurrency, success rate, latency, queue, FIFO head, token', params: IdParams, response: { 200: HealthView, ...errorResponses(404) } },
  }, async (request) => {
    const w = await loadWebhook(rt, scopeOf(request), request.params.id);
    const h = await endpointHealth(rt, w);
    const state = h.state;
    if (state === null) throw notFound('webhook', request.params.id);
    const now = rt.clock.now();
    const head = h.fifo?.head ?? null;
    return {
      webhookId: w.id,
      enabled: w.enabled,
      disabledReason: w.disabledReason,
      disabledAt: isoOrNull(w.disabledAt),
      circuit: { state: state.circuit, openedAt: isoOrNull(state.circuitOpenedAt), nextProbeAt: isoOrNull(state.nextProbeAt), consecutiveFailures: state.consecutiveFailures },
      concurrency: { max: w.settings.maxConcurrency, effective: h.effectiveConcurrency, inFlight: h.queue.delivering },
      rateLimitPerSecond: w.settings.rateLimitPerSecond,
      pausedUntil: state.pausedUntil !== null && state.pausedUntil > now ? isoOrNull(state.pausedUntil) : null,
      failingSince: isoOrNull(state.failingSince),
      lastSuccessAt: isoOrNull(state.lastSuccessAt),
      lastFailureAt: isoOrNull(state.lastFailureAt),
      lastStatus: state.lastStatus,
      lastError: state.lastError,
      windows: h.windows,
      queue: h.queue,
      fifo:
        h.fifo === null
          ? null
          : {
              blocked: h.fifo.blocked,
              headDeliveryId: head?.deliveryId ?? null,
              headState: head?.state ?? null,
              headAttempts: head?.attempts ?? 0,
              headNextAttemptAt: isoOrNull(head?.nextAttemptAt ?? null),
              headLastError: head?.lastError ?? null,
            },
      token: h.token === null ? null : { validUntil: isoOrNull(h.token.validUntil), refreshAt: isoOrNull(h.token.refreshAt), lastFetchedAt: isoOrNull(h.token.lastFetchedAt), lastError: h.token.lastError, requests: h.token.requests },
    };
  });
}
