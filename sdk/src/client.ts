// HookrelayClient: the management API as typed methods, one resource per property.
//
//   const hookrelay = new HookrelayClient({ url: 'https://hooks.example.com', apiKey: 'hr_…' });
//   await hookrelay.events.publish({ tenantId: 'acme', type: 'invoice.paid', data: { … } });
//
// Errors: ProblemError (the server's problem+json: status, code, detail, per-field errors) or
// ConnectionError. Lists return one page ({ data, nextCursor }); iterate() walks every page.
import { randomBytes } from 'node:crypto';
import type { Operations } from './operations.js';
import { Transport, type ClientOptions } from './transport.js';
import type {
  ApiKey, ApiKeyCreate, BulkRetry, CreatedApiKey, Delivery, DeliveryDetail, DeliveryQuery, ReceivedRequest, ReceivedRequestSummary, Source, SourceCreate,
  SourceQuery, SourceUpdate,
} from './types-more.js';
import type {
  Event, EventInput, EventQuery, EventType, EventTypeCreate, EventTypeUpdate, Page, PageQuery, Published, Tenant, TenantCreate, TenantUpdate, Webhook,
  WebhookCreate, WebhookHealth, WebhookQuery, WebhookSecret, WebhookTestResult, WebhookUpdate,
} from './types.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * An event id like the server's own (evt_ + 26 characters, time first, so ids sort by time).
 * The client assigns one to every event it publishes without an id, which makes a publish safe
 * to send again after a lost connection: the server recognises the id and creates nothing new.
 */
export function newEventId(now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = (ALPHABET[t % 32] ?? '0') + time;
  const random = [...randomBytes(16)].map((b) => ALPHABET[b % 32] ?? '0').join('');
  return `evt_${time}${random}`;
}

