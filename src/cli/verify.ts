// Standard Webhooks verification for `hookrelay listen`: the signature is recomputed over the
// raw bytes received (never a re-serialised body) with the same signing code the server uses,
// compared in constant time against every `v1,` signature in the header, and the timestamp must
// be within the tolerance either way.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { signature } from '../dispatch/sign.js';

export type Verification = { ok: true; id: string } | { ok: false; reason: string };

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function verifyDelivery(rawBody: Buffer, headers: IncomingHttpHeaders, secret: string, nowSeconds: number, toleranceSeconds = 300): Verification {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  }
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: `webhook-timestamp '${timestamp}' is not a number of seconds` };
  const ts = Number(timestamp);
  if (ts < nowSeconds - toleranceSeconds) return { ok: false, reason: `timestamp is ${nowSeconds - ts} s old (tolerance ${toleranceSeconds} s): a replay, or a clock that is off` };
  if (ts > nowSeconds + toleranceSeconds) return { ok: false, reason: `timestamp is ${ts - nowSeconds} s in the future (tolerance ${toleranceSeconds} s)` };
  const expected = Buffer.from(signature(secret, id, ts, rawBody).slice('v1,'.length), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, reason: 'no v1 signature matches this secret (wrong secret, or the body was changed)' };
}
