// Every API operation the SDK calls, once: its method and path (used by the client at run
// time) and its types (used by the resources, and by openapi.test.ts, which checks each entry
// against the server's /openapi.json — that the operation exists, and that these types agree
// with the server's schemas).
import type {
  ApiKey, ApiKeyCreate, BulkRetry, CreatedApiKey, Delivery, DeliveryDetail, DeliveryQuery, ReceivedRequest, ReceivedRequestSummary, Source, SourceCreate,
  SourceQuery, SourceUpdate,
} from './types-more.js';
import type {
  Event, EventInput, EventQuery, EventType, EventTypeCreate, EventTypeUpdate, Page, PageQuery, Published, Tenant, TenantCreate, TenantUpdate, Webhook,
  WebhookCreate, WebhookHealth, WebhookQuery, WebhookSecret, WebhookTestResult, WebhookUpdate,
} from './types.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

type Id = { id: string };
/** No parameters of this kind. */
type None = { readonly [key: string]: never };

/** `params` fill the {placeholders} of the path; `response` is what a 2xx answer holds (undefined: no body). */
export interface Operations {
  'tenants.create': { params: None; query: None; body: TenantCreate; response: Tenant };
  'tenants.list': { params: None; query: PageQuery; body: undefined; response: Page<Tenant> };
  'tenants.get': { params: Id; query: None; body: undefined; response: Tenant };
  'tenants.update': { params: Id; query: None; body: TenantUpdate; response: Tenant };
  'tenants.delete': { params: Id; query: None; body: undefined; response: undefined };

  'eventTypes.create': { params: None; query: None; body: EventTypeCreate; response: EventType };
  'eventTypes.list': { params: None; query: PageQuery & { enabled?: boolean }; body: undefined; response: Page<EventType> };
  'eventTypes.get': { params: { name: string }; query: None; body: undefined; response: EventType };
  'eventTypes.update': { params: { name: string }; query: None; body: EventTypeUpdate; response: EventType };
  'eventTypes.delete': { params: { name: string }; query: None; body: undefined; response: undefined };

  'webhooks.create': { params: None; query: None; body: WebhookCreate; response: Webhook };
  'webhooks.list': { params: None; query: WebhookQuery; body: undefined; response: Page<Webhook> };
  'webhooks.get': { params: Id; query: None; body: undefined; response: Webhook };
  'webhooks.update': { params: Id; query: None; body: WebhookUpdate; response: Webhook };
  'webhooks.delete': { params: Id; query: None; body: undefined; response: undefined };
  'webhooks.secret': { params: Id; query: None; body: undefined; response: WebhookSecret };
  'webhooks.test': { params: Id; query: None; body: undefined; response: WebhookTestResult };
  'webhooks.rotateSecret': { params: Id; query: None; body: { overlapSeconds?: number; secret?: string }; response: { secret: string; previousSecretExpiresAt: string | null } };
  'webhooks.recover': { params: Id; query: None; body: { since: string; until?: string }; response: { requeued: number } };
  'webhooks.health': { params: Id; query: None; body: undefined; response: WebhookHealth };

  'events.publish': { params: None; query: None; body: EventInput; response: Published };
  'events.publishBatch': { params: None; query: None; body: { events: EventInput[] }; response: { events: Published[] } };
  'events.list': { params: None; query: EventQuery; body: undefined; response: Page<Event> };
  'events.get': { params: Id; query: { tenantId?: string }; body: undefined; response: Event };

  'deliveries.list': { params: None; query: DeliveryQuery; body: undefined; response: Page<Delivery> };
  'deliveries.get': { params: Id; query: None; body: undefined; response: DeliveryDetail };
  'deliveries.retry': { params: Id; query: None; body: undefined; response: Delivery };
  'deliveries.retryAll': { params: None; query: None; body: BulkRetry; response: { requeued: number } };

  'sources.create': { params: None; query: None; body: SourceCreate; response: Source };
  'sources.list': { params: None; query: SourceQuery; body: undefined; response: Page<Source> };
  'sources.get': { params: Id; query: None; body: undefined; response: Source };
  'sources.update': { params: Id; query: None; body: SourceUpdate; response: Source };
  'sources.delete': { params: Id; query: None; body: undefined; response: undefined };
  'sources.requests': { params: Id; query: PageQuery; body: undefined; response: Page<ReceivedRequestSummary> };
  'sources.request': { params: Id & { requestId: string }; query: None; body: undefined; response: ReceivedRequest };

