import { Type, type Static } from 'typebox';
import { EVENT_TYPE_PATTERN } from '../event-types/routes.js';
import { LinkSchema, Nullable, Timestamp } from '../http/schemas.js';

export const EVENT_ID_PATTERN = '^[A-Za-z0-9_.:@+=/-]{1,255}$';

export const EventInput = Type.Object(
  {
    tenantId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Required unless the API key is restricted to one tenant' })),
    type: Type.String({ pattern: EVENT_TYPE_PATTERN }),
    id: Type.Optional(Type.String({ pattern: EVENT_ID_PATTERN, description: 'Idempotency id, unique per tenant; generated (evt_…) when omitted' })),
    timestamp: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened (default: now)' })),
    data: Type.Unknown({ description: 'The event payload (any JSON value)' }),
  },
  { additionalProperties: false },
);
export type EventInputT = Static<typeof EventInput>;

export const MAX_BATCH_EVENTS = 1000;
export const EventBatchInput = Type.Object({ events: Type.Array(EventInput, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) }, { additionalProperties: false });
export type EventBatchInputT = Static<typeof EventBatchInput>;

export const IngestBody = Type.Union([EventInput, EventBatchInput], { description: 'One event, or { "events": [ …up to 1000… ] }' });

export const IngestResult = Type.Object({ id: Type.String(), deliveries: Type.Integer({ description: 'Deliveries created (for a repeated id: those created the first time)' }) });
export const IngestResponse = Type.Union([IngestResult, Type.Object({ events: Type.Array(IngestResult) })]);

export const EventView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  type: Type.String(),
  timestamp: Timestamp,
  data: Type.Unknown(),
  receivedAt: Timestamp,
  deliveries: Type.Integer(),
  sourceId: Nullable(Type.String()),
  links: Type.Array(LinkSchema),
});
