// `hookrelay keys create|list|revoke`. Two ways to reach the keys:
//   - through a running server's API, when --url or HOOKRELAY_URL is given (needs a key with
//     api-keys:read / api-keys:write; a tenant-restricted key sees and makes only its tenant's);
//   - directly in the database otherwise (or whenever --database-url is given), so the first key
//     can be made before any server runs, or when every admin key is lost.
// Revoking in the database reaches running servers within their key cache time (5 s).
import { CommanderError } from 'commander';
import { PERMISSIONS, type Permission } from '../api-keys/keys.js';
import { createApiKey } from '../api-keys/routes.js';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { openStore } from '../store/open.js';
import { ALL_TENANTS, type ApiKey } from '../store/records.js';
import { ApiClient, connectionFrom } from './client.js';
import { orDash, printJson, printTable } from './output.js';

export type KeysTarget = { kind: 'api'; client: ApiClient } | { kind: 'database'; config: Config };

export function keysTarget(env: NodeJS.ProcessEnv, opts: Record<string, unknown>, config: () => Config): KeysTarget {
  const api = typeof opts.databaseUrl !== 'string' && (typeof opts.url === 'string' || (env.HOOKRELAY_URL ?? '') !== '');
  return api ? { kind: 'api', client: new ApiClient(connectionFrom(env, opts)) } : { kind: 'database', config: config() };
}

interface KeyView {
  id: string;
  name: string;
  keyPrefix: string;
  permissions: string[];
  tenantId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

const view = (k: ApiKey): KeyView => ({
  id: k.id, name: k.name, keyPrefix: k.keyPrefix, permissions: k.permissions, tenantId: k.tenantId,
  createdAt: new Date(k.createdAt).toISOString(), lastUsedAt: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
});

export function parsePermissions(list: string): Permission[] {
  const permissions = list.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0 || permissions.length === 0) {
    throw new CommanderError(2, 'hookrelay.permissions', `--permissions: unknown ${unknown.join(', ') || '(empty)'}; choose from ${PERMISSIONS.join(', ')}`);
  }
  return permissions as Permission[];
}

export async function createKey(target: KeysTarget, o: { permissions: Permission[]; tenant: string | null; name: string; json: boolean }): Promise<void> {
  let created: { id: string; key: string; permissions: string[]; tenantId: string | null };
  if (target.kind === 'api') {
    created = await target.client.post('/api-keys', { name: o.name, permissions: o.permissions, ...(o.tenant === null ? {} : { tenantId: o.tenant }) });
  } else {
    const rt = await createRuntime(target.config, { log: createLogger('error'), role: 'api' });
    try {
      if (o.tenant !== null && (await rt.store.tenants.tenantStatus(o.tenant)) === 'missing') {
        throw new CommanderError(2, 'hookrelay.tenant', `--tenant: tenant '${o.tenant}' does not exist`);
      }
      const { record, key } = await createApiKey(rt, { name: o.name, permissions: o.permissions, tenantId: o.tenant });
      created = { id: record.id, key, permissions: record.permissions, tenantId: record.tenantId };
    } finally {
      await rt.close();
    }
  }
  if (o.json) console.log(JSON.stringify({ id: created.id, key: created.key, permissions: created.permissions, tenantId: created.tenantId }));
  else console.log(`${created.key}\n\nid ${created.id}, permissions ${created.permissions.join(', ')}${created.tenantId === null ? '' : `, tenant ${created.tenantId}`}. The key is not shown again.`);
}

async function withStore<T>(config: Config, fn: (store: Awaited<ReturnType<typeof openStore>>['store']) => Promise<T>): Promise<T> {
  const { store } = await openStore(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function listKeys(target: KeysTarget, json: boolean): Promise<void> {
  const keys: KeyView[] = [];
  if (target.kind === 'api') {
    for await (const page of target.client.pages<KeyView>('/api-keys', { limit: 1000 })) keys.push(...page);
  } else {
    await withStore(target.config, async (store) => {
      let cursor: string | undefined;
      do {
        const page = await store.apiKeys.listApiKeys(ALL_TENANTS, { limit: 1000, cursor });
        keys.push(...page.data.map(view));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    });
  }
  if (json) {
    printJson(keys);
    return;
  }
  printTable(
    ['ID', 'NAME', 'KEY', 'PERMISSIONS', 'TENANT', 'CREATED', 'LAST USED'],
    keys.map((k) => [k.id, k.name, k.keyPrefix, k.permissions.join(','), orDash(k.tenantId), k.createdAt, orDash(k.lastUsedAt)]),
    'No active API keys.',
  );
}

export async function revokeKey(target: KeysTarget, id: string, json: boolean): Promise<void> {
  if (target.kind === 'api') await target.client.delete(`/api-keys/${encodeURIComponent(id)}`);
  else {
    const revoked = await withStore(target.config, (store) => store.apiKeys.revokeApiKey(ALL_TENANTS, id, Date.now()));
    if (!revoked) throw new Error(`no active API key with id '${id}'`);
  }
  if (json) printJson({ id, revoked: true });
  else console.log(`Revoked API key ${id}.${target.kind === 'database' ? ' Running servers stop accepting it within 5 seconds.' : ''}`);
}
