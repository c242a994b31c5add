import { Type } from 'typebox';
import { AppError, notFound } from '../errors.js';
import { principalOf, scopeOf, tenantFor } from '../http/auth.js';
import { errorResponses, IdParams, iso, isoOrNull, NullableTimestamp, Nullable, PageQueryFields, pageOf, pageRequest, Timestamp, type Api } from '../http/schemas.js';
import { newId } from '../ids.js';
import type { ApiKey } from '../store/records.js';
import type { Runtime } from '../runtime.js';
import { assertTenantExists } from '../tenants/rules.js';
import { generateApiKey, hashApiKey, keyPrefix, PERMISSIONS, type Permission } from './keys.js';

const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  keyPrefix: Type.String(),
  permissions: Type.Array(Type.String()),
  tenantId: Nullable(Type.String()),
  createdAt: Timestamp,
  lastUsedAt: NullableTimestamp,
});
const CreatedApiKey = Type.Intersect([ApiKeyView, Type.Object({ key: Type.String({ description: 'The key itself: shown only in this answer' }) })]);

const toApi = (k: ApiKey) => ({ id: k.id, name: k.name, keyPrefix: k.keyPrefix, permissions: k.permissions, tenantId: k.tenantId, createdAt: iso(k.createdAt), lastUsedAt: isoOrNull(k.lastUsedAt) });

export async function createApiKey(rt: Runtime, input: { name: string; permissions: Permission[]; tenantId: string | null }): Promise<{ record: ApiKey; key: string }> {
  const now = rt.clock.now();
  const key = generateApiKey();
  const record: ApiKey = { id: newId('apiKey', now), name: input.name, keyHash: hashApiKey(key), keyPrefix: keyPrefix(key), permissions: [...new Set(input.permissions)], tenantId: input.tenantId, createdAt: now, lastUsedAt: null, revokedAt: null };
  await rt.store.apiKeys.insertApiKey(record);
  return { record, key };
}

export function apiKeyRoutes(app: Api, rt: Runtime): void {
  const tags = ['api-keys'];

  app.post('/api-keys', {
    config: { permission: 'api-keys:write' },
    schema: {
      tags,
      summary: 'Create an API key (the key is returned once)',
      body: Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 200 }),
          permissions: Type.Array(Type.Enum([...PERMISSIONS]), { minItems: 1, maxItems: PERMISSIONS.length, uniqueItems: true }),
          tenantId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'Restrict the key to one tenant' }))),
        },
        { additionalProperties: false },
      ),
      response: { 201: CreatedApiKey, ...errorResponses(404, 422) },
    },
  }, async (request, reply) => {
    const caller = principalOf(request);
    const body = request.body;
    const tenantId = caller.tenantId !== null || (body.tenantId !== undefined && body.tenantId !== null) ? tenantFor(request, body.tenantId ?? undefined) : null;
    // A key can only hand out what it holds: no escalation through key creation.
    if (!caller.permissions.includes('admin')) {
      const extra = body.permissions.filter((p) => !caller.permissions.includes(p));
      if (extra.length > 0) throw new AppError('forbidden', `This key cannot grant permissions it does not hold: ${extra.join(', ')}.`);
    }
    if (tenantId !== null) await assertTenantExists(rt.store, tenantId);
    const { record, key } = await createApiKey(rt, { name: body.name, permissions: body.permissions, tenantId });
    request.log.info({ apiKeyId: record.id, tenantId }, 'api key created');
    return reply.code(201).send({ ...toApi(record), key });
  });

  app.get('/api-keys', {
    config: { permission: 'api-keys:read' },
    schema: { tags, summary: 'List active API keys (never the keys themselves)', querystring: Type.Object(PageQueryFields, { additionalProperties: false }), response: { 200: pageOf(ApiKeyView), ...errorResponses() } },
  }, async (request) => {
    const page = await rt.store.apiKeys.listApiKeys(scopeOf(request), pageRequest(request.query));
    return { data: page.data.map(toApi), nextCursor: page.nextCursor };
  });

  app.get('/api-keys/:id', {
    config: { permission: 'api-keys:read' },
    schema: { tags, summary: 'Get an API key', params: IdParams, response: { 200: ApiKeyView, ...errorResponses(404) } },
  }, async (request) => {
    const k = await rt.store.apiKeys.getApiKey(scopeOf(request), request.params.id);
    if (k === undefined || k.revokedAt !== null) throw notFound('API key', request.params.id);
    return toApi(k);
  });

  app.delete('/api-keys/:id', {
    config: { permission: 'api-keys:write' },
    schema: { tags, summary: 'Revoke an API key', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    if (!(await rt.store.apiKeys.revokeApiKey(scopeOf(request), request.params.id, rt.clock.now()))) throw notFound('API key', request.params.id);
    rt.apiKeys.forget(request.params.id);
    return reply.code(204).send(null);
  });
}
