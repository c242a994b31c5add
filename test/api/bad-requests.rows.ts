// The table of bad requests test/api/bad-requests.test.ts sends. `{webhook}` and `{delivery}`
// in a URL stand for an existing webhook and pending delivery of tenant `acme`.

export type KeyKind = 'admin' | 'none' | 'bad' | 'revoked' | 'readonly';

export interface BadRequest {
  name: string;
  /** `strict`: the app with allowHttp and allowPrivateNetworks off. */
  app?: 'strict';
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  body?: unknown;
  /** Sent as is (with content-type application/json unless headers say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
  key?: KeyKind;
  status: number;
  code: string;
  /** For validation errors: fields that must be named in `errors`. */
  fields?: string[];
}

const hook = (extra: Record<string, unknown>): Record<string, unknown> => ({ tenantId: 'acme', name: 'bad', url: 'https://example.com/hook', verify: false, ...extra });
const evt = (extra: Record<string, unknown>): Record<string, unknown> => ({ tenantId: 'acme', type: 'invoice.paid', data: { amount: 1 }, ...extra });
const invalid = (name: string, method: BadRequest['method'], url: string, body: unknown, fields: string[], app?: 'strict'): BadRequest => ({
  name, method, url, body, status: 400, code: 'validation_failed', fields, ...(app === undefined ? {} : { app }),
});
const privateUrl = (url: string): BadRequest => invalid(`private destination ${url}`, 'POST', '/api/v1/webhooks', hook({ url }), ['/body/url'], 'strict');
const reservedHeader = (name: string): BadRequest => invalid(`reserved custom header ${name}`, 'POST', '/api/v1/webhooks', hook({ headers: { [name]: 'x' } }), [`/body/headers/${name}`]);

