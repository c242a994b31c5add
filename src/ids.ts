// Prefixed, time-sortable identifiers: `evt_01JD…` (prefix + 26 chars of Crockford base32:
// 48 bits of milliseconds, then 80 bits that are random at the start of each millisecond and
// incremented within it). Sorting ids as strings sorts them by creation time within a process,
// which is what cursor pagination relies on.
import { randomBytes } from 'node:crypto';

export const ID_PREFIXES = {
  event: 'evt',
  webhook: 'wh',
  delivery: 'dlv',
  attempt: 'att',
  batch: 'bat',
  source: 'src',
  apiKey: 'key',
  tenant: 'ten',
  request: 'req',
  node: 'node',
  inbound: 'inb',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastMs = -1;
const lastRandom = new Uint8Array(10);

function incrementRandom(): void {
  for (let i = lastRandom.length - 1; i >= 0; i--) {
    const v = lastRandom[i] ?? 0;
    if (v < 255) {
      lastRandom[i] = v + 1;
      return;
    }
    lastRandom[i] = 0;
  }
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = (ALPHABET[t % 32] ?? '0') + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, 5 bits at a time.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31] ?? '0';
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** A new sortable id body (26 characters) for the given wall-clock time. */
export function ulid(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    lastRandom.set(randomBytes(10));
  } else {
    incrementRandom();
  }
  return encodeTime(lastMs) + encodeRandom(lastRandom);
}

export function newId(kind: IdKind, nowMs?: number): string {
  return `${ID_PREFIXES[kind]}_${ulid(nowMs)}`;
}

/** Random token text for secrets and API keys: url-safe base64 of `bytes` random bytes. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

// Deliveries and attempts are identified by their row sequence number, shown as a prefixed,
// fixed-width base32 string (sortable like the other ids). Not storing a separate random id
// saves a unique text index on the two hottest tables.
const SEQ_PREFIX = { delivery: 'dlv', attempt: 'att' } as const;
const SEQ_WIDTH = 12;

export function seqId(kind: keyof typeof SEQ_PREFIX, seq: number): string {
  let out = '';
  let n = seq;
  for (let i = 0; i < SEQ_WIDTH; i++) {
    out = (ALPHABET[n % 32] ?? '0') + out;
    n = Math.floor(n / 32);
  }
  return `${SEQ_PREFIX[kind]}_${out}`;
}

/** The sequence number inside an id from seqId, or null when the text is not such an id. */
export function parseSeqId(kind: keyof typeof SEQ_PREFIX, id: string): number | null {
  const prefix = `${SEQ_PREFIX[kind]}_`;
  if (!id.startsWith(prefix) || id.length !== prefix.length + SEQ_WIDTH) return null;
  let n = 0;
  for (const ch of id.slice(prefix.length).toUpperCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return null;
    n = n * 32 + v;
  }
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