async function* pages<T, Q extends PageQuery>(list: (query: Q) => Promise<Page<T>>, query: Q): AsyncGenerator<T> {
  let cursor = query.cursor;
  do {
    const page = await list(cursor === undefined ? query : { ...query, cursor });
    yield* page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

const withId = (e: EventInput): EventInput => (e.id === undefined ? { ...e, id: newEventId() } : e);

export class HookrelayClient {
  private readonly t: Transport;

  constructor(options: ClientOptions) {
    this.t = new Transport(options);
  }

  private call<K extends keyof Operations>(op: K, input: { params?: Record<string, string>; query?: object; body?: unknown } = {}): Promise<Operations[K]['response']> {
    return this.t.call(op, input);
  }

  readonly tenants = {
    create: (body: TenantCreate): Promise<Tenant> => this.call('tenants.create', { body }),
    list: (query: PageQuery = {}): Promise<Page<Tenant>> => this.call('tenants.list', { query }),
    iterate: (query: PageQuery = {}): AsyncGenerator<Tenant> => pages(this.tenants.list, query),
    get: (id: string): Promise<Tenant> => this.call('tenants.get', { params: { id } }),
    update: (id: string, body: TenantUpdate): Promise<Tenant> => this.call('tenants.update', { params: { id }, body }),
    delete: (id: string): Promise<void> => this.call('tenants.delete', { params: { id } }),
  };

  readonly eventTypes = {
    create: (body: EventTypeCreate): Promise<EventType> => this.call('eventTypes.create', { body }),
    list: (query: PageQuery & { enabled?: boolean } = {}): Promise<Page<EventType>> => this.call('eventTypes.list', { query }),
    iterate: (query: PageQuery & { enabled?: boolean } = {}): AsyncGenerator<EventType> => pages(this.eventTypes.list, query),
    get: (name: string): Promise<EventType> => this.call('eventTypes.get', { params: { name } }),
    update: (name: string, body: EventTypeUpdate): Promise<EventType> => this.call('eventTypes.update', { params: { name }, body }),
    delete: (name: string): Promise<void> => this.call('eventTypes.delete', { params: { name } }),
  };

  readonly webhooks = {
    /** Unless `verify: false`, the server sends a test event first and refuses (400) if the endpoint does not answer 2xx. */
    create: (body: WebhookCreate): Promise<Webhook> => this.call('webhooks.create', { body }),
    list: (query: WebhookQuery = {}): Promise<Page<Webhook>> => this.call('webhooks.list', { query }),
    iterate: (query: WebhookQuery = {}): AsyncGenerator<Webhook> => pages(this.webhooks.list, query),
    get: (id: string): Promise<Webhook> => this.call('webhooks.get', { params: { id } }),
    update: (id: string, body: WebhookUpdate): Promise<Webhook> => this.call('webhooks.update', { params: { id }, body }),
    delete: (id: string): Promise<void> => this.call('webhooks.delete', { params: { id } }),
    getSecret: (id: string): Promise<WebhookSecret> => this.call('webhooks.secret', { params: { id } }),
    test: (id: string): Promise<WebhookTestResult> => this.call('webhooks.test', { params: { id } }),
    rotateSecret: (id: string, body: { overlapSeconds?: number; secret?: string } = {}): Promise<{ secret: string; previousSecretExpiresAt: string | null }> =>
      this.call('webhooks.rotateSecret', { params: { id }, body }),
    recover: (id: string, body: { since: string; until?: string }): Promise<{ requeued: number }> => this.call('webhooks.recover', { params: { id }, body }),
    health: (id: string): Promise<WebhookHealth> => this.call('webhooks.health', { params: { id } }),
  };

  readonly events = {
    /** Publishes one event; resolves once it is committed. Without an `id`, one is assigned so retries cannot duplicate it. */
    publish: (event: EventInput): Promise<Published> => this.call('events.publish', { body: withId(event) }),
    /** Publishes up to 1000 events in one request and one commit (all or nothing). */
    publishBatch: async (events: EventInput[]): Promise<Published[]> => (await this.call('events.publishBatch', { body: { events: events.map(withId) } })).events,
    list: (query: EventQuery = {}): Promise<Page<Event>> => this.call('events.list', { query }),
    iterate: (query: EventQuery = {}): AsyncGenerator<Event> => pages(this.events.list, query),
    /** Event ids are unique per tenant: pass tenantId when the key sees several tenants. */
    get: (id: string, tenantId?: string): Promise<Event> => this.call('events.get', { params: { id }, query: { tenantId } }),
  };

  readonly deliveries = {
    list: (query: DeliveryQuery = {}): Promise<Page<Delivery>> => this.call('deliveries.list', { query }),
    iterate: (query: DeliveryQuery = {}): AsyncGenerator<Delivery> => pages(this.deliveries.list, query),
    get: (id: string): Promise<DeliveryDetail> => this.call('deliveries.get', { params: { id } }),
    /** Sends a failed, canceled or delivered delivery again, now. */
    retry: (id: string): Promise<Delivery> => this.call('deliveries.retry', { params: { id } }),
    /** Requeues every delivery that matches (by default the failed queue); resolves with how many. */
    retryAll: async (filter: BulkRetry = {}): Promise<number> => (await this.call('deliveries.retryAll', { body: filter })).requeued,
  };

  readonly sources = {
    create: (body: SourceCreate): Promise<Source> => this.call('sources.create', { body }),
    list: (query: SourceQuery = {}): Promise<Page<Source>> => this.call('sources.list', { query }),
    iterate: (query: SourceQuery = {}): AsyncGenerator<Source> => pages(this.sources.list, query),
    get: (id: string): Promise<Source> => this.call('sources.get', { params: { id } }),
    update: (id: string, body: SourceUpdate): Promise<Source> => this.call('sources.update', { params: { id }, body }),
    delete: (id: string): Promise<void> => this.call('sources.delete', { params: { id } }),
    /** The requests a source accepted, newest first. */
    requests: (id: string, query: PageQuery = {}): Promise<Page<ReceivedRequestSummary>> => this.call('sources.requests', { params: { id }, query }),
    request: (id: string, requestId: string): Promise<ReceivedRequest> => this.call('sources.request', { params: { id, requestId } }),
  };

  readonly apiKeys = {
    /** The answer holds the key itself, once. */
    create: (body: ApiKeyCreate): Promise<CreatedApiKey> => this.call('apiKeys.create', { body }),
    list: (query: PageQuery = {}): Promise<Page<ApiKey>> => this.call('apiKeys.list', { query }),
    iterate: (query: PageQuery = {}): AsyncGenerator<ApiKey> => pages(this.apiKeys.list, query),
    get: (id: string): Promise<ApiKey> => this.call('apiKeys.get', { params: { id } }),
    revoke: (id: string): Promise<void> => this.call('apiKeys.revoke', { params: { id } }),
  };
}
