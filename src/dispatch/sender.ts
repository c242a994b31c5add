// One request, end to end: prepare (body, signature, credentials) → send → classify into a
// Completion the recorder commits. An OAuth2 endpoint that answers 401 gets one immediate
// resend with a freshly fetched token; a token that cannot be obtained sends the deliveries to
// the failed queue (token_unavailable) without touching the endpoint.
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { Metrics } from '../metrics.js';
import type { ClaimedRequest } from '../store/claim.js';
import type { Completion, NewAttempt, RequestResult } from '../store/outcomes.js';
import type { EventPayload, Webhook } from '../store/records.js';
import { authHeaders, type AuthHeaders } from './auth/headers.js';
import type { TokenCache } from './auth/oauth2.js';
import { nextRetry } from './backoff.js';
import type { HealthPolicy } from './circuit.js';
import { prepareRequest, type PreparedRequest } from './request.js';
import { isSuccess, type SendOutcome } from './send.js';
import type { Transport } from './transport.js';

export interface SenderDeps {
  /** Runs the HTTP exchanges: in-process or on sender threads (transport.ts). */
  transport: Transport;
  tokens: TokenCache;
  clock: Clock;
  random: () => number;
  nodeId: string;
  metrics: Metrics;
  circuitFailureThreshold: number;
}

export const TEST_EVENT_TYPE = 'hookrelay.test';

export function healthPolicy(webhook: Webhook, failureThreshold: number): HealthPolicy {
  const s = webhook.settings;
  return {
    maxConcurrency: s.maxConcurrency,
    failureThreshold,
    autoDisableAfterHours: s.autoDisableAfterHours,
    probeInitialDelayMs: s.retry.initialDelayMs,
    probeMaxDelayMs: s.retry.maxDelayMs,
  };
}

interface RequestShape {
  batchId: string | null;
  deliverySeq: number | null;
  eventCount: number;
}

function attemptRecord(webhook: Webhook, request: RequestShape, prep: PreparedRequest, out: SendOutcome, ok: boolean): NewAttempt {
  const response = out.kind === 'response' ? out : null;
  return {
    tenantId: webhook.tenantId,
    webhookId: webhook.id,
    deliverySeq: request.deliverySeq,
    batchId: request.batchId,
    eventCount: request.eventCount,
    startedAt: out.startedAt,
    durationMs: out.durationMs,
    status: response?.status ?? null,
    outcome: ok ? 'success' : 'failure',
    error: ok ? null : out.kind === 'response' ? `HTTP ${out.status}` : out.message,
    errorClass: ok ? null : out.kind === 'response' ? 'http_status' : out.errorClass,
    url: prep.url,
    method: prep.method,
    requestHeaders: prep.loggedHeaders,
    responseHeaders: response?.headers ?? null,
    responseExcerpt: response?.excerpt ?? null,
  };
}

export class Sender {
  constructor(private readonly deps: SenderDeps) {}

  private async exchange(webhook: Webhook, msgId: string, events: EventPayload[], asBatch: boolean, auth: Extract<AuthHeaders, { kind: 'ok' }>): Promise<{ prep: PreparedRequest; out: SendOutcome }> {
    const prep = prepareRequest(webhook, msgId, events, asBatch, auth, this.deps.clock.now());
    const out = await this.deps.transport.send(prep, webhook.settings.timeoutMs);
    const ok = out.kind === 'response' && isSuccess(out.status, webhook.settings.successStatuses);
    this.deps.metrics.attempts.inc({ outcome: ok ? 'success' : 'failure', error_class: ok ? '' : out.kind === 'response' ? 'http_status' : out.errorClass });
    this.deps.metrics.attemptDuration.observe({ outcome: ok ? 'success' : 'failure' }, out.durationMs / 1000);
    return { prep, out };
  }

  /**
   * Sends events and returns the final exchange plus any earlier one (a 401 answered before
   * the token was renewed), or why credentials could not be had.
   */
  async exchangeWithAuth(
    webhook: Webhook,
    msgId: string,
    events: EventPayload[],
    asBatch: boolean,
  ): Promise<{ kind: 'sent'; prep: PreparedRequest; out: SendOutcome; earlier: { prep: PreparedRequest; out: SendOutcome } | null } | { kind: 'no_token'; message: string; earlier: { prep: PreparedRequest; out: SendOutcome } | null }> {
    const auth = await authHeaders(webhook, this.deps.tokens);
    if (auth.kind === 'unavailable') return { kind: 'no_token', message: auth.message, earlier: null };
    const first = await this.exchange(webhook, msgId, events, asBatch, auth);
    if (!(first.out.kind === 'response' && first.out.status === 401 && auth.token !== null)) return { kind: 'sent', ...first, earlier: null };
    const renewed = await authHeaders(webhook, this.deps.tokens, auth.token);
    if (renewed.kind === 'unavailable') return { kind: 'no_token', message: renewed.message, earlier: first };
    const second = await this.exchange(webhook, msgId, events, asBatch, renewed);
    return { kind: 'sent', ...second, earlier: first };
  }

