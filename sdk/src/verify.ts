// Receiving webhooks: Standard Webhooks verification of hookrelay's deliveries (or anyone's
// Standard Webhooks). The signature covers "<webhook-id>.<webhook-timestamp>.<raw body>" with
// HMAC-SHA256 keyed by the base64 part of the whsec_ secret, so it must be checked over the
// bytes exactly as received: a body that was parsed and serialised again (other key order,
// spacing, escapes) no longer matches. That is why these functions take only a string or bytes
// and refuse anything else at run time as well as in their types.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/** One event as hookrelay sends it (a batching webhook receives an array of them). */
export interface WebhookEvent {
  id: string;
  type: string;
  timestamp: string;
  tenantId: string;
  /** Absent when the webhook has includePayload: false. */
  data?: unknown;
}

export type WebhookPayload = WebhookEvent | WebhookEvent[];

export type VerificationFailure =
  | 'not_raw_body'
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'no_matching_signature'
  | 'invalid_json';

export class WebhookVerificationError extends Error {
  constructor(readonly reason: VerificationFailure, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyOptions {
  /** Largest accepted difference between webhook-timestamp and now, either way. Default 300. */
  toleranceSeconds?: number;
  /** The current time (a Date or epoch milliseconds); default the system clock. */
  now?: Date | number;
}

export interface Verified {
  /** The webhook-id header: stable across retries, the key to deduplicate on. */
  id: string;
  /** The webhook-timestamp header, in seconds. */
  timestamp: number;
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const direct = headers[name];
  const value = direct ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function rawBytes(rawBody: unknown): Buffer {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody instanceof Uint8Array) return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  throw new WebhookVerificationError(
    'not_raw_body',
    `The body to verify must be the raw request body (a string or Buffer), not ${rawBody === null ? 'null' : typeof rawBody}: a parsed body cannot be verified. Read the body before any JSON parser runs (e.g. express.raw()), or use one of the adapters.`,
  );
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * Checks the signature and timestamp over the raw body; returns the message id and timestamp.
 * `secret` may be a list, to accept both the old and the new secret while rotating.
 */
export function verifySignature(rawBody: string | Uint8Array, headers: HeadersLike, secret: string | readonly string[], options: VerifyOptions = {}): Verified {
  const body = rawBytes(rawBody);
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    throw new WebhookVerificationError('missing_headers', 'The webhook-id, webhook-timestamp and webhook-signature headers are required.');
  }
  if (!/^\d{1,15}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', `webhook-timestamp '${timestamp}' is not a number of seconds.`);
  const ts = Number(timestamp);
  const tolerance = options.toleranceSeconds ?? 300;
  const now = Math.floor((options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime()) / 1000);
  if (ts < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', `The message is ${now - ts} s old, more than the ${tolerance} s tolerance: a replay, or a clock that is off.`);
  if (ts > now + tolerance) throw new WebhookVerificationError('timestamp_in_future', `The message is dated ${ts - now} s in the future, more than the ${tolerance} s tolerance.`);

  const given = signatures
    .split(' ')
    .map((s) => s.split(','))
    .filter((parts): parts is [string, string] => parts[0] === 'v1' && typeof parts[1] === 'string')
    .map(([, value]) => Buffer.from(value, 'base64'));
  for (const s of typeof secret === 'string' ? [secret] : secret) {
    const expected = createHmac('sha256', keyOf(s)).update(`${id}.${ts}.`).update(body).digest();
    // Constant time per comparison; checking every candidate keeps timing independent of which matched.
    let match = false;
    for (const g of given) if (g.length === expected.length && timingSafeEqual(g, expected)) match = true;
    if (match) return { id, timestamp: ts };
  }
  throw new WebhookVerificationError('no_matching_signature', 'No v1 signature matches the secret: the secret is wrong, or the body was changed (was it parsed and serialised again?).');
}

/** Verifies a delivery and returns its parsed payload: one event, or an array for a batching webhook. */
export function verifyWebhook(rawBody: string | Uint8Array, headers: HeadersLike, secret: string | readonly string[], options: VerifyOptions = {}): WebhookPayload {
  verifySignature(rawBody, headers, secret, options);
  try {
    return JSON.parse(rawBytes(rawBody).toString('utf8')) as WebhookPayload;
  } catch {
    throw new WebhookVerificationError('invalid_json', 'The body is signed but is not JSON.');
  }
}
