// The source resource: request shapes (create, patch) with the documented ranges, the view
// (credentials never included), and the received-request views.
import { Type, type Static } from 'typebox';
import { EVENT_TYPE_PATTERN } from '../event-types/routes.js';
import { EventView } from '../events/schemas.js';
import { LinkSchema, Nullable, Timestamp } from '../http/schemas.js';

export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
export const MAX_BODY_BYTES = 10_485_760;
export const DEFAULT_CONTENT_TYPES = ['application/json'];

/** A JSON pointer (RFC 6901) that names something: "/type", "/event/name", "/a~1b". */
export const POINTER_PATTERN = '^(/([^~/]|~[01])*)+$';
/** A media type or range: type/subtype, type/*, or * / * (no parameters). */
export const MEDIA_RANGE_PATTERN = '^([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}|\\*)|\\*/\\*)$';
const HEADER_NAME_PATTERN = '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,100}$';
/** whsec_ + base64 (the prefix is optional: some senders hand out the bare key). */
export const HMAC_SECRET_PATTERN = '^(whsec_)?[A-Za-z0-9+/]{16,200}={0,2}$';

const AuthNone = Type.Object({ type: Type.Literal('none') }, { additionalProperties: false });
const AuthBasic = Type.Object(
  {
    type: Type.Literal('basic'),
    username: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^:]*$' }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'write-only' })),
  },
  { additionalProperties: false },
);
const AuthHeader = Type.Object(
  {
    type: Type.Literal('header'),
    headerName: Type.String({ pattern: HEADER_NAME_PATTERN, description: 'e.g. X-Webhook-Token; its value is compared with token' }),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'write-only' })),
  },
  { additionalProperties: false },
);
const AuthHmac = Type.Object(
  {
    type: Type.Literal('hmac'),
    secret: Type.Optional(Type.String({ pattern: HMAC_SECRET_PATTERN, description: 'Standard Webhooks signing secret (whsec_…), as the sender shows it; write-only' })),
  },
  { additionalProperties: false },
);
const AuthOAuth2 = Type.Object(
  {
    type: Type.Literal('oauth2'),
    jwksUrl: Type.String({ minLength: 1, maxLength: 2048, description: "The issuer's JSON Web Key Set, e.g. https://auth.example.com/.well-known/jwks.json" }),
    issuer: Type.String({ minLength: 1, maxLength: 2048, description: 'Required iss claim' }),
    audience: Type.String({ minLength: 1, maxLength: 2048, description: 'Required aud claim' }),
  },
  { additionalProperties: false },
);
export const SourceAuthInput = Type.Union([AuthNone, AuthBasic, AuthHeader, AuthHmac, AuthOAuth2], {
  description: 'How callers of /in/{id} authenticate; secrets are write-only',
});
export type SourceAuthInputT = Static<typeof SourceAuthInput>;

const ResponseInput = Type.Object(
  {
    status: Type.Optional(Type.Enum([200, 202, 204], { description: 'Status of an accepted request (default 200)' })),
    body: Type.Optional(Type.Unknown({ description: 'Static body: null = none (default), a string = text/plain, anything else = JSON' })),
  },
  { additionalProperties: false },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 2000 }),
  enabled: Type.Boolean(),
  auth: SourceAuthInput,
  eventType: Nullable(Type.String({ pattern: EVENT_TYPE_PATTERN, description: 'Type of every event, or the fallback when eventTypePointer finds none' })),
  eventTypePointer: Nullable(Type.String({ pattern: POINTER_PATTERN, maxLength: 500, description: 'JSON pointer to the event type in a JSON body, e.g. /type' })),
  response: ResponseInput,
  contentTypes: Type.Array(Type.String({ pattern: MEDIA_RANGE_PATTERN }), { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Accepted media types, e.g. application/json, text/*, */* (default [application/json])' }),
  maxBodyBytes: Type.Integer({ minimum: 1, maximum: MAX_BODY_BYTES, description: `Largest accepted body (default ${DEFAULT_MAX_BODY_BYTES})` }),
  rateLimitPerSecond: Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: 'Requests per second this source accepts; null = unlimited' })),
};

export const CreateSourceBody = Type.Object(
  {
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    name: fields.name,
    description: Type.Optional(fields.description),
    enabled: Type.Optional(fields.enabled),
    auth: fields.auth,
    eventType: Type.Optional(fields.eventType),
    eventTypePointer: Type.Optional(fields.eventTypePointer),
    response: Type.Optional(fields.response),
    contentTypes: Type.Optional(fields.contentTypes),
    maxBodyBytes: Type.Optional(fields.maxBodyBytes),
    rateLimitPerSecond: Type.Optional(fields.rateLimitPerSecond),
  },
  { additionalProperties: false },
);
export type CreateSourceBodyT = Static<typeof CreateSourceBody>;

export const PatchSourceBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    description: Type.Optional(fields.description),
    enabled: Type.Optional(fields.enabled),
    auth: Type.Optional(fields.auth),
    eventType: Type.Optional(fields.eventType),
    eventTypePointer: Type.Optional(fields.eventTypePointer),
    response: Type.Optional(fields.response),
    contentTypes: Type.Optional(fields.contentTypes),
    maxBodyBytes: Type.Optional(fields.maxBodyBytes),
    rateLimitPerSecond: Type.Optional(fields.rateLimitPerSecond),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PatchSourceBodyT = Static<typeof PatchSourceBody>;

const AuthView = Type.Object(
  {
    type: Type.Enum(['none', 'basic', 'header', 'hmac', 'oauth2']),
    username: Type.Optional(Type.String()),
    headerName: Type.Optional(Type.String()),
    jwksUrl: Type.Optional(Type.String()),
    issuer: Type.Optional(Type.String()),
    audience: Type.Optional(Type.String()),
    hasSecret: Type.Optional(Type.Boolean({ description: 'A write-only credential is set' })),
  },
  { description: 'Authentication settings; passwords, tokens and signing secrets are never returned' },
);
export type SourceAuthViewT = Static<typeof AuthView>;

export const SourceView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  enabled: Type.Boolean(),
  url: Type.String({ description: 'Path third parties send to: /in/{id}' }),
  auth: AuthView,
  eventType: Nullable(Type.String()),
  eventTypePointer: Nullable(Type.String()),
  response: Type.Object({ status: Type.Integer(), body: Type.Unknown() }),
  contentTypes: Type.Array(Type.String()),
  maxBodyBytes: Type.Integer(),
  rateLimitPerSecond: Nullable(Type.Number()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  links: Type.Array(LinkSchema),
});

const requestFields = {
  id: Type.String(),
  sourceId: Type.String(),
  tenantId: Type.String(),
  method: Type.String(),
  query: Type.String({ description: 'The query string as received, without the leading ?' }),
  contentType: Nullable(Type.String()),
  bodyBytes: Type.Integer(),
  dedupKey: Nullable(Type.String({ description: 'webhook-id:… or idempotency-key:… when the sender gave one' })),
  remoteAddress: Nullable(Type.String()),
  receivedAt: Timestamp,
  eventId: Nullable(Type.String({ description: 'The event this request became' })),
  links: Type.Array(LinkSchema),
};

export const RequestSummaryView = Type.Object(requestFields);

export const RequestView = Type.Object({
  ...requestFields,
  headers: Type.Record(Type.String(), Type.String(), { description: 'Credentials (authorization, cookies, the auth header) read [redacted]' }),
  bodyEncoding: Type.Enum(['utf8', 'base64']),
  body: Type.String(),
  event: Nullable(EventView),
});