  'apiKeys.create': { params: None; query: None; body: ApiKeyCreate; response: CreatedApiKey };
  'apiKeys.list': { params: None; query: PageQuery; body: undefined; response: Page<ApiKey> };
  'apiKeys.get': { params: Id; query: None; body: undefined; response: ApiKey };
  'apiKeys.revoke': { params: Id; query: None; body: undefined; response: undefined };
}

export type OperationName = keyof Operations;

export const OPERATIONS = {
  'tenants.create': ['POST', '/api/v1/tenants'],
  'tenants.list': ['GET', '/api/v1/tenants'],
  'tenants.get': ['GET', '/api/v1/tenants/{id}'],
  'tenants.update': ['PATCH', '/api/v1/tenants/{id}'],
  'tenants.delete': ['DELETE', '/api/v1/tenants/{id}'],

  'eventTypes.create': ['POST', '/api/v1/event-types'],
  'eventTypes.list': ['GET', '/api/v1/event-types'],
  'eventTypes.get': ['GET', '/api/v1/event-types/{name}'],
  'eventTypes.update': ['PATCH', '/api/v1/event-types/{name}'],
  'eventTypes.delete': ['DELETE', '/api/v1/event-types/{name}'],

  'webhooks.create': ['POST', '/api/v1/webhooks'],
  'webhooks.list': ['GET', '/api/v1/webhooks'],
  'webhooks.get': ['GET', '/api/v1/webhooks/{id}'],
  'webhooks.update': ['PATCH', '/api/v1/webhooks/{id}'],
  'webhooks.delete': ['DELETE', '/api/v1/webhooks/{id}'],
  'webhooks.secret': ['GET', '/api/v1/webhooks/{id}/secret'],
  'webhooks.test': ['POST', '/api/v1/webhooks/{id}/test'],
  'webhooks.rotateSecret': ['POST', '/api/v1/webhooks/{id}/rotate-secret'],
  'webhooks.recover': ['POST', '/api/v1/webhooks/{id}/recover'],
  'webhooks.health': ['GET', '/api/v1/webhooks/{id}/health'],

  'events.publish': ['POST', '/api/v1/events'],
  'events.publishBatch': ['POST', '/api/v1/events'],
  'events.list': ['GET', '/api/v1/events'],
  'events.get': ['GET', '/api/v1/events/{id}'],

  'deliveries.list': ['GET', '/api/v1/deliveries'],
  'deliveries.get': ['GET', '/api/v1/deliveries/{id}'],
  'deliveries.retry': ['POST', '/api/v1/deliveries/{id}/retry'],
  'deliveries.retryAll': ['POST', '/api/v1/deliveries/retry'],

  'sources.create': ['POST', '/api/v1/sources'],
  'sources.list': ['GET', '/api/v1/sources'],
  'sources.get': ['GET', '/api/v1/sources/{id}'],
  'sources.update': ['PATCH', '/api/v1/sources/{id}'],
  'sources.delete': ['DELETE', '/api/v1/sources/{id}'],
  'sources.requests': ['GET', '/api/v1/sources/{id}/requests'],
  'sources.request': ['GET', '/api/v1/sources/{id}/requests/{requestId}'],

  'apiKeys.create': ['POST', '/api/v1/api-keys'],
  'apiKeys.list': ['GET', '/api/v1/api-keys'],
  'apiKeys.get': ['GET', '/api/v1/api-keys/{id}'],
  'apiKeys.revoke': ['DELETE', '/api/v1/api-keys/{id}'],
} as const satisfies { readonly [K in OperationName]: readonly [Method, string] };

/**
 * Operations that are safe to send again after a lost connection: reads, and publish (the
 * client gives every event an id, so a repeat is recognised and creates nothing). A repeated
 * DELETE would do no harm but would answer 404 for a delete that worked, so it is not repeated.
 */
export const RETRY_SAFE: ReadonlySet<OperationName> = new Set<OperationName>([
  ...(Object.keys(OPERATIONS) as OperationName[]).filter((k) => OPERATIONS[k][0] === 'GET'),
  'events.publish',
  'events.publishBatch',
]);
