import { Type } from 'typebox';
import { AppError, notFound } from '../errors.js';
import { scopeOf } from '../http/auth.js';
import { errorResponses, IdParams, pageOf, pageRequest, parseTime, type Api } from '../http/schemas.js';
import type { DeliveryFilter } from '../store/records.js';
import type { Runtime } from '../runtime.js';
import { requeueAll } from './reprocess.js';
import { BulkRetryBody, DeliveryDetail, DeliveryView, ListDeliveriesQuery } from './schemas.js';
import { attemptView, deliveryView } from './views.js';

export function deliveryRoutes(app: Api, rt: Runtime): void {
  const tags = ['deliveries'];

  app.get('/deliveries', {
    config: { permission: 'deliveries:read' },
    schema: { tags, summary: 'List deliveries (the activity log), newest first', querystring: ListDeliveriesQuery, response: { 200: pageOf(DeliveryView), ...errorResponses() } },
  }, async (request) => {
    const q = request.query;
    const filter: DeliveryFilter = {
      tenantId: q.tenantId, webhookId: q.webhookId, eventId: q.eventId, eventType: q.eventType, state: q.state,
      since: parseTime(q.since), until: parseTime(q.until),
    };
    const page = await rt.store.deliveries.listDeliveries(scopeOf(request), filter, pageRequest(q));
    return { data: page.data.map(deliveryView), nextCursor: page.nextCursor };
  });

  app.get('/deliveries/:id', {
    config: { permission: 'deliveries:read' },
    schema: { tags, summary: 'Get a delivery with its attempts (newest first)', params: IdParams, response: { 200: DeliveryDetail, ...errorResponses(404) } },
  }, async (request) => {
    const d = await rt.store.deliveries.getDelivery(scopeOf(request), request.params.id);
    if (d === undefined) throw notFound('delivery', request.params.id);
    const attempts = await rt.store.deliveries.listAttempts(d);
    return { ...deliveryView(d), attemptLog: attempts.map(attemptView) };
  });

  app.post('/deliveries/:id/retry', {
    config: { permission: 'deliveries:retry' },
    schema: { tags, summary: 'Send a failed, canceled or delivered delivery again, now', params: IdParams, response: { 202: DeliveryView, ...errorResponses(404, 409) } },
  }, async (request, reply) => {
    const scope = scopeOf(request);
    const now = rt.clock.now();
    const res = await rt.store.transaction(async (tx) => {
      const r = await tx.deliveries.requeueDelivery(scope, request.params.id, now);
      if (r.kind === 'requeued') await tx.dispatch.bumpDue([r.webhookId], now);
      return r;
    });
    if (res.kind === 'not_found') throw notFound('delivery', request.params.id);
    if (res.kind === 'not_requeueable') throw new AppError('conflict', `Delivery '${request.params.id}' is ${res.state}; only failed, canceled or delivered deliveries can be retried.`);
    rt.work.announce([res.webhookId]);
    const d = await rt.store.deliveries.getDelivery(scope, request.params.id);
    if (d === undefined) throw notFound('delivery', request.params.id);
    return reply.code(202).send(deliveryView(d));
  });

  app.post('/deliveries/retry', {
    config: { permission: 'deliveries:retry' },
    schema: {
      tags,
      summary: 'Requeue every delivery that matches a filter (by default the failed queue)',
      body: BulkRetryBody,
      response: { 202: Type.Object({ requeued: Type.Integer() }), ...errorResponses() },
    },
  }, async (request, reply) => {
    const b = request.body;
    const filter: DeliveryFilter = { tenantId: b.tenantId, webhookId: b.webhookId, eventId: b.eventId, eventType: b.eventType, state: b.state ?? 'failed', since: parseTime(b.since), until: parseTime(b.until) };
    const requeued = await requeueAll(rt, scopeOf(request), filter);
    request.log.info({ requeued, filter }, 'deliveries requeued');
    return reply.code(202).send({ requeued });
  });
}
