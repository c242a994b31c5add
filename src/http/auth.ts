// API-key authentication for /api/v1: `Authorization: Bearer hr_…`. Keys are looked up by
// hash and cached for a few seconds (revocation on this node takes effect at once; on other
// nodes within KEY_CACHE_MS). Each route names the permission it needs in its config.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { grants, hashApiKey, type Permission } from '../api-keys/keys.js';
import type { Clock } from '../clock.js';
import { AppError, notFound } from '../errors.js';
import type { ApiKey, Scope } from '../store/records.js';
import type { Store } from '../store/store.js';

const KEY_CACHE_MS = 5000;
const TOUCH_EVERY_MS = 60_000;

export interface Principal {
  keyId: string;
  permissions: readonly string[];
  /** Set for a tenant-restricted key: it sees only that tenant. */
  tenantId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission a route requires; routes without one are public. */
    permission?: Permission;
  }
}

export class ApiKeyCache {
  private readonly entries = new Map<string, { key: ApiKey | null; at: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async lookup(secret: string): Promise<ApiKey | null> {
    const hash = hashApiKey(secret);
    const now = this.clock.now();
    const hit = this.entries.get(hash);
    if (hit !== undefined && now - hit.at < KEY_CACHE_MS) return hit.key;
    const key = (await this.store.apiKeys.findApiKeyByHash(hash)) ?? null;
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(hash, { key, at: now });
    return key;
  }

  /** Records use at most once a minute per key, off the request's critical path. */
  touch(key: ApiKey): void {
    const now = this.clock.now();
    if (now - (this.touched.get(key.id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(key.id, now);
    void this.store.apiKeys.touchApiKey(key.id, now).catch(() => undefined);
  }

  forget(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.key?.id === keyId) this.entries.delete(hash);
  }
}

const unauthorized = (detail: string): AppError =>
  new AppError('unauthorized', detail, { headers: { 'www-authenticate': 'Bearer realm="hookrelay"' } });

export async function authenticate(request: FastifyRequest, keys: ApiKeyCache): Promise<Principal> {
  const header = request.headers.authorization;
  if (header === undefined || header === '') throw unauthorized('Send an API key as `Authorization: Bearer <key>`.');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) throw unauthorized('The Authorization header must be `Bearer <key>`.');
  const key = await keys.lookup(match[1]);
  if (key === null) throw unauthorized('The API key is not valid.');
  if (key.revokedAt !== null) throw unauthorized('The API key was revoked.');
  keys.touch(key);
  return { keyId: key.id, permissions: key.permissions, tenantId: key.tenantId };
}

/** Registers authentication and permission checks on every route of `app` that names a permission. */
export function registerAuth(app: FastifyInstance, keys: ApiKeyCache): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined) return;
    const principal = await authenticate(request, keys);
    if (!grants(principal.permissions, permission)) {
      throw new AppError('forbidden', `This API key lacks the '${permission}' permission needed for this request.`);
    }
    request.principal = principal;
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new AppError('unauthorized', 'Authentication is required.');
  return request.principal;
}

export function scopeOf(request: FastifyRequest): Scope {
  return { tenantId: principalOf(request).tenantId };
}

/**
 * The tenant a write is for: the one named in the request, else the key's own. A restricted
 * key naming another tenant gets 404, as if that tenant did not exist.
 */
export function tenantFor(request: FastifyRequest, named: string | undefined, field = '/body/tenantId'): string {
  return resolveTenant(principalOf(request).tenantId, named, field);
}

/** The rule behind tenantFor, for callers that hold the key's tenant (`own`) themselves. */
export function resolveTenant(own: string | null, named: string | undefined, field = '/body/tenantId'): string {
  if (named === undefined || named === '') {
    if (own === null) throw new AppError('validation_failed', `${field} is required for a key that is not restricted to one tenant.`, { errors: [{ field, rule: 'required', message: `${field} is required.` }] });
    return own;
  }
  if (own !== null && own !== named) throw notFound('tenant', named);
  return named;
}

export function isAdminKey(request: FastifyRequest): boolean {
  const p = principalOf(request);
  return p.tenantId === null && p.permissions.includes('admin');
}
