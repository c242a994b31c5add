// API keys: `hr_` + 32 random bytes. Only a SHA-256 hash is stored (the key has 256 bits of
// entropy, so a slow hash adds nothing); the key itself is shown once, at creation.
import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../ids.js';

export const PERMISSIONS = [
  'admin',
  'tenants:read',
  'tenants:write',
  'event-types:read',
  'event-types:write',
  'webhooks:read',
  'webhooks:write',
  'events:read',
  'events:write',
  'deliveries:read',
  'deliveries:retry',
  'sources:read',
  'sources:write',
  'api-keys:read',
  'api-keys:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export function generateApiKey(): string {
  return `hr_${randomToken(32)}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The first characters of a key, safe to display so people can tell keys apart. */
export function keyPrefix(key: string): string {
  return `${key.slice(0, 9)}…`;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when the held permissions grant `needed` (admin grants everything). */
export function grants(held: readonly string[], needed: Permission): boolean {
  return held.includes('admin') || held.includes(needed);
}
