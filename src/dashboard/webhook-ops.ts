// What the dashboard does to webhooks, step for step as the API routes do it
// (src/webhooks/routes.ts, actions.ts, health.ts): the same service functions (buildWebhook,
// patchWebhook, generateSecret, percentile), the same store operations and transactions, and
// the same tenant rules — a restricted key names no other tenant and sees others as 404.
import { attemptView } from '../deliveries/views.js';
import { resetHealth } from '../dispatch/circuit.js';
import { concurrencyLimit } from '../dispatch/limits.js';
import { AppError, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Runtime } from '../runtime.js';
import type { EndpointState, Webhook } from '../store/records.js';
import { percentile } from '../webhooks/health.js';
import type { CreateWebhookBodyT, PatchWebhookBodyT } from '../webhooks/schemas.js';
import { buildWebhook, conflict, generateSecret, patchWebhook } from '../webhooks/service.js';
import type { Ctx } from './context.js';

export async function loadWebhook(rt: Runtime, ctx: Ctx, id: string): Promise<Webhook> {
  const w = await rt.store.webhooks.getWebhook(ctx.scope, id);
  if (w === undefined) throw notFound('webhook', id);
  return w;
}

/** The tenant a new object is for: the key's own, or the one an unrestricted key named. */
export function tenantForCtx(ctx: Ctx, named: string | undefined): string {
  const own = ctx.principal.tenantId;
  if (own !== null) {
    if (named !== undefined && named !== '' && named !== own) throw notFound('tenant', named);
    return own;
  }
  if (named === undefined || named === '') throw new AppError('validation_failed', 'Choose the tenant this belongs to.', { errors: [{ field: '/body/tenantId', rule: 'required', message: 'tenantId is required.' }] });
  return named;
}

export async function createWebhook(rt: Runtime, ctx: Ctx, body: CreateWebhookBodyT): Promise<Webhook> {
  const tenantId = tenantForCtx(ctx, body.tenantId);
  if ((await rt.store.tenants.tenantStatus(tenantId)) === 'missing') {
    throw new AppError('tenant_unavailable', `Tenant '${tenantId}' does not exist; create it first.`, { errors: [{ field: '/body/tenantId', rule: 'exists', message: `Tenant '${tenantId}' does not exist.` }] });
  }
  const now = rt.clock.now();
  const webhook = await buildWebhook(rt.config, tenantId, newId('webhook', now), body, now);
  if (body.verify !== false) await rt.verifyEndpoint(webhook);
  await rt.store.transaction((tx) => tx.webhooks.insertWebhook(webhook));
  return webhook;
}

export async function updateWebhook(rt: Runtime, ctx: Ctx, id: string, body: PatchWebhookBodyT): Promise<Webhook> {
  const current = await loadWebhook(rt, ctx, id);
  const next = await patchWebhook(rt.config, current, body, rt.clock.now());
  const reEnabled = next.enabled && !current.enabled;
  await rt.store.transaction(async (tx) => {
    if (!(await tx.webhooks.saveWebhook(next, current.version))) throw conflict(current.id);
    const state = await tx.dispatch.getEndpointState(next.id);
    if (state !== undefined) {
      // As the API: a re-enabled endpoint starts clean; a new maxConcurrency applies at once.
      const base = reEnabled ? resetHealth(state, next.settings.maxConcurrency) : state;
      await tx.dispatch.saveEndpointState({ ...base, effectiveConcurrency: Math.min(base.effectiveConcurrency, next.settings.maxConcurrency), dueAt: rt.clock.now() });
    }
  });
  rt.work.announce([next.id]);
  return next;
}

export async function deleteWebhook(rt: Runtime, ctx: Ctx, id: string): Promise<void> {
  const deleted = await rt.store.transaction((tx) => tx.webhooks.deleteWebhook(ctx.scope, id, rt.clock.now()));
  if (!deleted) throw notFound('webhook', id);
}

