import { Type } from 'typebox';
import { AppError, invalidField } from '../errors.js';
import { principalOf } from '../http/auth.js';
import { errorResponses, iso, Nullable, PageQueryFields, pageOf, pageRequest, Timestamp, type Api } from '../http/schemas.js';
import type { EventType } from '../store/records.js';
import type { Runtime } from '../runtime.js';
import { OPERATIONAL_PREFIX } from '../webhooks/match.js';
import { compileSchema } from './validator.js';

/** `invoice.paid`, `UserPackage.Updated`, `order:created`: no spaces, no `*`. */
export const EVENT_TYPE_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$';
const EventTypeName = Type.String({ pattern: EVENT_TYPE_PATTERN, description: 'Entity.Action style name, e.g. UserPackage.Updated' });
const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema (2020-12) that event data must satisfy' });

const EventTypeSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  schema: Nullable(JsonSchema),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const toApi = (t: EventType) => ({ name: t.name, description: t.description, enabled: t.enabled, schema: t.schema, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) });

function checkSchema(schema: Record<string, unknown> | null | undefined): void {
  if (schema === null || schema === undefined) return;
  const compiled = compileSchema(schema);
  if (!compiled.ok) throw invalidField('/body/schema', 'schema', `/body/schema is not a usable JSON Schema: ${compiled.message}`);
}

function requireUnrestricted(request: Parameters<typeof principalOf>[0]): void {
  if (principalOf(request).tenantId !== null) throw new AppError('forbidden', 'Event types are shared by all tenants; a tenant-restricted key cannot change them.');
}

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export function eventTypeRoutes(app: Api, rt: Runtime): void {
  const tags = ['event-types'];
  const notFound = (name: string) => new AppError('not_found', `No event type named '${name}' exists.`);

  app.post('/event-types', {
    config: { permission: 'event-types:write' },
    schema: {
      tags,
      summary: 'Add an event type to the catalogue',
      body: Type.Object(
        { name: EventTypeName, description: Type.Optional(Type.String({ maxLength: 2000 })), enabled: Type.Optional(Type.Boolean()), schema: Type.Optional(Nullable(JsonSchema)) },
        { additionalProperties: false },
      ),
      response: { 201: EventTypeSchema, ...errorResponses(409) },
    },
  }, async (request, reply) => {
    requireUnrestricted(request);
    const body = request.body;
    if (body.name.startsWith(OPERATIONAL_PREFIX)) throw invalidField('/body/name', 'reserved', `/body/name: names starting with '${OPERATIONAL_PREFIX}' are reserved for hookrelay's own events.`);
    checkSchema(body.schema);
    const now = rt.clock.now();
    const t: EventType = { name: body.name, description: body.description ?? '', enabled: body.enabled ?? true, schema: body.schema ?? null, createdAt: now, updatedAt: now };
    if (!(await rt.store.eventTypes.insertEventType(t))) throw new AppError('conflict', `Event type '${t.name}' already exists; PATCH it to change it.`);
    rt.eventTypes.invalidate(t.name);
    return reply.code(201).header('location', `/api/v1/event-types/${encodeURIComponent(t.name)}`).send(toApi(t));
  });

  app.get('/event-types', {
    config: { permission: 'event-types:read' },
    schema: {
      tags,
      summary: 'List event types',
      querystring: Type.Object({ ...PageQueryFields, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: pageOf(EventTypeSchema), ...errorResponses() },
    },
  }, async (request) => {
    const page = await rt.store.eventTypes.listEventTypes(pageRequest(request.query), { enabled: request.query.enabled });
    return { data: page.data.map(toApi), nextCursor: page.nextCursor };
  });

  app.get('/event-types/:name', {
    config: { permission: 'event-types:read' },
    schema: { tags, summary: 'Get an event type', params: NameParams, response: { 200: EventTypeSchema, ...errorResponses(404) } },
  }, async (request) => {
    const t = await rt.store.eventTypes.getEventType(request.params.name);
    if (t === undefined) throw notFound(request.params.name);
    return toApi(t);
  });

  app.patch('/event-types/:name', {
    config: { permission: 'event-types:write' },
    schema: {
      tags,
      summary: 'Change an event type (a disabled type is accepted but creates no deliveries)',
      params: NameParams,
      body: Type.Object(
        { description: Type.Optional(Type.String({ maxLength: 2000 })), enabled: Type.Optional(Type.Boolean()), schema: Type.Optional(Nullable(JsonSchema)) },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 200: EventTypeSchema, ...errorResponses(404) },
    },
  }, async (request) => {
    requireUnrestricted(request);
    checkSchema(request.body.schema);
    const current = await rt.store.eventTypes.getEventType(request.params.name);
    if (current === undefined) throw notFound(request.params.name);
    if (current.name.startsWith(OPERATIONAL_PREFIX) && request.body.schema !== undefined) {
      throw invalidField('/body/schema', 'reserved', "hookrelay's own event types have a fixed shape; only description and enabled can change.");
    }
    const next: EventType = {
      ...current,
      description: request.body.description ?? current.description,
      enabled: request.body.enabled ?? current.enabled,
      schema: request.body.schema === undefined ? current.schema : request.body.schema,
      updatedAt: rt.clock.now(),
    };
    await rt.store.eventTypes.updateEventType(next);
    rt.eventTypes.invalidate(next.name);
    return toApi(next);
  });

  app.delete('/event-types/:name', {
    config: { permission: 'event-types:write' },
    schema: { tags, summary: 'Remove an event type from the catalogue (events of that type are still accepted)', params: NameParams, response: { 204: Type.Null(), ...errorResponses(404) } },
  }, async (request, reply) => {
    requireUnrestricted(request);
    if (request.params.name.startsWith(OPERATIONAL_PREFIX)) throw invalidField('/params/name', 'reserved', "hookrelay's own event types cannot be deleted; disable them instead.");
    if (!(await rt.store.eventTypes.deleteEventType(request.params.name))) throw notFound(request.params.name);
    rt.eventTypes.invalidate(request.params.name);
    return reply.code(204).send(null);
  });
}