  async deliver(webhook: Webhook, request: ClaimedRequest, events: ReadonlyMap<number, EventPayload>): Promise<Completion> {
    const { clock, random, nodeId } = this.deps;
    const head = request.deliveries[0];
    if (head === undefined) throw new Error('empty request');
    const evs = request.deliveries.map((d) => events.get(d.eventSeq)).filter((e): e is EventPayload => e !== undefined);
    const asBatch = webhook.settings.batch.maxEvents > 1 || request.batchId !== null;
    const msgId = request.batchId ?? head.eventId;
    const shape: RequestShape = { batchId: request.batchId, deliverySeq: request.batchId === null ? head.seq : null, eventCount: request.deliveries.length };
    const deliveries = request.deliveries.map((d) => ({ seq: d.seq, id: d.id, eventId: d.eventId, eventType: d.eventType, attempts: d.attempts }));
    const policy = healthPolicy(webhook, this.deps.circuitFailureThreshold);

    const res = await this.exchangeWithAuth(webhook, msgId, evs, asBatch);
    const extraAttempts = res.earlier === null ? [] : [attemptRecord(webhook, shape, res.earlier.prep, res.earlier.out, false)];
    if (res.kind === 'no_token') {
      const at = clock.now();
      const attempt: NewAttempt = {
        tenantId: webhook.tenantId, webhookId: webhook.id, deliverySeq: shape.deliverySeq, batchId: shape.batchId,
        eventCount: shape.eventCount, startedAt: at, durationMs: 0, status: null, outcome: 'failure', error: res.message,
        errorClass: 'token_unavailable', url: webhook.url, method: webhook.settings.method, requestHeaders: {}, responseHeaders: null, responseExcerpt: null,
      };
      return { nodeId, attempt, extraAttempts, deliveries, result: { kind: 'failed', reason: 'token_unavailable' }, health: { at, ok: false, status: null, error: res.message, retryAfterMs: null, notSent: true }, healthPolicy: policy };
    }

    const { prep, out } = res;
    const ok = out.kind === 'response' && isSuccess(out.status, webhook.settings.successStatuses);
    const attempt = attemptRecord(webhook, shape, prep, out, ok);
    const finishedAt = out.startedAt + out.durationMs;
    const retryAfterMs = out.kind === 'response' && (out.status === 429 || out.status === 503) ? out.retryAfterMs : null;
    const result: RequestResult = ok
      ? { kind: 'delivered' }
      : nextRetry(webhook.settings.retry, { attempts: head.windowAttempts + 1, firstAttemptAt: head.windowStartedAt ?? out.startedAt, now: finishedAt, retryAfterMs, random: random() });
    return {
      nodeId,
      attempt,
      extraAttempts,
      deliveries,
      result,
      health: { at: finishedAt, ok, status: out.kind === 'response' ? out.status : null, error: attempt.error, retryAfterMs },
      healthPolicy: policy,
    };
  }

  /** Sends a test event to the webhook now (verification, or POST /webhooks/{id}/test). */
  async sendTest(webhook: Webhook): Promise<{ ok: boolean; attempt: NewAttempt; attempts: NewAttempt[] }> {
    const now = this.deps.clock.now();
    const event: EventPayload = {
      seq: 0,
      id: newId('event', now),
      tenantId: webhook.tenantId,
      type: TEST_EVENT_TYPE,
      timestamp: now,
      data: JSON.stringify({ message: 'This is a test event from hookrelay.', webhookId: webhook.id }),
    };
    const shape: RequestShape = { batchId: null, deliverySeq: null, eventCount: 1 };
    const res = await this.exchangeWithAuth(webhook, event.id, [event], webhook.settings.batch.maxEvents > 1);
    const earlier = res.earlier === null ? [] : [attemptRecord(webhook, shape, res.earlier.prep, res.earlier.out, false)];
    if (res.kind === 'no_token') {
      const attempt: NewAttempt = {
        tenantId: webhook.tenantId, webhookId: webhook.id, deliverySeq: null, batchId: null, eventCount: 1, startedAt: now,
        durationMs: 0, status: null, outcome: 'failure', error: res.message, errorClass: 'token_unavailable', url: webhook.url, method: webhook.settings.method,
        requestHeaders: {}, responseHeaders: null, responseExcerpt: null,
      };
      return { ok: false, attempt, attempts: [...earlier, attempt] };
    }
    const ok = res.out.kind === 'response' && isSuccess(res.out.status, webhook.settings.successStatuses);
    const attempt = attemptRecord(webhook, shape, res.prep, res.out, ok);
    return { ok, attempt, attempts: [...earlier, attempt] };
  }
}
