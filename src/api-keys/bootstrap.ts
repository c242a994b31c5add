// The first admin key: HOOKRELAY_ADMIN_KEY when set (stored hashed, created once), otherwise
// generated on the very first start, when no key exists yet, and returned so the CLI can
// print it once.
import type { Runtime } from '../runtime.js';
import { hashApiKey, keyPrefix } from './keys.js';
import { createApiKey } from './routes.js';
import { newId } from '../ids.js';

export async function bootstrapAdminKey(rt: Runtime): Promise<{ generated: string | null }> {
  const configured = rt.config.adminKey;
  if (configured !== '') {
    const hash = hashApiKey(configured);
    if ((await rt.store.apiKeys.findApiKeyByHash(hash)) === undefined) {
      const now = rt.clock.now();
      await rt.store.apiKeys.insertApiKey({
        id: newId('apiKey', now), name: 'admin (HOOKRELAY_ADMIN_KEY)', keyHash: hash, keyPrefix: keyPrefix(configured),
        permissions: ['admin'], tenantId: null, createdAt: now, lastUsedAt: null, revokedAt: null,
      });
    }
    return { generated: null };
  }
  if ((await rt.store.apiKeys.countApiKeys()) > 0) return { generated: null };
  const { key } = await createApiKey(rt, { name: 'admin (generated at first start)', permissions: ['admin'], tenantId: null });
  return { generated: key };
}
