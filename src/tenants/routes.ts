import { Type } from 'typebox';
import { AppError, notFound } from '../errors.js';
import { principalOf, scopeOf } from '../http/auth.js';
import { errorResponses, IdParams, iso, PageQueryFields, pageOf, pageRequest, Timestamp, type Api } from '../http/schemas.js';
import { newId } from '../ids.js';
import type { Tenant } from '../store/records.js';
import type { Runtime } from '../runtime.js';

const TenantId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'Letters, digits, _ . - (up to 64).' });

const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const toApi = (t: Tenant) => ({ id: t.id, name: t.name, enabled: t.enabled, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) });

function requireUnrestricted(request: Parameters<typeof principalOf>[0]): void {
  if (principalOf(request).tenantId !== null) throw new AppError('forbidden', 'A tenant-restricted key cannot create, change or delete tenants.');
}

/** A restricted key sees other tenants as missing: 404 before any permission answer. */
function hideOtherTenants(request: Parameters<typeof principalOf>[0], id: string): void {
  const own = principalOf(request).tenantId;
  if (own !== null && own !== id) throw notFound('tenant', id);
}

export function tenantRoutes(app: Api, rt: Runtime): void {
  const tags = ['tenants'];

  app.post('/tenants', {
    config: { permission: 'tenants:write' },
    schema: {
      tags,
      summary: 'Create a tenant',
      body: Type.Object({ id: Type.Optional(TenantId), name: Type.String({ minLength: 1, maxLength: 200 }), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 201: TenantSchema, ...errorResponses(409) },
    },
  }, async (request, reply) => {
    requireUnrestricted(request);
    const now = rt.clock.now();
    const tenant: Tenant = { id: request.body.id ?? newId('tenant', now), name: request.body.name, enabled: request.body.enabled ?? true, createdAt: now, updatedAt: now };
    if (!(await rt.store.tenants.insertTenant(tenant))) throw new AppError('conflict', `A tenant with id '${tenant.id}' already exists; choose another id or PATCH that tenant.`);
    return reply.code(201).header('location', `/api/v1/tenants/${tenant.id}`).send(toApi(tenant));
  });

  app.get('/tenants', {
    config: { permission: 'tenants:read' },
    schema: { tags, summary: 'List tenants', querystring: Type.Object(PageQueryFields, { additionalProperties: false }), response: { 200: pageOf(TenantSchema), ...errorResponses() } },
  }, async (request) => {
    const page = await rt.store.tenants.listTenants(scopeOf(request), pageRequest(request.query));
    return { data: page.data.map(toApi), nextCursor: page.nextCursor };
  });

  app.get('/tenants/:id', {
    config: { permission: 'tenants:read' },
    schema: { tags, summary: 'Get a tenant', params: IdParams, response: { 200: TenantSchema, ...errorResponses(404) } },
  }, async (request) => {
    const t = await rt.store.tenants.getTenant(scopeOf(request), request.params.id);
    if (t === undefined) throw notFound('tenant', request.params.id);
    return toApi(t);
  });

  app.patch('/tenants/:id', {
    config: { permission: 'tenants:write' },
    schema: {
      tags,
      summary: 'Update a tenant (a disabled tenant\'s events are refused)',
      params: IdParams,
      body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: TenantSchema, ...errorResponses(404) },
    },
  }, async (request) => {
    hideOtherTenants(request, request.params.id);
    requireUnrestricted(request);
    const t = await rt.store.tenants.updateTenant(scopeOf(request), request.params.id, request.body, rt.clock.now());
    if (t === undefined) throw notFound('tenant', request.params.id);
    return toApi(t);
  });

  app.delete('/tenants/:id', {
    config: { permission: 'tenants:write' },
    schema: { tags, summary: 'Delete a tenant and everything it owns', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    hideOtherTenants(request, request.params.id);
    requireUnrestricted(request);
    const deleted = await rt.store.transaction((tx) => tx.tenants.deleteTenant(scopeOf(request), request.params.id));
    if (!deleted) throw notFound('tenant', request.params.id);
    return reply.code(204).send(null);
  });
}
