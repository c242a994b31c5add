// GET /webhooks/{id}/health: everything about an endpoint's condition in one answer — circuit,
// adaptive concurrency, pauses, recent success rate and latency, its queue, what a FIFO
// webhook is waiting on, and (for OAuth2) the token's state without the token.
import { Type } from 'typebox';
import { concurrencyLimit } from '../dispatch/limits.js';
import { notFound } from '../errors.js';
import { scopeOf } from '../http/auth.js';
import { errorResponses, IdParams, isoOrNull, Nullable, NullableTimestamp, type Api } from '../http/schemas.js';
import type { Runtime } from '../runtime.js';

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

export function webhookHealthRoute(app: Api, rt: Runtime): void {
  app.get('/webhooks/:id/health', {
    config: { permission: 'webhooks:read' },
    schema: { tags: ['webhooks'], summary: 'Endpoint health: circuit, concurrency, success rate, latency, queue, FIFO head, token', params: IdParams, response: { 200: HealthView, ...errorResponses(404) } },
  }, async (request) => {
    const w = await rt.store.webhooks.getWebhook(scopeOf(request), request.params.id);
    if (w === undefined) throw notFound('webhook', request.params.id);
    const state = await rt.store.dispatch.getEndpointState(w.id);
    if (state === undefined) throw notFound('webhook', request.params.id);
    const now = rt.clock.now();
    const windows = [];
    for (const [name, ms] of WINDOWS) {
      const stats = await rt.store.health.attemptWindow(w.id, now - ms);
      const sorted = [...stats.durations].sort((a, b) => a - b);
      windows.push({ window: name, attempts: stats.attempts, successRate: stats.attempts === 0 ? null : stats.successes / stats.attempts, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) });
    }
    const queue = await rt.store.health.webhookQueue(w.id);
    let fifo = null;
    if (w.settings.ordering === 'fifo') {
      const head = await rt.store.health.fifoHead(w.id);
      fifo = {
        blocked: head !== null && head.attempts > 0 && head.state !== 'pending',
        headDeliveryId: head?.deliveryId ?? null,
        headState: head?.state ?? null,
        headAttempts: head?.attempts ?? 0,
        headNextAttemptAt: isoOrNull(head?.nextAttemptAt ?? null),
        headLastError: head?.lastError ?? null,
      };
    }
    const token = w.auth.type === 'oauth2' ? rt.tokens.state(w.auth) : null;
    return {
      webhookId: w.id,
      enabled: w.enabled,
      disabledReason: w.disabledReason,
      disabledAt: isoOrNull(w.disabledAt),
      circuit: { state: state.circuit, openedAt: isoOrNull(state.circuitOpenedAt), nextProbeAt: isoOrNull(state.nextProbeAt), consecutiveFailures: state.consecutiveFailures },
      concurrency: { max: w.settings.maxConcurrency, effective: concurrencyLimit(state, w.settings), inFlight: queue.delivering },
      rateLimitPerSecond: w.settings.rateLimitPerSecond,
      pausedUntil: state.pausedUntil !== null && state.pausedUntil > now ? isoOrNull(state.pausedUntil) : null,
      failingSince: isoOrNull(state.failingSince),
      lastSuccessAt: isoOrNull(state.lastSuccessAt),
      lastFailureAt: isoOrNull(state.lastFailureAt),
      lastStatus: state.lastStatus,
      lastError: state.lastError,
      windows,
      queue,
      fifo,
      token: token === null ? null : { validUntil: isoOrNull(token.validUntil), refreshAt: isoOrNull(token.refreshAt), lastFetchedAt: isoOrNull(token.lastFetchedAt), lastError: token.lastError, requests: token.requests },
    };
  });
}