export const BAD_REQUESTS: BadRequest[] = [
  // Shape: unknown fields, broken JSON, content types, size.
  invalid('unknown field on tenant create', 'POST', '/api/v1/tenants', { name: 'x', nickname: 'y' }, ['/body/nickname']),
  invalid('unknown field on webhook create', 'POST', '/api/v1/webhooks', hook({ colour: 'red' }), ['/body/colour']),
  invalid('unknown nested field in retry', 'POST', '/api/v1/webhooks', hook({ retry: { initialDelayMs: 1000, jitter: true } }), ['/body/retry/jitter']),
  invalid('unknown field on an event', 'POST', '/api/v1/events', evt({ owner: 'x' }), ['/body/owner']),
  { name: 'malformed JSON', method: 'POST', url: '/api/v1/tenants', raw: '{"name": ', status: 400, code: 'malformed_json' },
  { name: 'empty JSON body', method: 'POST', url: '/api/v1/tenants', raw: '', status: 400, code: 'malformed_json' },
  { name: 'forbidden __proto__ key', method: 'POST', url: '/api/v1/tenants', raw: '{"name":"x","__proto__":{"admin":true}}', status: 400, code: 'malformed_json' },
  { name: 'text/plain body', method: 'POST', url: '/api/v1/tenants', raw: 'name=x', headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'form body', method: 'POST', url: '/api/v1/events', raw: 'type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { name: 'body over 1 MiB', method: 'POST', url: '/api/v1/events', raw: JSON.stringify(evt({ data: { blob: 'x'.repeat(1_100_000) } })), status: 413, code: 'payload_too_large' },

  // Authentication and permissions.
  { name: 'no API key', method: 'GET', url: '/api/v1/webhooks', key: 'none', status: 401, code: 'unauthorized' },
  { name: 'unknown API key', method: 'GET', url: '/api/v1/webhooks', key: 'bad', status: 401, code: 'unauthorized' },
  { name: 'revoked API key', method: 'POST', url: '/api/v1/events', body: evt({}), key: 'revoked', status: 401, code: 'unauthorized' },
  { name: 'not a bearer credential', method: 'GET', url: '/api/v1/webhooks', key: 'none', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, status: 401, code: 'unauthorized' },
  { name: 'missing permission to create a webhook', method: 'POST', url: '/api/v1/webhooks', body: hook({}), key: 'readonly', status: 403, code: 'forbidden' },
  { name: 'missing permission to retry', method: 'POST', url: '/api/v1/deliveries/{delivery}/retry', key: 'readonly', status: 403, code: 'forbidden' },

  // Ranges and cross-field rules.
  invalid('timeoutMs below 1000', 'POST', '/api/v1/webhooks', hook({ timeoutMs: 999 }), ['/body/timeoutMs']),
  invalid('timeoutMs above 30000', 'POST', '/api/v1/webhooks', hook({ timeoutMs: 30_001 }), ['/body/timeoutMs']),
  invalid('batch.maxEvents 10001', 'POST', '/api/v1/webhooks', hook({ batch: { maxEvents: 10_001 } }), ['/body/batch/maxEvents']),
  invalid('batch.maxWaitMs 30001', 'POST', '/api/v1/webhooks', hook({ batch: { maxWaitMs: 30_001 } }), ['/body/batch/maxWaitMs']),
  invalid('maxConcurrency 0', 'POST', '/api/v1/webhooks', hook({ maxConcurrency: 0 }), ['/body/maxConcurrency']),
  invalid('retry.maxDelayMs below initialDelayMs', 'POST', '/api/v1/webhooks', hook({ retry: { initialDelayMs: 10_000, maxDelayMs: 5000 } }), ['/body/retry/maxDelayMs']),
  invalid('method DELETE', 'POST', '/api/v1/webhooks', hook({ method: 'DELETE' }), ['/body/method']),
  invalid('a fractional timeout', 'POST', '/api/v1/webhooks', hook({ timeoutMs: 1500.5 }), ['/body/timeoutMs']),

  // Destinations.
  invalid('http:// when plain HTTP is not allowed', 'POST', '/api/v1/webhooks', hook({ url: 'http://example.com/hook' }), ['/body/url'], 'strict'),
  privateUrl('https://127.0.0.1/hook'),
  privateUrl('https://10.0.0.1/hook'),
  privateUrl('https://169.254.169.254/latest/meta-data'),
  privateUrl('https://localhost:8443/hook'),
  privateUrl('https://[::1]/hook'),
  invalid('an OAuth2 token URL on a private network', 'POST', '/api/v1/webhooks', hook({ auth: { type: 'oauth2', tokenUrl: 'https://10.1.2.3/token', clientId: 'c', clientSecret: 's' } }), ['/body/auth/tokenUrl'], 'strict'),
  invalid('URL with credentials', 'POST', '/api/v1/webhooks', hook({ url: 'https://user:pass@example.com/hook' }), ['/body/url']),
  invalid('not a URL', 'POST', '/api/v1/webhooks', hook({ url: 'example.com/hook' }), ['/body/url']),

  // Custom headers.
  reservedHeader('Host'),
  reservedHeader('Content-Length'),
  reservedHeader('Transfer-Encoding'),
  reservedHeader('Connection'),
  reservedHeader('webhook-signature'),
  reservedHeader('Authorization'),
  invalid('header value with CRLF', 'POST', '/api/v1/webhooks', hook({ headers: { 'X-Env': 'prod\r\nX-Injected: 1' } }), ['/body/headers/X-Env']),

  // Names, batches, times, cursors, query strings.
  invalid('bad event type pattern on a webhook', 'POST', '/api/v1/webhooks', hook({ eventTypes: ['invoice paid'] }), ['/body/eventTypes/0']),
  invalid('bad event type name on create', 'POST', '/api/v1/event-types', { name: 'bad name!' }, ['/body/name']),
  invalid('bad event type on publish', 'POST', '/api/v1/events', evt({ type: 'no spaces allowed' }), ['/body/type']),
  invalid('1001 events in one batch', 'POST', '/api/v1/events', { events: Array.from({ length: 1001 }, (_, i) => evt({ id: `e${i}` })) }, ['/body/events']),
  invalid('invalid date-time on an event', 'POST', '/api/v1/events', evt({ timestamp: 'yesterday' }), ['/body/timestamp']),
  invalid('invalid date-time in a query', 'GET', '/api/v1/deliveries?since=last-week', undefined, ['/query/since']),
  invalid('a cursor the server did not issue', 'GET', '/api/v1/deliveries?cursor=bm90LWEtY3Vyc29y', undefined, ['/query/cursor']),
  invalid('unknown query parameter', 'GET', '/api/v1/webhooks?colour=red', undefined, ['/query/colour']),
  invalid('page size 0', 'GET', '/api/v1/events?limit=0', undefined, ['/query/limit']),
  invalid('page size 1001', 'GET', '/api/v1/tenants?limit=1001', undefined, ['/query/limit']),
  invalid('unknown delivery state', 'GET', '/api/v1/deliveries?state=lost', undefined, ['/query/state']),
  invalid('bad tenant id', 'POST', '/api/v1/tenants', { id: 'has space', name: 'x' }, ['/body/id']),
  invalid('missing tenant name', 'POST', '/api/v1/tenants', { id: 'nameless' }, ['/body/name']),
  invalid('event without tenantId for an unrestricted key', 'POST', '/api/v1/events', { type: 'invoice.paid', data: {} }, ['/body/tenantId']),
  invalid('unknown permission on a new key', 'POST', '/api/v1/api-keys', { name: 'k', permissions: ['root'] }, ['/body/permissions/0']),

  // Conflicts, reserved names, auth settings, schemas, patches.
  { name: 'duplicate tenant id', method: 'POST', url: '/api/v1/tenants', body: { id: 'acme', name: 'Again' }, status: 409, code: 'conflict' },
  { name: 'duplicate event type', method: 'POST', url: '/api/v1/event-types', body: { name: 'invoice.paid' }, status: 409, code: 'conflict' },
  invalid('reserved hookrelay.* type on publish', 'POST', '/api/v1/events', evt({ type: 'hookrelay.webhook.disabled' }), ['/body/type']),
  invalid('reserved hookrelay.* type on create', 'POST', '/api/v1/event-types', { name: 'hookrelay.custom' }, ['/body/name']),
  invalid('header auth without a token', 'POST', '/api/v1/webhooks', hook({ auth: { type: 'header', headerName: 'X-Token' } }), ['/body/auth/token']),
  invalid('basic auth without a password', 'POST', '/api/v1/webhooks', hook({ auth: { type: 'basic', username: 'u' } }), ['/body/auth/password']),
  invalid('oauth2 without clientSecret', 'POST', '/api/v1/webhooks', hook({ auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'c' } }), ['/body/auth/clientSecret']),
  invalid('invalid JSON Schema on an event type', 'POST', '/api/v1/event-types', { name: 'schema.broken', schema: { type: 'nonsense' } }, ['/body/schema']),
  invalid('PATCH webhook with an empty body', 'PATCH', '/api/v1/webhooks/{webhook}', {}, ['/body']),
  invalid('PATCH tenant with an empty body', 'PATCH', '/api/v1/tenants/acme', {}, ['/body']),
  invalid('PATCH webhook with an unknown field', 'PATCH', '/api/v1/webhooks/{webhook}', { tenantId: 'other' }, ['/body/tenantId']),
  { name: 'webhook for a tenant that does not exist', method: 'POST', url: '/api/v1/webhooks', body: hook({ tenantId: 'ghost' }), status: 422, code: 'tenant_unavailable', fields: ['/body/tenantId'] },
  { name: 'retry of a pending delivery', method: 'POST', url: '/api/v1/deliveries/{delivery}/retry', status: 409, code: 'conflict' },
  { name: 'unknown webhook', method: 'GET', url: '/api/v1/webhooks/wh_doesnotexist', status: 404, code: 'not_found' },
  { name: 'delete an unknown webhook', method: 'DELETE', url: '/api/v1/webhooks/wh_doesnotexist', status: 404, code: 'not_found' },
  { name: 'unknown route', method: 'GET', url: '/api/v1/nothing-here', status: 404, code: 'not_found' },
  { name: 'unknown verb on a known path', method: 'PUT', url: '/api/v1/tenants/acme', body: { name: 'x' }, status: 404, code: 'not_found' },
];
