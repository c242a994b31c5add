import { Type } from 'typebox';
import { AppError, notFound } from '../errors.js';
import { scopeOf, tenantFor } from '../http/auth.js';
import { errorResponses, IdParams, PageQueryFields, pageOf, pageRequest, type Api } from '../http/schemas.js';
import { newId } from '../ids.js';
import { resetHealth } from '../dispatch/circuit.js';
import type { Runtime } from '../runtime.js';
import { CreateWebhookBody, PatchWebhookBody, WebhookView } from './schemas.js';
import { buildWebhook, conflict, patchWebhook, webhookView } from './service.js';

export function webhookRoutes(app: Api, rt: Runtime): void {
  const tags = ['webhooks'];

  app.post('/webhooks', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Create a webhook (sends a verification event first unless verify is false)', body: CreateWebhookBody, response: { 201: WebhookView, ...errorResponses(404, 422) } },
  }, async (request, reply) => {
    const tenantId = tenantFor(request, request.body.tenantId);
    const status = await rt.store.tenants.tenantStatus(tenantId);
    if (status === 'missing') {
      throw new AppError('tenant_unavailable', `Tenant '${tenantId}' does not exist; create it first with POST /api/v1/tenants.`, {
        errors: [{ field: '/body/tenantId', rule: 'exists', message: `Tenant '${tenantId}' does not exist.` }],
      });
    }
    const now = rt.clock.now();
    const webhook = await buildWebhook(rt.config, tenantId, newId('webhook', now), request.body, now);
    if (request.body.verify !== false) await rt.verifyEndpoint(webhook);
    await rt.store.transaction((tx) => tx.webhooks.insertWebhook(webhook));
    request.log.info({ webhookId: webhook.id, tenantId }, 'webhook created');
    return reply.code(201).header('location', `/api/v1/webhooks/${webhook.id}`).send(webhookView(webhook, { includeSecret: true }));
  });

  app.get('/webhooks', {
    config: { permission: 'webhooks:read' },
    schema: {
      tags,
      summary: 'List webhooks',
      querystring: Type.Object({ ...PageQueryFields, tenantId: Type.Optional(Type.String({ maxLength: 64 })), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: pageOf(WebhookView), ...errorResponses() },
    },
  }, async (request) => {
    const page = await rt.store.webhooks.listWebhooks(scopeOf(request), { tenantId: request.query.tenantId, enabled: request.query.enabled }, pageRequest(request.query));
    return { data: page.data.map((w) => webhookView(w)), nextCursor: page.nextCursor };
  });

  app.get('/webhooks/:id', {
    config: { permission: 'webhooks:read' },
    schema: { tags, summary: 'Get a webhook', params: IdParams, response: { 200: WebhookView, ...errorResponses(404) } },
  }, async (request) => {
    const w = await rt.store.webhooks.getWebhook(scopeOf(request), request.params.id);
    if (w === undefined) throw notFound('webhook', request.params.id);
    return webhookView(w);
  });

  app.get('/webhooks/:id/secret', {
    config: { permission: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Reveal the signing secret (and the previous one while a rotation overlaps)',
      params: IdParams,
      response: { 200: Type.Object({ secret: Type.String(), previousSecret: Type.Union([Type.String(), Type.Null()]), previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(404) },
    },
  }, async (request) => {
    const w = await rt.store.webhooks.getWebhook(scopeOf(request), request.params.id);
    if (w === undefined) throw notFound('webhook', request.params.id);
    const overlapping = w.previousSecret !== null && (w.previousSecretUntil ?? 0) > rt.clock.now();
    request.log.info({ webhookId: w.id }, 'webhook secret revealed');
    return {
      secret: w.secret,
      previousSecret: overlapping ? w.previousSecret : null,
      previousSecretExpiresAt: overlapping && w.previousSecretUntil !== null ? new Date(w.previousSecretUntil).toISOString() : null,
    };
  });

  app.patch('/webhooks/:id', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Change a webhook; nested batch and retry objects are merged', params: IdParams, body: PatchWebhookBody, response: { 200: WebhookView, ...errorResponses(404, 409) } },
  }, async (request) => {
    const scope = scopeOf(request);
    const current = await rt.store.webhooks.getWebhook(scope, request.params.id);
    if (current === undefined) throw notFound('webhook', request.params.id);
    const next = await patchWebhook(rt.config, current, request.body, rt.clock.now());
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
    return webhookView(next);
  });

  app.delete('/webhooks/:id', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Delete a webhook; its undelivered deliveries are canceled', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    const deleted = await rt.store.transaction((tx) => tx.webhooks.deleteWebhook(scopeOf(request), request.params.id, rt.clock.now()));
    if (!deleted) throw notFound('webhook', request.params.id);
    return reply.code(204).send(null);
  });
}
