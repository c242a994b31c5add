// The shapes of hookrelay's management API, written for people to read. They are checked
// against the server's /openapi.json by openapi.test.ts: every request type must be accepted by
// the server's schema, and every answer the server's schema allows must fit the type here.

/** RFC 3339 time, e.g. 2026-11-23T10:00:00.000Z. */
export type Timestamp = string;

export interface Link {
  rel: string;
  href: string;
  method: string[];
}

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface PageQuery {
  /** 1–1000, default 50. */
  limit?: number;
  cursor?: string;
}

// ─── tenants and event types ────────────────────────────────────────────────────────────────

export interface Tenant {
  id: string;
  name: string;
  enabled: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TenantCreate {
  /** Letters, digits, _ . - (up to 64); generated when omitted. */
  id?: string;
  name: string;
  enabled?: boolean;
}

export interface TenantUpdate {
  name?: string;
  enabled?: boolean;
}

export interface EventType {
  name: string;
  description: string;
  enabled: boolean;
  /** JSON Schema (2020-12) that event data must satisfy. */
  schema: Record<string, unknown> | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface EventTypeCreate {
  name: string;
  description?: string;
  enabled?: boolean;
  schema?: Record<string, unknown> | null;
}

export type EventTypeUpdate = Omit<EventTypeCreate, 'name'>;

// ─── events ─────────────────────────────────────────────────────────────────────────────────

export interface EventInput {
  /** Required unless the API key is restricted to one tenant. */
  tenantId?: string;
  type: string;
  /** Idempotency id, unique per tenant: publishing it again creates nothing new. */
  id?: string;
  /** When it happened (default: now). */
  timestamp?: Timestamp;
  data: unknown;
}

export interface Published {
  id: string;
  /** Deliveries created (for a repeated id: those created the first time). */
  deliveries: number;
}

export interface Event {
  id: string;
  tenantId: string;
  type: string;
  timestamp: Timestamp;
  data: unknown;
  receivedAt: Timestamp;
  deliveries: number;
  sourceId: string | null;
  links: Link[];
}

export interface EventQuery extends PageQuery {
  tenantId?: string;
  type?: string;
  since?: Timestamp;
  until?: Timestamp;
}

// ─── webhooks ───────────────────────────────────────────────────────────────────────────────

export type WebhookAuthInput =
  | { type: 'none' }
  | { type: 'header'; headerName: string; token?: string }
  | { type: 'basic'; username: string; password?: string }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret?: string;
      scope?: string;
      audience?: string;
      tokenLifetimeHours?: number;
      clientAuth?: 'basic' | 'post';
    };

export interface WebhookSettingsInput {
  description?: string;
  method?: 'POST' | 'PUT' | 'PATCH' | 'GET';
  /** Event type names or patterns (invoice.*, or * for all). */
  eventTypes?: string[];
  enabled?: boolean;
  includePayload?: boolean;
  headers?: Record<string, string>;
  auth?: WebhookAuthInput;
  batch?: { maxEvents?: number; maxWaitMs?: number };
  timeoutMs?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number; maxDurationSeconds?: number };
  maxConcurrency?: number;
  rateLimitPerSecond?: number | null;
  ordering?: 'none' | 'fifo';
  successStatuses?: number[] | null;
  activationDelaySeconds?: number;
  autoDisableAfterHours?: number;
}

export interface WebhookCreate extends WebhookSettingsInput {
  tenantId?: string;
  name: string;
  url: string;
  /** Bring your own signing secret (whsec_ + base64). */
  secret?: string;
  /** Send a test event first and refuse to create on a non-2xx answer (default true). */
  verify?: boolean;
}

export interface WebhookUpdate extends WebhookSettingsInput {
  name?: string;
  url?: string;
}

export interface Webhook {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  url: string;
  method: string;
  eventTypes: string[];
  enabled: boolean;
  includePayload: boolean;
  headers: Record<string, string>;
  /** Settings only: tokens, passwords and client secrets are never returned. */
  auth: { type: 'none' | 'header' | 'basic' | 'oauth2'; hasSecret?: boolean; [setting: string]: unknown };
  batch: { maxEvents: number; maxWaitMs: number };
  timeoutMs: number;
  retry: { initialDelayMs: number; maxDelayMs: number; maxDurationSeconds: number };
  maxConcurrency: number;
  rateLimitPerSecond: number | null;
  ordering: string;
  successStatuses: number[] | null;
  activationDelaySeconds: number;
  autoDisableAfterHours: number;
  /** Only in the answers to create (and rotateSecret / getSecret). */
  secret?: string;
  secretPrefix: string;
  disabledReason: string | null;
  disabledAt: Timestamp | null;
  activeFrom: Timestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  links: Link[];
}

export interface WebhookQuery extends PageQuery {
  tenantId?: string;
  enabled?: boolean;
}

export interface WebhookSecret {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Timestamp | null;
}

export interface Attempt {
  id: string;
  webhookId: string;
  batchId: string | null;
  eventCount: number;
  startedAt: Timestamp;
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

export interface WebhookTestResult {
  ok: boolean;
  attempt: Attempt;
}

export interface WebhookHealth {
  webhookId: string;
  enabled: boolean;
  circuit: { state: string; openedAt: Timestamp | null; nextProbeAt: Timestamp | null; consecutiveFailures: number };
  concurrency: { max: number; effective: number; inFlight: number };
  queue: { pending: number; retrying: number; delivering: number; failed: number };
  lastStatus: number | null;
  lastError: string | null;
  [more: string]: unknown;
}
