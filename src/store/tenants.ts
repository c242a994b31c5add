import type { SqlExecutor } from './db.js';
import { fromBool, toBool, Where } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { Page, PageRequest, Scope, Tenant } from './records.js';

interface TenantRow {
  id: string;
  name: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  enabled: toBool(r.enabled),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertTenant(db: SqlExecutor, t: Tenant): Promise<boolean> {
  const res = await db.run(
    'INSERT INTO tenants (id, name, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    [t.id, t.name, fromBool(t.enabled), t.createdAt, t.updatedAt],
  );
  return res.changes === 1;
}

export async function getTenant(db: SqlExecutor, scope: Scope, id: string): Promise<Tenant | undefined> {
  if (scope.tenantId !== null && scope.tenantId !== id) return undefined;
  const row = await db.get<TenantRow>('SELECT * FROM tenants WHERE id = ?', [id]);
  return row && toTenant(row);
}

export async function listTenants(db: SqlExecutor, scope: Scope, page: PageRequest): Promise<Page<Tenant>> {
  const w = new Where().when('id = ?', scope.tenantId ?? undefined).when('id > ?', decodeCursor(page.cursor, 'string'));
  const rows = await db.all<TenantRow>(`SELECT * FROM tenants ${w.sql} ORDER BY id LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toTenant, (r) => r.id);
}

export async function updateTenant(
  db: SqlExecutor,
  scope: Scope,
  id: string,
  patch: { name?: string | undefined; enabled?: boolean | undefined },
  now: number,
): Promise<Tenant | undefined> {
  const current = await getTenant(db, scope, id);
  if (current === undefined) return undefined;
  const next: Tenant = {
    ...current,
    name: patch.name ?? current.name,
    enabled: patch.enabled ?? current.enabled,
    updatedAt: now,
  };
  await db.run('UPDATE tenants SET name = ?, enabled = ?, updated_at = ? WHERE id = ?', [next.name, fromBool(next.enabled), now, id]);
  return next;
}

/** Deletes the tenant and everything it owns. */
export async function deleteTenant(db: SqlExecutor, scope: Scope, id: string): Promise<boolean> {
  if (scope.tenantId !== null && scope.tenantId !== id) return false;
  // Children without a foreign key to tenants go first; the rest cascade.
  for (const table of ['attempts', 'deliveries', 'webhook_state']) {
    await db.run(`DELETE FROM ${table} WHERE tenant_id = ?`, [id]);
  }
  const res = await db.run('DELETE FROM tenants WHERE id = ?', [id]);
  return res.changes === 1;
}

export async function tenantStatus(db: SqlExecutor, id: string): Promise<'enabled' | 'disabled' | 'missing'> {
  const row = await db.get<{ enabled: number }>('SELECT enabled FROM tenants WHERE id = ?', [id]);
  if (row === undefined) return 'missing';
  return toBool(row.enabled) ? 'enabled' : 'disabled';
}

export const tenantOps = { insertTenant, getTenant, listTenants, updateTenant, deleteTenant, tenantStatus };
