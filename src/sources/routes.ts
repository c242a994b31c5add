// The sources API under /api/v1: tenant-scoped CRUD (credentials write-only) and the requests
// each source received, with the event each became. A tenant-restricted key sees other
// tenants' sources and requests as 404.
import { Type } from 'typebox';
import { notFound } from '../errors.js';
import { eventView } from '../events/routes.js';
import { scopeOf, tenantFor } from '../http/auth.js';
import { errorResponses, IdParams, iso, PageQueryFields, pageOf, pageRequest, type Api } from '../http/schemas.js';
import { newId } from '../ids.js';
import type { Runtime } from '../runtime.js';
import { assertTenantExists } from '../tenants/rules.js';
import type { InboundRequest, InboundRequestSummary } from '../store/sources.js';
import { inboundState } from './cache.js';
import { CreateSourceBody, PatchSourceBody, RequestSummaryView, RequestView, SourceView } from './schemas.js';
import { buildSource, conflict, patchSource, sourceView } from './service.js';

const RequestParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), requestId: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

function requestLinks(r: InboundRequestSummary) {
  return [
    { rel: 'self', href: `/api/v1/sources/${r.sourceId}/requests/${r.id}`, method: ['GET'] },
    { rel: 'source', href: `/api/v1/sources/${r.sourceId}`, method: ['GET'] },
    { rel: 'event', href: `/api/v1/events/${encodeURIComponent(r.eventId)}?tenantId=${encodeURIComponent(r.tenantId)}`, method: ['GET'] },
  ];
}

function summaryView(r: InboundRequestSummary) {
  return {
    id: r.id, sourceId: r.sourceId, tenantId: r.tenantId, method: r.method, query: r.query, contentType: r.contentType, bodyBytes: r.bodyBytes,
    dedupKey: r.dedupKey, remoteAddress: r.remoteAddress, receivedAt: iso(r.receivedAt), eventId: r.eventId, links: requestLinks(r),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bodyView(body: Buffer): { bodyEncoding: 'utf8' | 'base64'; body: string } {
  try {
    return { bodyEncoding: 'utf8', body: utf8.decode(body) };
  } catch {
    return { bodyEncoding: 'base64', body: body.toString('base64') };
  }
}

export function sourceRoutes(app: Api, rt: Runtime): void {
  const tags = ['sources'];
  const cache = inboundState(rt).sources;

  app.post('/sources', {
    config: { permission: 'sources:write' },
    schema: { tags, summary: 'Create a source: an inbound endpoint /in/{id} whose accepted requests become events of its tenant', body: CreateSourceBody, response: { 201: SourceView, ...errorResponses(404, 422) } },
  }, async (request, reply) => {
    const tenantId = tenantFor(request, request.body.tenantId);
    await assertTenantExists(rt.store, tenantId);
    const now = rt.clock.now();
    const source = await buildSource(rt.config, tenantId, newId('source', now), request.body, now);
    await rt.store.sources.insertSource(source);
    cache.forget(source.id);
    request.log.info({ sourceId: source.id, tenantId, auth: source.auth.type }, 'source created');
    return reply.code(201).header('location', `/api/v1/sources/${source.id}`).send(sourceView(source));
  });

  app.get('/sources', {
    config: { permission: 'sources:read' },
    schema: {
      tags,
      summary: 'List sources',
      querystring: Type.Object({ ...PageQueryFields, tenantId: Type.Optional(Type.String({ maxLength: 64 })), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: pageOf(SourceView), ...errorResponses() },
    },
  }, async (request) => {
    const page = await rt.store.sources.listSources(scopeOf(request), { tenantId: request.query.tenantId, enabled: request.query.enabled }, pageRequest(request.query));
    return { data: page.data.map(sourceView), nextCursor: page.nextCursor };
  });

  app.get('/sources/:id', {
    config: { permission: 'sources:read' },
    schema: { tags, summary: 'Get a source', params: IdParams, response: { 200: SourceView, ...errorResponses(404) } },
  }, async (request) => {
    const s = await rt.store.sources.getSource(scopeOf(request), request.params.id);
    if (s === undefined) throw notFound('source', request.params.id);
    return sourceView(s);
  });

  app.patch('/sources/:id', {
    config: { permission: 'sources:write' },
    schema: { tags, summary: 'Change a source; a credential left out of auth is kept when the auth type stays the same', params: IdParams, body: PatchSourceBody, response: { 200: SourceView, ...errorResponses(404, 409) } },
  }, async (request) => {
    const current = await rt.store.sources.getSource(scopeOf(request), request.params.id);
    if (current === undefined) throw notFound('source', request.params.id);
    const next = await patchSource(rt.config, current, request.body, rt.clock.now());
    if (!(await rt.store.sources.saveSource(next, current.version))) throw conflict(current.id);
    cache.forget(current.id);
    request.log.info({ sourceId: current.id, enabled: next.enabled, auth: next.auth.type }, 'source changed');
    return sourceView(next);
  });

  app.delete('/sources/:id', {
    config: { permission: 'sources:write' },
    schema: { tags, summary: 'Delete a source and its received requests (the events they became stay)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    const deleted = await rt.store.transaction((tx) => tx.sources.deleteSource(scopeOf(request), request.params.id));
    if (!deleted) throw notFound('source', request.params.id);
    cache.forget(request.params.id);
    request.log.info({ sourceId: request.params.id }, 'source deleted');
    return reply.code(204).send(null);
  });

  app.get('/sources/:id/requests', {
    config: { permission: 'sources:read' },
    schema: {
      tags,
      summary: 'List the requests a source accepted, newest first',
      params: IdParams,
      querystring: Type.Object(PageQueryFields, { additionalProperties: false }),
      response: { 200: pageOf(RequestSummaryView), ...errorResponses(404) },
    },
  }, async (request) => {
    const scope = scopeOf(request);
    const source = await rt.store.sources.getSource(scope, request.params.id);
    if (source === undefined) throw notFound('source', request.params.id);
    const page = await rt.store.sources.listRequests(scope, source.id, pageRequest(request.query));
    return { data: page.data.map(summaryView), nextCursor: page.nextCursor };
  });

  app.get('/sources/:id/requests/:requestId', {
    config: { permission: 'sources:read' },
    schema: { tags, summary: 'Get one received request: redacted headers, body, and the event it became', params: RequestParams, response: { 200: RequestView, ...errorResponses(404) } },
  }, async (request) => {
    const scope = scopeOf(request);
    const r: InboundRequest | undefined = await rt.store.sources.getRequest(scope, request.params.id, request.params.requestId);
    if (r === undefined) throw notFound('request', request.params.requestId);
    const event = await rt.store.events.getEvent({ tenantId: r.tenantId }, r.eventId);
    return { ...summaryView(r), headers: r.headers, ...bodyView(r.body), event: event === undefined ? null : eventView(event) };
  });
}
