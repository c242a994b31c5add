// Prepare: turn claimed deliveries into the exact HTTP request — body (one event object, or
// an array for a batch; no `data` when includePayload is false; none at all for GET), URL,
// and headers (content type, user agent, Standard Webhooks id/timestamp/signature, custom
// headers, credentials) — plus the copy of the headers that is safe to store.
import type { EventPayload, Webhook } from '../store/records.js';
import { USER_AGENT } from '../version.js';
import { signatureHeader } from './sign.js';

export interface PreparedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Headers as recorded in the activity log: credentials replaced by [redacted]. */
  loggedHeaders: Record<string, string>;
  body: string | null;
  msgId: string;
}

/** One event as it is sent. `data` is the stored JSON text, spliced in without re-parsing. */
export function eventJson(e: Pick<EventPayload, 'id' | 'type' | 'timestamp' | 'tenantId' | 'data'>, includePayload: boolean): string {
  const head = `{"id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"timestamp":"${new Date(e.timestamp).toISOString()}","tenantId":${JSON.stringify(e.tenantId)}`;
  return includePayload ? `${head},"data":${e.data}}` : `${head}}`;
}

const SENSITIVE = /auth|token|secret|key|password|cookie|session|credential/i;

export function redactHeaders(headers: Record<string, string>, alsoSecret: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const secretNames = new Set(alsoSecret.map((h) => h.toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[name] = value.replace(/^(\w+)\s.*$/, '$1 [redacted]');
    else if (lower !== 'webhook-signature' && (secretNames.has(lower) || SENSITIVE.test(lower))) out[name] = '[redacted]';
    else out[name] = value;
  }
  return out;
}

/** The secrets that sign right now: the current one, and the previous one during its overlap. */
export function activeSecrets(w: Pick<Webhook, 'secret' | 'previousSecret' | 'previousSecretUntil'>, now: number): string[] {
  return w.previousSecret !== null && (w.previousSecretUntil ?? 0) > now ? [w.secret, w.previousSecret] : [w.secret];
}

export function prepareRequest(
  webhook: Webhook,
  msgId: string,
  events: readonly EventPayload[],
  asBatch: boolean,
  auth: { headers: Record<string, string>; secretHeaderNames: readonly string[] },
  now: number,
): PreparedRequest {
  const s = webhook.settings;
  const timestamp = Math.floor(now / 1000);
  const isGet = s.method === 'GET';
  const body = isGet ? null : asBatch ? `[${events.map((e) => eventJson(e, s.includePayload)).join(',')}]` : eventJson(events[0] ?? missing(), s.includePayload);

  let url = webhook.url;
  if (isGet) {
    // GET carries no body: the event's id and type travel in the query string.
    const u = new URL(webhook.url);
    const first = events[0];
    if (asBatch) {
      u.searchParams.set('id', msgId);
      u.searchParams.set('type', 'batch');
      u.searchParams.set('count', String(events.length));
    } else if (first !== undefined) {
      u.searchParams.set('id', first.id);
      u.searchParams.set('type', first.type);
    }
    url = u.toString();
  }

  const headers: Record<string, string> = { ...s.headers, ...auth.headers };
  headers['user-agent'] = USER_AGENT;
  if (body !== null) headers['content-type'] = 'application/json';
  headers['webhook-id'] = msgId;
  headers['webhook-timestamp'] = String(timestamp);
  headers['webhook-signature'] = signatureHeader(activeSecrets(webhook, now), msgId, timestamp, body ?? '');
  return { url, method: s.method, headers, loggedHeaders: redactHeaders(headers, auth.secretHeaderNames), body, msgId };
}

function missing(): never {
  throw new Error('a request needs at least one event');
}
