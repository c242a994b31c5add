// Deliveries, sources and API keys (see types.ts for how these are checked against the server).
import type { Attempt, Event, Link, PageQuery, Timestamp } from './types.js';

export type DeliveryState = 'pending' | 'delivering' | 'retrying' | 'delivered' | 'failed' | 'canceled';

export interface Delivery {
  id: string;
  eventId: string;
  webhookId: string;
  tenantId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  occurredAt: Timestamp;
  createdAt: Timestamp;
  firstAttemptAt: Timestamp | null;
  lastAttemptAt: Timestamp | null;
  nextAttemptAt: Timestamp | null;
  deliveredAt: Timestamp | null;
  lastStatus: number | null;
  lastError: string | null;
  /** Why it is in the failed queue: retries_exhausted, token_unavailable, webhook_disabled, … */
  failedReason: string | null;
  batchId: string | null;
  links: Link[];
}

export interface DeliveryDetail extends Delivery {
  /** Every HTTP request that carried this delivery, newest first. */
  attemptLog: Attempt[];
}

export interface DeliveryFilter {
  tenantId?: string;
  webhookId?: string;
  eventId?: string;
  eventType?: string;
  /** Created at or after. */
  since?: Timestamp;
  /** Created before. */
  until?: Timestamp;
}

export interface DeliveryQuery extends PageQuery, DeliveryFilter {
  state?: DeliveryState;
}

export interface BulkRetry extends DeliveryFilter {
  /** Which deliveries to send again (default failed). */
  state?: 'failed' | 'canceled' | 'delivered';
}

// ─── sources ────────────────────────────────────────────────────────────────────────────────

export type SourceAuthInput =
  | { type: 'none' }
  | { type: 'basic'; username: string; password?: string }
  | { type: 'header'; headerName: string; token?: string }
  /** Standard Webhooks signatures, checked with the sender's whsec_ secret. */
  | { type: 'hmac'; secret?: string }
  /** A JWT bearer token checked against the issuer's JWKS. */
  | { type: 'oauth2'; jwksUrl: string; issuer: string; audience: string };

export interface SourceSettingsInput {
  description?: string;
  enabled?: boolean;
  /** Type of every event, or the fallback when eventTypePointer finds none. */
  eventType?: string | null;
  /** JSON pointer to the event type in a JSON body, e.g. /type. */
  eventTypePointer?: string | null;
  response?: { status?: 200 | 202 | 204; body?: unknown };
  contentTypes?: string[];
  maxBodyBytes?: number;
  rateLimitPerSecond?: number | null;
}

export interface SourceCreate extends SourceSettingsInput {
  tenantId?: string;
  name: string;
  auth: SourceAuthInput;
}

export interface SourceUpdate extends SourceSettingsInput {
  name?: string;
  auth?: SourceAuthInput;
}

export interface Source {
  id: string;
  tenantId: string;
  name: string;
  description: string;
  enabled: boolean;
  /** The path third parties send to: /in/{id}. */
  url: string;
  /** Settings only: passwords, tokens and signing secrets are never returned. */
  auth: { type: 'none' | 'basic' | 'header' | 'hmac' | 'oauth2'; hasSecret?: boolean; [setting: string]: unknown };
  eventType: string | null;
  eventTypePointer: string | null;
  response: { status: number; body: unknown };
  contentTypes: string[];
  maxBodyBytes: number;
  rateLimitPerSecond: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  links: Link[];
}

export interface SourceQuery extends PageQuery {
  tenantId?: string;
}

export interface ReceivedRequestSummary {
  id: string;
  sourceId: string;
  tenantId: string;
  method: string;
  query: string;
  contentType: string | null;
  bodyBytes: number;
  dedupKey: string | null;
  remoteAddress: string | null;
  receivedAt: Timestamp;
  /** The event this request became. */
  eventId: string | null;
  links: Link[];
}

export interface ReceivedRequest extends ReceivedRequestSummary {
  /** Credentials read [redacted]. */
  headers: Record<string, string>;
  bodyEncoding: 'utf8' | 'base64';
  body: string;
  event: Event | null;
}

// ─── API keys ───────────────────────────────────────────────────────────────────────────────

export interface ApiKey {
  id: string;
  name: string;
  /** The first characters of the key, to tell keys apart. */
  keyPrefix: string;
  permissions: string[];
  tenantId: string | null;
  createdAt: Timestamp;
  lastUsedAt: Timestamp | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The key itself: shown only in this answer. */
  key: string;
}

export type Permission =
  | 'admin'
  | 'tenants:read' | 'tenants:write'
  | 'event-types:read' | 'event-types:write'
  | 'webhooks:read' | 'webhooks:write'
  | 'events:read' | 'events:write'
  | 'deliveries:read' | 'deliveries:retry'
  | 'sources:read' | 'sources:write'
  | 'api-keys:read' | 'api-keys:write';

export interface ApiKeyCreate {
  name: string;
  permissions: Permission[];
  /** Restrict the key to one tenant. */
  tenantId?: string | null;
}
