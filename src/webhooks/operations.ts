// What can be done to a webhook, once, for every caller: the API routes and the dashboard both
// call these, so the steps (tenant checks, verification, transactions, health resets, wake-ups)
// cannot drift apart. Scope comes from the caller's key; another tenant's webhook is a 404.
import { attemptView } from '../deliveries/views.js';
import { resetHealth } from '../dispatch/circuit.js';
import { notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Runtime } from '../runtime.js';
import type { Scope, Webhook } from '../store/records.js';
import { assertTenantExists } from '../tenants/rules.js';
import type { CreateWebhookBodyT, PatchWebhookBodyT } from './schemas.js';
import { buildWebhook, conflict, generateSecret, patchWebhook } from './service.js';

export async function loadWebhook(rt: Runtime, scope: Scope, id: string): Promise<Webhook> {
  const w = await rt.store.webhooks.getWebhook(scope, id);
  if (w === undefined) throw notFound('webhook', id);
  return w;
}

/** Creates a webhook for `tenantId` (already resolved from the caller's key), verifying the endpoint first unless told not to. */
export async function createWebhook(rt: Runtime, tenantId: string, body: CreateWebhookBodyT): Promise<Webhook> {
  await assertTenantExists(rt.store, tenantId);
  const now = rt.clock.now();
  const webhook = await buildWebhook(rt.config, tenantId, newId('webhook', now), body, now);
  if (body.verify !== false) await rt.verifyEndpoint(webhook);
  await rt.store.transaction((tx) => tx.webhooks.insertWebhook(webhook));
  return webhook;
}

export async function updateWebhook(rt: Runtime, scope: Scope, id: string, body: PatchWebhookBodyT): Promise<Webhook> {
  const current = await loadWebhook(rt, scope, id);
  const next = await patchWebhook(rt.config, current, body, rt.clock.now());
  const reEnabled = next.enabled && !current.enabled;
  await rt.store.transaction(async (tx) => {
    if (!(await tx.webhooks.saveWebhook(next, current.version))) throw conflict(current.id);
    const state = await tx.dispatch.getEndpointState(next.id);
    if (state !== undefined) {
      // A re-enabled endpoint starts with a clean slate; a new maxConcurrency applies at once.
      const base = reEnabled ? resetHealth(state, next.settings.maxConcurrency) : state;
      await tx.dispatch.saveEndpointState({ ...base, effectiveConcurrency: Math.min(base.effectiveConcurrency, next.settings.maxConcurrency), dueAt: rt.clock.now() });
    }
  });
  rt.work.announce([next.id]);
  return next;
}

export async function deleteWebhook(rt: Runtime, scope: Scope, id: string): Promise<void> {
  const deleted = await rt.store.transaction((tx) => tx.webhooks.deleteWebhook(scope, id, rt.clock.now()));
  if (!deleted) throw notFound('webhook', id);
}

/** Sends a test event now and records the attempt(s). */
export async function sendTestEvent(rt: Runtime, scope: Scope, id: string): Promise<{ ok: boolean; attempt: ReturnType<typeof attemptView> }> {
  const w = await loadWebhook(rt, scope, id);
  const res = await rt.sender.sendTest(w);
  const ids = await rt.store.dispatch.insertAttempts(res.attempts);
  return { ok: res.ok, attempt: attemptView({ ...res.attempt, id: ids.at(-1) ?? '', deliveryId: null }) };
}

/** A new signing secret; the old one keeps signing for `overlapSeconds` (0: not at all). */
export async function rotateSecret(rt: Runtime, scope: Scope, id: string, overlapSeconds: number, secret?: string): Promise<{ secret: string; previousSecretUntil: number | null }> {
  const current = await loadWebhook(rt, scope, id);
  const now = rt.clock.now();
  const overlapMs = overlapSeconds * 1000;
  const next: Webhook = {
    ...current,
    secret: secret ?? generateSecret(),
    previousSecret: overlapMs > 0 ? current.secret : null,
    previousSecretUntil: overlapMs > 0 ? now + overlapMs : null,
    version: current.version + 1,
    updatedAt: now,
  };
  if (!(await rt.store.webhooks.saveWebhook(next, current.version))) throw conflict(current.id);
  return { secret: next.secret, previousSecretUntil: next.previousSecretUntil };
}

export interface RevealedSecret {
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: number | null;
}

/** The signing secret, and the previous one while a rotation overlaps. */
export async function revealSecret(rt: Runtime, scope: Scope, id: string): Promise<RevealedSecret> {
  const w = await loadWebhook(rt, scope, id);
  const overlapping = w.previousSecret !== null && (w.previousSecretUntil ?? 0) > rt.clock.now();
  return { secret: w.secret, previousSecret: overlapping ? w.previousSecret : null, previousSecretUntil: overlapping ? w.previousSecretUntil : null };
}
