import { Where, type SqlExecutor } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { ApiKey, Page, PageRequest, Scope } from './records.js';

interface ApiKeyRow {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  permissions: string;
  tenant_id: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  keyHash: r.key_hash,
  keyPrefix: r.key_prefix,
  permissions: JSON.parse(r.permissions) as string[],
  tenantId: r.tenant_id,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export async function insertApiKey(db: SqlExecutor, k: ApiKey): Promise<void> {
  await db.run(
    'INSERT INTO api_keys (id, name, key_hash, key_prefix, permissions, tenant_id, created_at, last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [k.id, k.name, k.keyHash, k.keyPrefix, JSON.stringify(k.permissions), k.tenantId, k.createdAt, k.lastUsedAt, k.revokedAt],
  );
}

/** Looks a key up by the hash of its secret; revoked keys are returned so callers can say so. */
export async function findApiKeyByHash(db: SqlExecutor, keyHash: string): Promise<ApiKey | undefined> {
  const row = await db.get<ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = ?', [keyHash]);
  return row && toApiKey(row);
}

export async function getApiKey(db: SqlExecutor, scope: Scope, id: string): Promise<ApiKey | undefined> {
  const row = await db.get<ApiKeyRow>(
    scope.tenantId === null ? 'SELECT * FROM api_keys WHERE id = ?' : 'SELECT * FROM api_keys WHERE id = ? AND tenant_id = ?',
    scope.tenantId === null ? [id] : [id, scope.tenantId],
  );
  return row && toApiKey(row);
}

export async function listApiKeys(db: SqlExecutor, scope: Scope, page: PageRequest): Promise<Page<ApiKey>> {
  const w = new Where()
    .add('revoked_at IS NULL')
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('id < ?', decodeCursor(page.cursor, 'string'));
  const rows = await db.all<ApiKeyRow>(`SELECT * FROM api_keys ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toApiKey, (r) => r.id);
}

export async function revokeApiKey(db: SqlExecutor, scope: Scope, id: string, now: number): Promise<boolean> {
  const res = await db.run(
    scope.tenantId === null
      ? 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'
      : 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND tenant_id = ?',
    scope.tenantId === null ? [now, id] : [now, id, scope.tenantId],
  );
  return res.changes === 1;
}

export async function touchApiKey(db: SqlExecutor, id: string, now: number): Promise<void> {
  await db.run('UPDATE api_keys SET last_used_at = ? WHERE id = ?', [now, id]);
}

export async function countApiKeys(db: SqlExecutor): Promise<number> {
  const row = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys');
  return row?.n ?? 0;
}

export const apiKeyOps = { insertApiKey, findApiKeyByHash, getApiKey, listApiKeys, revokeApiKey, touchApiKey, countApiKeys };
