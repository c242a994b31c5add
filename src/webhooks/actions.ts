// Webhook actions that involve the delivery engine: send a test event now, rotate the signing
// secret with an overlap window, and recover (requeue) failed deliveries since a time.
import { Type } from 'typebox';
import { AttemptView } from '../deliveries/schemas.js';
import { requeueAll } from '../deliveries/reprocess.js';
import { resetHealth } from '../dispatch/circuit.js';
import { scopeOf } from '../http/auth.js';
import { errorResponses, IdParams, isoOrNull, parseTime, type Api } from '../http/schemas.js';
import type { Runtime } from '../runtime.js';
import { SECRET_PATTERN } from './schemas.js';
import { loadWebhook, rotateSecret, sendTestEvent } from './operations.js';

export function webhookActionRoutes(app: Api, rt: Runtime): void {
  const tags = ['webhooks'];

  app.post('/webhooks/:id/test', {
    config: { permission: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Send a test event (type hookrelay.test) now and return the attempt',
      params: IdParams,
      response: { 200: Type.Object({ ok: Type.Boolean(), attempt: AttemptView }), ...errorResponses(404) },
    },
  }, async (request) => {
    return sendTestEvent(rt, scopeOf(request), request.params.id);
  });

  app.post('/webhooks/:id/rotate-secret', {
    config: { permission: 'webhooks:write' },
    schema: {
      tags,
      summary: 'Replace the signing secret; the old one keeps signing (both signatures are sent) during the overlap',
      params: IdParams,
      body: Type.Optional(
        Type.Object(
          {
            overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800, description: 'How long the previous secret keeps signing (default 86400)' })),
            secret: Type.Optional(Type.String({ pattern: SECRET_PATTERN, description: 'The new secret (default: generated)' })),
          },
          { additionalProperties: false },
        ),
      ),
      response: { 200: Type.Object({ secret: Type.String(), previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(404, 409) },
    },
  }, async (request) => {
    const overlapSeconds = request.body?.overlapSeconds ?? 86_400;
    const res = await rotateSecret(rt, scopeOf(request), request.params.id, overlapSeconds, request.body?.secret);
    request.log.info({ webhookId: request.params.id, overlapSeconds }, 'webhook secret rotated');
    return { secret: res.secret, previousSecretExpiresAt: isoOrNull(res.previousSecretUntil) };
  });

  app.post('/webhooks/:id/recover', {
    config: { permission: 'deliveries:retry' },
    schema: {
      tags,
      summary: 'Requeue this webhook\'s failed deliveries created since a time (after fixing the endpoint)',
      params: IdParams,
      body: Type.Object(
        {
          since: Type.String({ format: 'date-time' }),
          until: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
      response: { 202: Type.Object({ requeued: Type.Integer() }), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const scope = scopeOf(request);
    const w = await loadWebhook(rt, scope, request.params.id);
    // Recovering an endpoint also gives it a clean slate: circuit closed, full concurrency.
    await rt.store.transaction(async (tx) => {
      const state = await tx.dispatch.getEndpointState(w.id);
      if (state !== undefined) await tx.dispatch.saveEndpointState({ ...resetHealth(state, w.settings.maxConcurrency), dueAt: rt.clock.now() });
    });
    const requeued = await requeueAll(rt, scope, { webhookId: w.id, state: 'failed', since: parseTime(request.body.since), until: parseTime(request.body.until) });
    request.log.info({ webhookId: w.id, requeued }, 'webhook recovered');
    return reply.code(202).send({ requeued });
  });
}
