// Records and helpers the store contract builds its cases from. Each case opens a fresh
// database, so fixtures only need to be unique within one case.
import type { Db } from '../db.js';
import type { NewEvent, InsertedEvent } from '../events.js';
import type { ApiKey, Delivery, Scope, Tenant, Webhook } from '../records.js';
import { ALL_TENANTS } from '../records.js';
import type { Store } from '../store.js';
import { newId, parseSeqId } from '../../ids.js';
import { WEBHOOK_DEFAULTS } from '../../webhooks/schemas.js';

/** One opened database: the store under test and the driver under it (to arrange rows no store operation writes). */
export interface StoreSubject {
  store: Store;
  db: Db;
  cleanup(): Promise<void>;
}

export type OpenStore = () => Promise<StoreSubject>;

/** Wraps a test body so it runs against a freshly opened store that is always cleaned up. */
export function using(open: OpenStore, body: (s: StoreSubject) => Promise<void>): () => Promise<void> {
  return async () => {
    const subject = await open();
    try {
      await body(subject);
    } finally {
      await subject.cleanup();
    }
  };
}

export const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

export function tenant(id: string, enabled = true, at = T0): Tenant {
  return { id, name: `Tenant ${id}`, enabled, createdAt: at, updatedAt: at };
}

export function webhook(tenantId: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: newId('webhook', T0),
    tenantId,
    name: 'hook',
    url: 'https://example.com/hook',
    enabled: true,
    eventTypes: ['*'],
    settings: { ...WEBHOOK_DEFAULTS, headers: { 'X-Env': 'test' } },
    auth: { type: 'header', headerName: 'X-Token', token: 'tok-secret' },
    secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
    previousSecret: null,
    previousSecretUntil: null,
    activeFrom: T0,
    disabledReason: null,
    disabledAt: null,
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function apiKey(tenantId: string | null, hash: string, permissions: string[] = ['events:write']): ApiKey {
  return { id: newId('apiKey', T0), name: 'k', keyHash: hash, keyPrefix: 'hr_abc…', permissions, tenantId, createdAt: T0, lastUsedAt: null, revokedAt: null };
}

export function event(tenantId: string, id: string, webhookIds: readonly string[], type = 'invoice.paid'): NewEvent {
  return { id, tenantId, type, timestamp: T0 - 1000, data: JSON.stringify({ id, amount: 42 }), sourceId: null, webhookIds };
}

/** Inserts events the way ingest does: in one transaction. */
export function insert(store: Store, events: readonly NewEvent[], now = T0): Promise<InsertedEvent[]> {
  return store.transaction((tx) => tx.events.insertEvents(events, now));
}

/** Sets up tenants and one webhook per tenant; returns the webhooks by tenant id. */
export async function seed(store: Store, tenantIds: readonly string[]): Promise<Map<string, Webhook>> {
  const hooks = new Map<string, Webhook>();
  for (const id of tenantIds) {
    await store.tenants.insertTenant(tenant(id));
    const w = webhook(id);
    await store.transaction((tx) => tx.webhooks.insertWebhook(w));
    hooks.set(id, w);
  }
  return hooks;
}

export async function allDeliveries(store: Store, scope: Scope = ALL_TENANTS): Promise<Delivery[]> {
  return (await store.deliveries.listDeliveries(scope, {}, { limit: 100_000 })).data;
}

/**
 * Puts deliveries in the failed queue as the engine would after exhausting retries. No store
 * operation outside the engine does this, so the contract writes the row directly.
 */
/** The row key inside a delivery id (dlv_<base32 seq>). */
function seqOf(deliveryId: string): number {
  const seq = parseSeqId('delivery', deliveryId);
  if (seq === null) throw new Error(`not a delivery id: ${deliveryId}`);
  return seq;
}

export async function markFailed(db: Db, deliveryIds: readonly string[], at = T0): Promise<void> {
  for (const id of deliveryIds) {
    await db.run(
      `UPDATE deliveries SET state = 'failed', attempts = 3, first_attempt_at = ?, window_started_at = ?, last_attempt_at = ?,
         next_attempt_at = NULL, last_status = 500, last_error = 'HTTP 500', failed_reason = 'retries_exhausted' WHERE seq = ?`,
      [at, at, at + 1, seqOf(id)],
    );
  }
}

export async function markDelivered(db: Db, deliveryIds: readonly string[], at = T0): Promise<void> {
  for (const id of deliveryIds) {
    await db.run(`UPDATE deliveries SET state = 'delivered', attempts = 1, first_attempt_at = ?, last_attempt_at = ?, delivered_at = ?, next_attempt_at = NULL, last_status = 200 WHERE seq = ?`, [at, at, at, seqOf(id)]);
  }
}
