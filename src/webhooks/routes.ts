import { Type } from 'typebox';
import { scopeOf, tenantFor } from '../http/auth.js';
import { errorResponses, IdParams, isoOrNull, PageQueryFields, pageOf, pageRequest, type Api } from '../http/schemas.js';
import type { Runtime } from '../runtime.js';
import { CreateWebhookBody, PatchWebhookBody, WebhookView } from './schemas.js';
import { createWebhook, deleteWebhook, loadWebhook, revealSecret, updateWebhook } from './operations.js';
import { webhookView } from './service.js';

export function webhookRoutes(app: Api, rt: Runtime): void {
  const tags = ['webhooks'];

  app.post('/webhooks', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Create a webhook (sends a verification event first unless verify is false)', body: CreateWebhookBody, response: { 201: WebhookView, ...errorResponses(404, 422) } },
  }, async (request, reply) => {
    const webhook = await createWebhook(rt, tenantFor(request, request.body.tenantId), request.body);
    request.log.info({ webhookId: webhook.id, tenantId: webhook.tenantId }, 'webhook created');
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
    return webhookView(await loadWebhook(rt, scopeOf(request), request.params.id));
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
    const s = await revealSecret(rt, scopeOf(request), request.params.id);
    request.log.info({ webhookId: request.params.id }, 'webhook secret revealed');
    return { secret: s.secret, previousSecret: s.previousSecret, previousSecretExpiresAt: isoOrNull(s.previousSecretUntil) };
  });

  app.patch('/webhooks/:id', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Change a webhook; nested batch and retry objects are merged', params: IdParams, body: PatchWebhookBody, response: { 200: WebhookView, ...errorResponses(404, 409) } },
  }, async (request) => {
    return webhookView(await updateWebhook(rt, scopeOf(request), request.params.id, request.body));
  });

  app.delete('/webhooks/:id', {
    config: { permission: 'webhooks:write' },
    schema: { tags, summary: 'Delete a webhook; its undelivered deliveries are canceled', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    await deleteWebhook(rt, scopeOf(request), request.params.id);
    return reply.code(204).send(null);
  });
}
