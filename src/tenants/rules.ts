// Rules about tenants that every resource shares.
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';

/** Refuses a write for a tenant that does not exist, naming the field and the fix. */
export async function assertTenantExists(store: Store, tenantId: string, field = '/body/tenantId'): Promise<void> {
  if ((await store.tenants.tenantStatus(tenantId)) !== 'missing') return;
  throw new AppError('tenant_unavailable', `Tenant '${tenantId}' does not exist; create it first with POST /api/v1/tenants.`, {
    errors: [{ field, rule: 'exists', message: `Tenant '${tenantId}' does not exist.` }],
  });
}
