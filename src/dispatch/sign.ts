// Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256>` over
// "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64 part of the whsec_ secret.
// During a rotation overlap both secrets sign, space-separated, so receivers can switch keys
// without dropping a request.
import { createHmac } from 'node:crypto';

const keyCache = new Map<string, Buffer>();

export function secretKey(secret: string): Buffer {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

export function signature(secret: string, msgId: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${msgId}.${timestampSeconds}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

/** The webhook-signature header value for the active secrets. */
export function signatureHeader(secrets: readonly string[], msgId: string, timestampSeconds: number, body: string | Buffer): string {
  return secrets.map((s) => signature(s, msgId, timestampSeconds, body)).join(' ');
}
