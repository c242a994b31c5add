// Who may call a source. basic, header and oauth2 are decided from the headers alone, before
// the body is read; hmac (Standard Webhooks) needs the raw body, so its headers and timestamp
// are checked first and the signature once the bytes are in. Every refusal is a 401 with a
// WWW-Authenticate challenge and a detail that tells an honest sender what to fix.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { signature } from '../dispatch/sign.js';
import { AppError } from '../errors.js';
import type { SourceAuth } from '../store/sources.js';
import type { JwtVerifier } from './jwt.js';

export const HMAC_TOLERANCE_SECONDS = 300;
const REALM = 'realm="hookrelay"';

/** The Standard Webhooks headers of a request, checked for shape and freshness. */
export interface SignedHeaders {
  id: string;
  timestamp: number;
  signatures: string[];
}

function challenge(auth: SourceAuth, extra = ''): string {
  switch (auth.type) {
    case 'basic':
      return `Basic ${REALM}, charset="UTF-8"`;
    case 'oauth2':
      return `Bearer ${REALM}${extra}`;
    case 'header':
      return `Token ${REALM}, header="${auth.headerName}"`;
    case 'hmac':
      return `Signature ${REALM}, scheme="standard-webhooks"`;
    case 'none':
      return REALM;
  }
}

export function unauthorized(auth: SourceAuth, detail: string, bearerError?: string): AppError {
  const extra = bearerError === undefined ? '' : `, error="invalid_token", error_description="${bearerError.replace(/["\\]/g, "'")}"`;
  return new AppError('unauthorized', detail, { headers: { 'www-authenticate': challenge(auth, extra) } });
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Checks the caller from the headers. Returns the signed headers for an hmac source (whose
 * signature is checked over the body later), null otherwise; throws a 401 (or 503 when an
 * issuer's key set cannot be fetched).
 */
export async function checkCaller(auth: SourceAuth, headers: IncomingHttpHeaders, jwt: JwtVerifier, nowMs: number): Promise<SignedHeaders | null> {
  switch (auth.type) {
    case 'none':
      return null;
    case 'basic': {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header(headers, 'authorization') ?? '');
      if (m?.[1] === undefined) throw unauthorized(auth, 'Send the credentials of this source as `Authorization: Basic base64(username:password)`.');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const userOk = sameSecret(colon < 0 ? decoded : decoded.slice(0, colon), auth.username);
      const passOk = sameSecret(colon < 0 ? '' : decoded.slice(colon + 1), auth.password);
      if (!userOk || !passOk) throw unauthorized(auth, 'The username or password is not valid for this source.');
      return null;
    }
    case 'header': {
      const given = header(headers, auth.headerName.toLowerCase());
      if (given === undefined) throw unauthorized(auth, `Send this source's token in the ${auth.headerName} header.`);
      if (!sameSecret(given, auth.token)) throw unauthorized(auth, `The token in the ${auth.headerName} header is not valid for this source.`);
      return null;
    }
    case 'oauth2': {
      const m = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '');
      if (m?.[1] === undefined) throw unauthorized(auth, 'Send an access token from the configured issuer as `Authorization: Bearer <token>`.');
      const result = await jwt.verify(auth, m[1]);
      if (result.ok) return null;
      if (result.unavailable) {
        throw new AppError('unavailable', `${result.reason} Retry later.`, { headers: { 'retry-after': '5' } });
      }
      throw unauthorized(auth, result.reason, result.reason);
    }
    case 'hmac':
      return signedHeaders(auth, headers, nowMs);
  }
}

function signedHeaders(auth: SourceAuth, headers: IncomingHttpHeaders, nowMs: number): SignedHeaders {
  // Svix-based senders use the svix-* names for the same scheme.
  const id = header(headers, 'webhook-id') ?? header(headers, 'svix-id');
  const ts = header(headers, 'webhook-timestamp') ?? header(headers, 'svix-timestamp');
  const sig = header(headers, 'webhook-signature') ?? header(headers, 'svix-signature');
  if (id === undefined || ts === undefined || sig === undefined) {
    throw unauthorized(auth, 'Sign requests to this source the Standard Webhooks way: webhook-id, webhook-timestamp and webhook-signature headers are required.');
  }
  if (!/^\d{1,12}$/.test(ts)) throw unauthorized(auth, 'webhook-timestamp must be the signing time in whole seconds since the epoch.');
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > HMAC_TOLERANCE_SECONDS) {
    throw unauthorized(auth, `webhook-timestamp is more than ${HMAC_TOLERANCE_SECONDS / 60} minutes away from the server's time; sign each request (and each retry) when sending it.`);
  }
  return { id, timestamp, signatures: sig.split(' ').filter((s) => s.startsWith('v1,')) };
}

/** Checks a Standard Webhooks signature over the exact body bytes; throws a 401 when none matches. */
export function checkSignature(auth: Extract<SourceAuth, { type: 'hmac' }>, signed: SignedHeaders, body: Buffer): void {
  const expected = Buffer.from(signature(auth.secret, signed.id, signed.timestamp, body));
  const match = signed.signatures.some((s) => {
    const given = Buffer.from(s);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!match) throw unauthorized(auth, 'No v1 signature in webhook-signature matches the body with this source\'s secret; sign "id.timestamp.body" over the exact bytes sent.');
}
