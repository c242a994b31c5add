import { Type } from 'typebox';
import { LinkSchema, Nullable, NullableTimestamp, PageQueryFields, Timestamp } from '../http/schemas.js';
import { DELIVERY_STATES } from '../store/records.js';

export const DeliveryState = Type.Enum([...DELIVERY_STATES]);

export const DeliveryView = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  webhookId: Type.String(),
  tenantId: Type.String(),
  eventType: Type.String(),
  state: DeliveryState,
  attempts: Type.Integer(),
  occurredAt: Timestamp,
  createdAt: Timestamp,
  firstAttemptAt: NullableTimestamp,
  lastAttemptAt: NullableTimestamp,
  nextAttemptAt: NullableTimestamp,
  deliveredAt: NullableTimestamp,
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  failedReason: Nullable(Type.String({ description: 'Why it is in the failed queue: retries_exhausted, no_retries, token_unavailable, webhook_disabled, …' })),
  batchId: Nullable(Type.String()),
  links: Type.Array(LinkSchema),
});

export const AttemptView = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  batchId: Nullable(Type.String()),
  eventCount: Type.Integer(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  status: Nullable(Type.Integer()),
  outcome: Type.Enum(['success', 'failure']),
  error: Nullable(Type.String()),
  errorClass: Nullable(Type.String()),
  url: Type.String(),
  method: Type.String(),
  requestHeaders: Type.Record(Type.String(), Type.String(), { description: 'As sent, with credentials redacted' }),
  responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
  responseExcerpt: Nullable(Type.String({ description: 'First 4 KiB of the response body' })),
});

export const DeliveryDetail = Type.Intersect([DeliveryView, Type.Object({ attemptLog: Type.Array(AttemptView, { description: "Every HTTP request that carried this delivery, newest first" }) })]);

export const filterFields = {
  tenantId: Type.Optional(Type.String({ maxLength: 64 })),
  webhookId: Type.Optional(Type.String({ maxLength: 64 })),
  eventId: Type.Optional(Type.String({ maxLength: 255 })),
  eventType: Type.Optional(Type.String({ maxLength: 200 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Created before' })),
};

export const ListDeliveriesQuery = Type.Object({ ...PageQueryFields, ...filterFields, state: Type.Optional(DeliveryState) }, { additionalProperties: false });

export const BulkRetryBody = Type.Object(
  { ...filterFields, state: Type.Optional(Type.Enum(['failed', 'canceled', 'delivered'], { description: 'Which deliveries to send again (default failed)' })) },
  { additionalProperties: false },
);
