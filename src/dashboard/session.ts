// Dashboard sessions. Signing in checks an API key exactly as the API does (ApiKeyCache and
// the same revocation rules); the browser then holds only a random session token in an
// HttpOnly, SameSite=Strict cookie. The key itself is never stored: the session keeps the
// key's id and permissions and re-reads the key row every few seconds, so a revoked key signs
// its sessions out within KEY_RECHECK_MS (at once when revoked from this node's dashboard).
//
// Sessions live in this process's memory: a restart signs everyone out, and behind a load
// balancer with several nodes the dashboard needs sticky sessions (or signing in per node).
// That trade keeps the key out of the cookie without a shared signing secret to manage.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Principal } from '../http/auth.js';

export const SESSION_COOKIE = 'hookrelay_session';
export const SIGN_IN_COOKIE = 'hookrelay_sign_in';
const IDLE_MS = 8 * 3_600_000;
const MAX_AGE_MS = 24 * 3_600_000;
const MAX_SESSIONS = 10_000;
export const KEY_RECHECK_MS = 5000;

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
  /** A value shown once in a copyable box (a new API key). */
  secret?: string;
}

export interface Session {
  readonly token: string;
  readonly principal: Principal;
  /** The key's name, to show who is signed in. */
  readonly keyName: string;
  /** Sent with every form and htmx request; compared in constant time. */
  readonly csrf: string;
  readonly createdAt: number;
  seenAt: number;
  checkedAt: number;
  flash: Flash[];
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: Clock) {}

  create(principal: Principal, keyName: string): Session {
    const now = this.clock.now();
    if (this.sessions.size >= MAX_SESSIONS) this.sweep(now, true);
    const session: Session = { token: randomToken(), principal, keyName, csrf: randomToken(), createdAt: now, seenAt: now, checkedAt: now, flash: [] };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session for a token; expired ones are dropped on the way. */
  get(token: string | undefined): Session | undefined {
    if (token === undefined || token === '') return undefined;
    const s = this.sessions.get(token);
    if (s === undefined) return undefined;
    const now = this.clock.now();
    if (now - s.seenAt > IDLE_MS || now - s.createdAt > MAX_AGE_MS) {
      this.sessions.delete(token);
      return undefined;
    }
    s.seenAt = now;
    return s;
  }

  destroy(token: string): void {
    this.sessions.delete(token);
  }

  /** Signs out every session of a key (after it is revoked). */
  destroyForKey(keyId: string): void {
    for (const [token, s] of this.sessions) if (s.principal.keyId === keyId) this.sessions.delete(token);
  }

  /** Drops expired sessions; when full, also the least recently seen tenth. */
  private sweep(now: number, full: boolean): void {
    for (const [token, s] of this.sessions) if (now - s.seenAt > IDLE_MS || now - s.createdAt > MAX_AGE_MS) this.sessions.delete(token);
    if (!full || this.sessions.size < MAX_SESSIONS) return;
    const oldest = [...this.sessions.values()].sort((a, b) => a.seenAt - b.seenAt).slice(0, Math.ceil(MAX_SESSIONS / 10));
    for (const s of oldest) this.sessions.delete(s.token);
  }
}

/** Cookie header → name/value map (first value wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed cookie is ignored like a missing one.
    }
  }
  return out;
}

/** A Set-Cookie value: HttpOnly and SameSite=Strict always, Secure on https. */
export function cookie(name: string, value: string, options: { secure: boolean; maxAgeSeconds?: number }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  return parts.join('; ');
}