export async function sendTest(rt: Runtime, ctx: Ctx, id: string): Promise<{ ok: boolean; attempt: ReturnType<typeof attemptView> }> {
  const w = await loadWebhook(rt, ctx, id);
  const res = await rt.sender.sendTest(w);
  const ids = await rt.store.dispatch.insertAttempts(res.attempts);
  return { ok: res.ok, attempt: attemptView({ ...res.attempt, id: ids.at(-1) ?? '', deliveryId: null }) };
}

export async function rotateSecret(rt: Runtime, ctx: Ctx, id: string, overlapSeconds: number): Promise<{ secret: string; previousUntil: number | null }> {
  const current = await loadWebhook(rt, ctx, id);
  const now = rt.clock.now();
  const overlapMs = overlapSeconds * 1000;
  const next = {
    ...current,
    secret: generateSecret(),
    previousSecret: overlapMs > 0 ? current.secret : null,
    previousSecretUntil: overlapMs > 0 ? now + overlapMs : null,
    version: current.version + 1,
    updatedAt: now,
  };
  if (!(await rt.store.webhooks.saveWebhook(next, current.version))) throw conflict(current.id);
  return { secret: next.secret, previousUntil: next.previousSecretUntil };
}

export interface Revealed {
  secret: string;
  previousSecret: string | null;
  previousUntil: number | null;
}

export async function revealSecret(rt: Runtime, ctx: Ctx, id: string): Promise<Revealed> {
  const w = await loadWebhook(rt, ctx, id);
  const overlapping = w.previousSecret !== null && (w.previousSecretUntil ?? 0) > rt.clock.now();
  return { secret: w.secret, previousSecret: overlapping ? w.previousSecret : null, previousUntil: overlapping ? w.previousSecretUntil : null };
}

const WINDOWS = [['5 min', 5 * 60_000], ['1 h', 3_600_000], ['24 h', 86_400_000]] as const;

export interface WebhookHealth {
  state: EndpointState | null;
  effectiveConcurrency: number;
  windows: { label: string; attempts: number; successRate: number | null; p50: number | null; p99: number | null }[];
  queue: { pending: number; retrying: number; delivering: number; failed: number };
}

/** The figures GET /webhooks/{id}/health reports, computed the same way. */
export async function webhookHealth(rt: Runtime, w: Webhook): Promise<WebhookHealth> {
  const state = (await rt.store.dispatch.getEndpointState(w.id)) ?? null;
  const now = rt.clock.now();
  const windows = [];
  for (const [label, ms] of WINDOWS) {
    const stats = await rt.store.health.attemptWindow(w.id, now - ms);
    const sorted = [...stats.durations].sort((a, b) => a - b);
    windows.push({ label, attempts: stats.attempts, successRate: stats.attempts === 0 ? null : stats.successes / stats.attempts, p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
  }
  const queue = await rt.store.health.webhookQueue(w.id);
  return { state, effectiveConcurrency: state === null ? w.settings.maxConcurrency : concurrencyLimit(state, w.settings), windows, queue };
}

/** One word for a webhook's condition, from its endpoint state. */
export function healthWord(w: Webhook, s: EndpointState | undefined, now: number): { word: string; tone: string; detail: string } {
  if (!w.enabled) return { word: 'disabled', tone: 'muted', detail: w.disabledReason ?? 'disabled' };
  if (s === undefined) return { word: 'unknown', tone: 'muted', detail: '' };
  if (s.circuit === 'open') return { word: 'circuit open', tone: 'bad', detail: `${s.consecutiveFailures} consecutive failures` };
  if (s.circuit === 'half_open') return { word: 'probing', tone: 'warn', detail: 'circuit half-open' };
  if (s.pausedUntil !== null && s.pausedUntil > now) return { word: 'backing off', tone: 'warn', detail: 'paused after 429/503' };
  if (s.consecutiveFailures > 0) return { word: 'failing', tone: 'warn', detail: `${s.consecutiveFailures} consecutive failures` };
  if (s.lastSuccessAt === null) return { word: 'no traffic', tone: 'muted', detail: 'nothing delivered yet' };
  return { word: 'healthy', tone: 'ok', detail: '' };
}
