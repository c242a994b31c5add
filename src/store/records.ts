// The shapes the Store hands out. They are storage-neutral (times in epoch ms, JSON parsed)
// and are turned into API shapes by each domain's routes.

/** Which tenants a call may touch: one tenant, or all (`null`, an unrestricted key or the engine). */
export interface Scope {
  readonly tenantId: string | null;
}
export const ALL_TENANTS: Scope = Object.freeze({ tenantId: null });
export const tenantScope = (tenantId: string): Scope => Object.freeze({ tenantId });

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Tenant {
  id: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface EventType {
  name: string;
  description: string;
  enabled: boolean;
  schema: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiKey {
  id: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  permissions: string[];
  tenantId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'GET';

export type WebhookAuth =
  | { type: 'none' }
  | { type: 'header'; headerName: string; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      tokenLifetimeHours?: number;
      clientAuth: 'basic' | 'post';
    };

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  maxDurationSeconds: number;
}

export interface WebhookSettings {
  method: HttpMethod;
  includePayload: boolean;
  headers: Record<string, string>;
  batch: { maxEvents: number; maxWaitMs: number };
  timeoutMs: number;
  retry: RetryPolicy;
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
  ordering: 'none' | 'fifo';
  successStatuses: number[] | null;
  activationDelaySeconds: number;
  autoDisableAfterHours: number;
  description: string;
}

export interface Webhook {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  enabled: boolean;
  eventTypes: string[];
  settings: WebhookSettings;
  auth: WebhookAuth;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: number | null;
  activeFrom: number;
  disabledReason: string | null;
  disabledAt: number | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface StoredEvent {
  seq: number;
  id: string;
  tenantId: string;
  type: string;
  timestamp: number;
  /** The event's data as JSON text, exactly as it will be sent. */
  data: string;
  receivedAt: number;
  deliveries: number;
  sourceId: string | null;
}

/** What a request carries of an event. */
export type EventPayload = Pick<StoredEvent, 'seq' | 'id' | 'tenantId' | 'type' | 'timestamp' | 'data'>;

export type DeliveryState = 'pending' | 'delivering' | 'retrying' | 'delivered' | 'failed' | 'canceled';
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'delivering', 'retrying', 'delivered', 'failed', 'canceled'];

export interface Delivery {
  seq: number;
  id: string;
  tenantId: string;
  webhookId: string;
  eventSeq: number;
  eventId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  occurredAt: number;
  createdAt: number;
  firstAttemptAt: number | null;
  lastAttemptAt: number | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  failedReason: string | null;
  batchId: string | null;
}

export interface Attempt {
  id: string;
  tenantId: string;
  webhookId: string;
  deliveryId: string | null;
  batchId: string | null;
  eventCount: number;
  startedAt: number;
  durationMs: number;
  status: number | null;
  outcome: 'success' | 'failure';
  error: string | null;
  errorClass: string | null;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseExcerpt: string | null;
}

export interface DeliveryFilter {
  tenantId?: string | undefined;
  webhookId?: string | undefined;
  eventId?: string | undefined;
  eventType?: string | undefined;
  state?: DeliveryState | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

/** Flow-control and health state of one webhook's endpoint (the webhook_state row). */
export interface EndpointState {
  webhookId: string;
  tenantId: string;
  dueAt: number | null;
  effectiveConcurrency: number;
  tokens: number;
  tokensAt: number;
  pausedUntil: number | null;
  circuit: CircuitState;
  circuitOpenedAt: number | null;
  nextProbeAt: number | null;
  probeCount: number;
  consecutiveFailures: number;
  failingSince: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  decreasedAt: number | null;
}
