// Opaque cursors for keyset pagination: the sort key of the last row, base64url-encoded.
import { invalidField } from '../errors.js';
import type { Page } from './records.js';

export function encodeCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, kind: 'string' | 'number'): string | number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'k' in parsed) {
      const k = parsed.k;
      if (typeof k === kind) return k as string | number;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidField('/query/cursor', 'cursor', 'The cursor is not one this server issued; pass the nextCursor value of the previous page unchanged.');
}

/** Trims the one extra row fetched to learn whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => string | number): Page<T> {
  const more = rows.length > limit;
  const visible = more ? rows.slice(0, limit) : rows;
  const last = visible.at(-1);
  return { data: visible.map(map), nextCursor: more && last !== undefined ? encodeCursor(key(last)) : null };
}
