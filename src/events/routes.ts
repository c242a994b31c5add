import { Type } from 'typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { AppError, notFound, type FieldError } from '../errors.js';
import { schemaErrors } from '../event-types/validator.js';
import { principalOf, scopeOf, tenantFor } from '../http/auth.js';
import { errorResponses, IdParams, iso, PageQueryFields, pageOf, pageRequest, parseTime, type Api } from '../http/schemas.js';
import { validatorCompiler } from '../http/validation.js';
import { newId } from '../ids.js';
import type { StoredEvent } from '../store/records.js';
import type { Runtime } from '../runtime.js';
import { OPERATIONAL_PREFIX } from '../webhooks/match.js';
import type { IngestEvent } from './ingest.js';
import { EventBatchInput, EventInput, EventView, IngestBody, IngestResponse, type EventInputT } from './schemas.js';

// The ingest body is one event or a batch; validating against the matching shape (instead of
// a union) keeps error messages about the fields the client actually sent.
const validateSingle = validatorCompiler({ schema: EventInput, method: 'POST', url: '/events', httpPart: 'body' });
const validateBatch = validatorCompiler({ schema: EventBatchInput, method: 'POST', url: '/events', httpPart: 'body' });
const ingestValidator: FastifySchemaCompiler<unknown> = (route) => {
  if (route.httpPart !== 'body') return validatorCompiler(route);
  return (data: unknown) => {
    const batch = typeof data === 'object' && data !== null && !Array.isArray(data) && 'events' in data;
    return (batch ? validateBatch : validateSingle)(data);
  };
};

export function eventView(e: StoredEvent) {
  return {
    id: e.id,
    tenantId: e.tenantId,
    type: e.type,
    timestamp: iso(e.timestamp),
    data: JSON.parse(e.data) as unknown,
    receivedAt: iso(e.receivedAt),
    deliveries: e.deliveries,
    sourceId: e.sourceId,
    links: [
      { rel: 'self', href: `/api/v1/events/${encodeURIComponent(e.id)}?tenantId=${encodeURIComponent(e.tenantId)}`, method: ['GET'] },
      { rel: 'deliveries', href: `/api/v1/deliveries?eventId=${encodeURIComponent(e.id)}&tenantId=${encodeURIComponent(e.tenantId)}`, method: ['GET'] },
    ],
  };
}

/** Checks and normalises events for ingest; throws one problem listing every bad field. */
async function prepare(rt: Runtime, request: Parameters<typeof tenantFor>[0], inputs: EventInputT[], pointer: (i: number) => string): Promise<IngestEvent[]> {
  const now = rt.clock.now();
  const types = await rt.eventTypes.get(inputs.map((e) => e.type));
  const errors: FieldError[] = [];
  const out: IngestEvent[] = [];
  for (const [i, e] of inputs.entries()) {
    const at = pointer(i);
    const tenantId = tenantFor(request, e.tenantId, `${at}/tenantId`);
    if (e.type.startsWith(OPERATIONAL_PREFIX)) {
      errors.push({ field: `${at}/type`, rule: 'reserved', message: `${at}/type: types starting with '${OPERATIONAL_PREFIX}' are published by hookrelay itself.` });
      continue;
    }
    const info = types.get(e.type);
    if (info?.validate) {
      const bad = schemaErrors(info.validate, e.data, `${at}/data`);
      if (bad !== null) errors.push(...bad);
    }
    out.push({
      tenantId,
      id: e.id ?? newId('event', now),
      type: e.type,
      timestamp: parseTime(e.timestamp) ?? now,
      data: JSON.stringify(e.data ?? null),
      sourceId: null,
      deliver: info?.type?.enabled ?? true,
    });
  }
  if (errors.some((e) => e.rule === 'reserved')) throw new AppError('validation_failed', errors[0]?.message ?? 'reserved type', { errors });
  if (errors.length > 0) {
    throw new AppError('schema_mismatch', errors.length === 1 ? (errors[0]?.message ?? '') : `${errors.length} problems with event data; see errors.`, { errors });
  }
  return out;
}

export function eventRoutes(app: Api, rt: Runtime): void {
  const tags = ['events'];

  app.post('/events', {
    // Refused with 503 while the delivery backlog is over HOOKRELAY_MAX_BACKLOG (http/rate-limit.ts).
    config: { permission: 'events:write', backpressure: true },
    validatorCompiler: ingestValidator,
    schema: {
      tags,
      summary: 'Publish one event or a batch of up to 1000; answered once committed, with the deliveries created',
      body: IngestBody,
      response: { 202: IngestResponse, ...errorResponses(404, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const body = request.body;
    const batch = 'events' in body;
    const inputs = batch ? body.events : [body];
    const events = await prepare(rt, request, inputs, (i) => (batch ? `/body/events/${i}` : '/body'));
    const outcome = await rt.ingestor.submit(events);
    if (outcome.kind === 'tenant_unavailable') {
      const index = events.findIndex((e) => e.tenantId === outcome.tenantId);
      const field = batch ? `/body/events/${index}/tenantId` : '/body/tenantId';
      if (principalOf(request).tenantId !== null && outcome.status === 'missing') throw notFound('tenant', outcome.tenantId);
      const why = outcome.status === 'missing' ? 'does not exist; create it with POST /api/v1/tenants' : 'is disabled; enable it with PATCH /api/v1/tenants/{id}';
      throw new AppError('tenant_unavailable', `Tenant '${outcome.tenantId}' ${why}.`, { errors: [{ field, rule: outcome.status === 'missing' ? 'exists' : 'enabled', message: `Tenant '${outcome.tenantId}' ${why}.` }] });
    }
    const results = outcome.results.map((r) => ({ id: r.id, deliveries: r.deliveries }));
    if (outcome.results.every((r) => !r.created)) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(batch ? { events: results } : (results[0] ?? { id: '', deliveries: 0 }));
  });

  app.get('/events', {
    config: { permission: 'events:read' },
    schema: {
      tags,
      summary: 'List events, newest first',
      querystring: Type.Object(
        { ...PageQueryFields, tenantId: Type.Optional(Type.String({ maxLength: 64 })), type: Type.Optional(Type.String({ maxLength: 200 })), since: Type.Optional(Type.String({ format: 'date-time' })), until: Type.Optional(Type.String({ format: 'date-time' })) },
        { additionalProperties: false },
      ),
      response: { 200: pageOf(EventView), ...errorResponses() },
    },
  }, async (request) => {
    const q = request.query;
    const page = await rt.store.events.listEvents(scopeOf(request), { tenantId: q.tenantId, type: q.type, since: parseTime(q.since), until: parseTime(q.until) }, pageRequest(q));
    return { data: page.data.map(eventView), nextCursor: page.nextCursor };
  });

  app.get('/events/:id', {
    config: { permission: 'events:read' },
    schema: {
      tags,
      summary: 'Get an event (ids are unique per tenant; pass tenantId to pick one)',
      params: IdParams,
      querystring: Type.Object({ tenantId: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      response: { 200: EventView, ...errorResponses(404) },
    },
  }, async (request) => {
    const scope = scopeOf(request);
    const named = request.query.tenantId;
    if (named !== undefined && scope.tenantId !== null && named !== scope.tenantId) throw notFound('event', request.params.id);
    const e = await rt.store.events.getEvent(named === undefined ? scope : { tenantId: named }, request.params.id);
    if (e === undefined) throw notFound('event', request.params.id);
    return eventView(e);
  });
}

