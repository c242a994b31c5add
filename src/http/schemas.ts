// Schema pieces every resource uses. One TypeBox schema per shape validates requests, types
// the handlers and documents the API in /openapi.json.
import type { FastifyInstance, FastifyBaseLogger, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** `T` or null, as one JSON Schema type list (clearer errors than anyOf). */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const type: unknown = Reflect.get(schema, 'type');
  if (typeof type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
  return Type.Unsafe<Static<T> | null>({ anyOf: [schema, { type: 'null' }] });
}

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 time' });
export const NullableTimestamp = Nullable(Timestamp);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), rule: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const LinkSchema = Type.Object({ rel: Type.String(), href: Type.String(), method: Type.Array(Type.String()) });
export type Link = Static<typeof LinkSchema>;

export const PageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size (default 50).' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page.' })),
};

export const pageOf = <T extends TSchema>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

/** Standard error responses, for the OpenAPI document. */
export const errorResponses = (...statuses: number[]): Record<number, typeof ProblemSchema> =>
  Object.fromEntries([400, 401, 403, ...statuses].map((s) => [s, ProblemSchema]));

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function pageRequest(query: { limit?: number | undefined; cursor?: string | undefined }): { limit: number; cursor: string | undefined } {
  return { limit: query.limit ?? 50, cursor: query.cursor };
}

/** Parses an RFC 3339 query/body time into epoch ms (the schema already checked the format). */
export function parseTime(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}
