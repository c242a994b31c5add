// The webhook resource: request shapes (create, patch) with the documented ranges, the
// response shape (credentials never included), and the defaults that fill what a create omits.
import { Type, type Static } from 'typebox';
import { Nullable, LinkSchema, NullableTimestamp, Timestamp } from '../http/schemas.js';
import type { WebhookSettings } from '../store/records.js';

export const WEBHOOK_DEFAULTS: WebhookSettings = {
  method: 'POST',
  includePayload: true,
  headers: {},
  batch: { maxEvents: 1, maxWaitMs: 0 },
  timeoutMs: 5000,
  retry: { initialDelayMs: 5000, maxDelayMs: 3_600_000, maxDurationSeconds: 86_400 },
  maxConcurrency: 10,
  rateLimitPerSecond: null,
  ordering: 'none',
  successStatuses: null,
  activationDelaySeconds: 0,
  autoDisableAfterHours: 120,
  description: '',
};

export const SECRET_PATTERN = '^whsec_[A-Za-z0-9+/]{24,88}={0,2}$';

const EventTypePattern = Type.String({ pattern: '^[A-Za-z0-9*][A-Za-z0-9_.:/*-]{0,199}$', description: 'An event type name, or a pattern with * (e.g. invoice.*, or * for all)' });
const HeaderMap = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 2000 }), { maxProperties: 50 });

const Batch = Type.Object(
  {
    maxEvents: Type.Integer({ minimum: 1, maximum: 10000, description: 'Events per request; 1 sends a single event object' }),
    maxWaitMs: Type.Integer({ minimum: 0, maximum: 30000, description: 'Longest wait for a batch to fill, from its oldest event' }),
  },
  { additionalProperties: false },
);
const Retry = Type.Object(
  {
    initialDelayMs: Type.Integer({ minimum: 100, maximum: 86_400_000 }),
    maxDelayMs: Type.Integer({ minimum: 100, maximum: 86_400_000 }),
    maxDurationSeconds: Type.Integer({ minimum: 0, maximum: 604_800, description: '0 = no retries' }),
  },
  { additionalProperties: false },
);
const PartialRetry = Type.Partial(Retry, { additionalProperties: false });
const PartialBatch = Type.Partial(Batch, { additionalProperties: false });

const AuthNone = Type.Object({ type: Type.Literal('none') }, { additionalProperties: false });
const AuthHeader = Type.Object(
  {
    type: Type.Literal('header'),
    headerName: Type.String({ pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]{1,100}$', description: 'e.g. X-Webhook-Token' }),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'write-only' })),
  },
  { additionalProperties: false },
);
const AuthBasic = Type.Object(
  {
    type: Type.Literal('basic'),
    username: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^:]*$' }),
    password: Type.Optional(Type.String({ maxLength: 1000, description: 'write-only' })),
  },
  { additionalProperties: false },
);
const AuthOAuth2 = Type.Object(
  {
    type: Type.Literal('oauth2'),
    tokenUrl: Type.String({ minLength: 1, maxLength: 2048 }),
    clientId: Type.String({ minLength: 1, maxLength: 500 }),
    clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'write-only' })),
    scope: Type.Optional(Type.String({ maxLength: 2000 })),
    audience: Type.Optional(Type.String({ maxLength: 2000 })),
    tokenLifetimeHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 8760, description: 'Used when the token response has no expires_in' })),
    clientAuth: Type.Optional(Type.Enum(['basic', 'post'], { description: 'How the client authenticates to the token endpoint (default basic)' })),
  },
  { additionalProperties: false },
);
export const AuthInput = Type.Union([AuthNone, AuthHeader, AuthBasic, AuthOAuth2], { description: 'How hookrelay authenticates to the endpoint; secrets are write-only' });
export type AuthInputT = Static<typeof AuthInput>;

const commonFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 2000 }),
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  method: Type.Enum(['POST', 'PUT', 'PATCH', 'GET']),
  eventTypes: Type.Array(EventTypePattern, { minItems: 1, maxItems: 200, uniqueItems: true }),
  enabled: Type.Boolean(),
  includePayload: Type.Boolean(),
  headers: HeaderMap,
  auth: AuthInput,
  timeoutMs: Type.Integer({ minimum: 1000, maximum: 30000 }),
  maxConcurrency: Type.Integer({ minimum: 1, maximum: 1000 }),
  rateLimitPerSecond: Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 100000, description: 'Requests per second; null = unlimited' })),
  ordering: Type.Enum(['none', 'fifo']),
  successStatuses: Nullable(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, maxItems: 100, uniqueItems: true, description: 'null = any 2xx' })),
  activationDelaySeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
  autoDisableAfterHours: Type.Integer({ minimum: 1, maximum: 8760 }),
};

export const CreateWebhookBody = Type.Object(
  {
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    name: commonFields.name,
    url: commonFields.url,
    eventTypes: Type.Optional(commonFields.eventTypes),
    description: Type.Optional(commonFields.description),
    method: Type.Optional(commonFields.method),
    enabled: Type.Optional(commonFields.enabled),
    includePayload: Type.Optional(commonFields.includePayload),
    headers: Type.Optional(commonFields.headers),
    auth: Type.Optional(commonFields.auth),
    batch: Type.Optional(PartialBatch),
    timeoutMs: Type.Optional(commonFields.timeoutMs),
    retry: Type.Optional(PartialRetry),
    maxConcurrency: Type.Optional(commonFields.maxConcurrency),
    rateLimitPerSecond: Type.Optional(commonFields.rateLimitPerSecond),
    ordering: Type.Optional(commonFields.ordering),
    successStatuses: Type.Optional(commonFields.successStatuses),
    activationDelaySeconds: Type.Optional(commonFields.activationDelaySeconds),
    autoDisableAfterHours: Type.Optional(commonFields.autoDisableAfterHours),
    secret: Type.Optional(Type.String({ pattern: SECRET_PATTERN, description: 'Bring your own signing secret (whsec_ + base64)' })),
    verify: Type.Optional(Type.Boolean({ description: 'Send a test event first and refuse to create on a non-2xx answer (default true)' })),
  },
  { additionalProperties: false },
);
export type CreateWebhookBodyT = Static<typeof CreateWebhookBody>;

/** Everything a create takes except the tenant, the secret (rotate-secret) and verify; all optional, at least one. */
export const PatchWebhookBody = Type.Partial(Type.Omit(CreateWebhookBody, ['tenantId', 'secret', 'verify']), { additionalProperties: false, minProperties: 1 });
export type PatchWebhookBodyT = Static<typeof PatchWebhookBody>;

const AuthView = Type.Object(
  {
    type: Type.Enum(['none', 'header', 'basic', 'oauth2']),
    headerName: Type.Optional(Type.String()),
    username: Type.Optional(Type.String()),
    tokenUrl: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    audience: Type.Optional(Type.String()),
    tokenLifetimeHours: Type.Optional(Type.Number()),
    clientAuth: Type.Optional(Type.String()),
    hasSecret: Type.Optional(Type.Boolean({ description: 'A write-only credential is set' })),
  },
  { description: 'Authentication settings; tokens, passwords and client secrets are never returned' },
);
export type AuthViewT = Static<typeof AuthView>;

export const WebhookView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  url: Type.String(),
  method: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  includePayload: Type.Boolean(),
  headers: Type.Record(Type.String(), Type.String()),
  auth: AuthView,
  batch: Batch,
  timeoutMs: Type.Integer(),
  retry: Retry,
  maxConcurrency: Type.Integer(),
  rateLimitPerSecond: Nullable(Type.Number()),
  ordering: Type.String(),
  successStatuses: Nullable(Type.Array(Type.Integer())),
  activationDelaySeconds: Type.Integer(),
  autoDisableAfterHours: Type.Integer(),
  secret: Type.Optional(Type.String({ description: 'Only in the answer to create, rotate-secret and GET …/secret' })),
  secretPrefix: Type.String({ description: 'First characters of the signing secret, to tell secrets apart' }),
  disabledReason: Nullable(Type.String()),
  disabledAt: NullableTimestamp,
  activeFrom: Timestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  links: Type.Array(LinkSchema),
});
