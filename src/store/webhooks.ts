import { initialConcurrency } from '../dispatch/limits.js';
import type { SqlExecutor } from './db.js';
import { fromBool, toBool, Where } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { Page, PageRequest, Scope, Webhook, WebhookAuth, WebhookSettings } from './records.js';

interface WebhookRow {
  id: string;
  tenant_id: string;
  name: string;
  url: string;
  enabled: number;
  event_types: string;
  settings: string;
  auth: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: number | null;
  active_from: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  url: r.url,
  enabled: toBool(r.enabled),
  eventTypes: JSON.parse(r.event_types) as string[],
  settings: JSON.parse(r.settings) as WebhookSettings,
  auth: JSON.parse(r.auth) as WebhookAuth,
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretUntil: r.previous_secret_until,
  activeFrom: r.active_from,
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type { WebhookRow };

export async function insertWebhook(db: SqlExecutor, w: Webhook): Promise<void> {
  await db.run(
    `INSERT INTO webhooks (id, tenant_id, name, url, enabled, event_types, settings, auth, secret, previous_secret,
       previous_secret_until, active_from, disabled_reason, disabled_at, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      w.id, w.tenantId, w.name, w.url, fromBool(w.enabled), JSON.stringify(w.eventTypes), JSON.stringify(w.settings),
      JSON.stringify(w.auth), w.secret, w.previousSecret, w.previousSecretUntil, w.activeFrom, w.disabledReason,
      w.disabledAt, w.version, w.createdAt, w.updatedAt,
    ],
  );
  await db.run('INSERT INTO webhook_state (webhook_id, tenant_id, effective_concurrency, tokens, tokens_at) VALUES (?, ?, ?, ?, ?)', [
    w.id,
    w.tenantId,
    initialConcurrency(w.settings.maxConcurrency),
    w.settings.rateLimitPerSecond ?? 0,
    w.createdAt,
  ]);
}

export async function getWebhook(db: SqlExecutor, scope: Scope, id: string): Promise<Webhook | undefined> {
  const row = await db.get<WebhookRow>(
    scope.tenantId === null ? 'SELECT * FROM webhooks WHERE id = ?' : 'SELECT * FROM webhooks WHERE id = ? AND tenant_id = ?',
    scope.tenantId === null ? [id] : [id, scope.tenantId],
  );
  return row && toWebhook(row);
}

export interface WebhookFilter {
  tenantId?: string | undefined;
  enabled?: boolean | undefined;
}

export async function listWebhooks(db: SqlExecutor, scope: Scope, filter: WebhookFilter, page: PageRequest): Promise<Page<Webhook>> {
  const w = new Where()
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('tenant_id = ?', filter.tenantId)
    .when('enabled = ?', filter.enabled === undefined ? undefined : fromBool(filter.enabled))
    .when('id < ?', decodeCursor(page.cursor, 'string'));
  const rows = await db.all<WebhookRow>(`SELECT * FROM webhooks ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toWebhook, (r) => r.id);
}

/**
 * Writes the new version of a webhook if nobody changed it since `expectedVersion` was read.
 * Returns false on a lost race, which the caller reports as a conflict.
 */
export async function saveWebhook(db: SqlExecutor, w: Webhook, expectedVersion: number): Promise<boolean> {
  const res = await db.run(
    `UPDATE webhooks SET name = ?, url = ?, enabled = ?, event_types = ?, settings = ?, auth = ?, secret = ?,
       previous_secret = ?, previous_secret_until = ?, active_from = ?, disabled_reason = ?, disabled_at = ?,
       version = ?, updated_at = ?
     WHERE id = ? AND tenant_id = ? AND version = ?`,
    [
      w.name, w.url, fromBool(w.enabled), JSON.stringify(w.eventTypes), JSON.stringify(w.settings), JSON.stringify(w.auth),
      w.secret, w.previousSecret, w.previousSecretUntil, w.activeFrom, w.disabledReason, w.disabledAt, w.version,
      w.updatedAt, w.id, w.tenantId, expectedVersion,
    ],
  );
  return res.changes === 1;
}

/** Deletes a webhook; its undelivered deliveries are canceled so nothing is sent to it again. */
export async function deleteWebhook(db: SqlExecutor, scope: Scope, id: string, now: number): Promise<boolean> {
  const existing = await getWebhook(db, scope, id);
  if (existing === undefined) return false;
  await db.run(
    `UPDATE deliveries SET state = 'canceled', failed_reason = 'webhook_deleted', next_attempt_at = NULL, lease_owner = NULL,
       lease_expires_at = NULL, last_attempt_at = COALESCE(last_attempt_at, ?)
     WHERE webhook_id = ? AND state IN ('pending', 'retrying', 'delivering')`,
    [now, id],
  );
  await db.run('DELETE FROM webhook_state WHERE webhook_id = ?', [id]);
  await db.run('DELETE FROM webhooks WHERE id = ?', [id]);
  return true;
}

export interface FanoutTarget {
  id: string;
  eventTypes: string[];
  activeFrom: number;
}

/** Enabled webhooks of a tenant, with what fan-out needs to match them. */
export async function fanoutTargets(db: SqlExecutor, tenantId: string): Promise<FanoutTarget[]> {
  const rows = await db.all<{ id: string; event_types: string; active_from: number }>(
    'SELECT id, event_types, active_from FROM webhooks WHERE tenant_id = ? AND enabled = 1',
    [tenantId],
  );
  return rows.map((r) => ({ id: r.id, eventTypes: JSON.parse(r.event_types) as string[], activeFrom: r.active_from }));
}

export const webhookOps = { insertWebhook, getWebhook, listWebhooks, saveWebhook, deleteWebhook, fanoutTargets };
