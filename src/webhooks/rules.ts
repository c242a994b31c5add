// Rules a webhook must satisfy before it is stored, beyond what its JSON Schema says: a URL
// hookrelay is allowed to call, custom headers that cannot break or spoof the request, and
// consistent retry settings. Each failure names the field and the fix.
import type { Config } from '../config.js';
import { isPrivateAddress, resolveHost } from '../dispatch/ssrf.js';
import { AppError, type FieldError } from '../errors.js';
import type { RetryPolicy, WebhookSettings } from '../store/records.js';

/** Headers hookrelay sets itself, or that would break HTTP framing if a user set them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer',
  'proxy-authorization', 'proxy-authenticate', 'proxy-connection', 'expect', 'user-agent', 'authorization', 'cookie',
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'date',
]);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function headerErrors(headers: Record<string, string>, pointer = '/body/headers'): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const field = `${pointer}/${name}`;
    if (!TOKEN.test(name)) errors.push({ field, rule: 'header-name', message: `${field}: '${name}' is not a valid HTTP header name.` });
    else if (RESERVED_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('proxy-')) {
      errors.push({ field, rule: 'reserved-header', message: `${field}: '${name}' is set by hookrelay or controls the connection; it cannot be customised (use "auth" for credentials).` });
    }
    if (/[\r\n\0]/.test(value)) errors.push({ field, rule: 'header-value', message: `${field} must not contain line breaks or NUL characters.` });
  }
  return errors;
}

/** A GET request has no body, so it cannot carry a batch of events. */
export function methodErrors(settings: Pick<WebhookSettings, 'method' | 'batch'>): FieldError[] {
  if (settings.method !== 'GET' || settings.batch.maxEvents === 1) return [];
  return [{ field: '/body/method', rule: 'get-batch', message: '/body/method GET sends no body, so it cannot carry a batch: use POST, PUT or PATCH, or batch.maxEvents 1.' }];
}

export function retryErrors(retry: RetryPolicy, pointer = '/body/retry'): FieldError[] {
  if (retry.maxDelayMs >= retry.initialDelayMs) return [];
  return [{ field: `${pointer}/maxDelayMs`, rule: 'minimum', message: `${pointer}/maxDelayMs (${retry.maxDelayMs}) must be at least initialDelayMs (${retry.initialDelayMs}).` }];
}

/**
 * Checks a destination URL: scheme, no embedded credentials, and (unless private networks are
 * allowed) a host that does not resolve to a private address. A host that does not resolve
 * yet is accepted: the same check runs again on every connection.
 */
export async function urlErrors(raw: string, config: Pick<Config, 'allowHttp' | 'allowPrivateNetworks'>, field = '/body/url'): Promise<FieldError[]> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [{ field, rule: 'url', message: `${field} is not an absolute URL (e.g. https://example.com/hooks).` }];
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && config.allowHttp)) {
    const hint = url.protocol === 'http:' ? ' Plain http:// is refused unless the server sets HOOKRELAY_ALLOW_HTTP=true.' : '';
    return [{ field, rule: 'https', message: `${field} must use https://.${hint}` }];
  }
  if (url.username !== '' || url.password !== '') {
    return [{ field, rule: 'credentials', message: `${field} must not contain credentials; use "auth": { "type": "basic", … } instead.` }];
  }
  if (url.hash !== '') return [{ field, rule: 'fragment', message: `${field} must not contain a #fragment.` }];
  if (config.allowPrivateNetworks) return [];
  const host = url.hostname;
  // `localhost` itself goes through the resolver below, like any other name.
  if (host.endsWith('.localhost') || isPrivateAddress(host)) {
    return [{ field, rule: 'private-network', message: `${field} points at a private, loopback or link-local address; refused unless the server sets HOOKRELAY_ALLOW_PRIVATE_NETWORKS=true.` }];
  }
  let addresses: string[];
  try {
    addresses = await resolveHost(host);
  } catch {
    return [];
  }
  const bad = addresses.find((a) => isPrivateAddress(a));
  if (bad !== undefined) {
    return [{ field, rule: 'private-network', message: `${field}: ${host} resolves to ${bad}, a private or reserved address; refused unless the server sets HOOKRELAY_ALLOW_PRIVATE_NETWORKS=true.` }];
  }
  return [];
}

export function throwIfErrors(errors: FieldError[]): void {
  const first = errors[0];
  if (first === undefined) return;
  throw new AppError('validation_failed', errors.length === 1 ? first.message : `${errors.length} fields are not valid; see errors.`, { errors });
}
