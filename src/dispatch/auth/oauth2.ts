// OAuth2 client credentials (RFC 6749 §4.4) for outbound deliveries. One token per credential
// set, shared by every delivery of the node and fetched single-flight. Lifetime comes from
// expires_in, else the webhook's tokenLifetimeHours (else one hour). The token is refreshed
// REFRESH_MARGIN_MS before it expires — for tokens living less than twice that, at the middle
// of their life — in the background while the current token is still served. Neither the
// client secret nor the token is ever logged.
import { createHash } from 'node:crypto';
import type { Agent } from 'undici';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { WebhookAuth } from '../../store/records.js';

type OAuth2Auth = Extract<WebhookAuth, { type: 'oauth2' }>;

export const TOKEN_TIMEOUT_MS = 5000;
export const REFRESH_MARGIN_MS = 30 * 60_000;
const DEFAULT_LIFETIME_MS = 3_600_000;

export type TokenResult = { kind: 'ok'; token: string; fresh: boolean } | { kind: 'unavailable'; message: string };

export interface TokenState {
  validUntil: number | null;
  refreshAt: number | null;
  lastError: string | null;
  lastFetchedAt: number | null;
  requests: number;
}

interface Entry extends TokenState {
  token: string | null;
  inflight: Promise<TokenResult> | null;
}

/** When to refresh a token issued at `issuedAt` that lives `lifetimeMs`. */
export function refreshTime(issuedAt: number, lifetimeMs: number): number {
  return issuedAt + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
}

export function credentialKey(auth: OAuth2Auth): string {
  return createHash('sha256')
    .update(JSON.stringify([auth.tokenUrl, auth.clientId, auth.clientSecret, auth.scope ?? '', auth.audience ?? '', auth.clientAuth]))
    .digest('hex');
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly agent: Agent,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** A usable token: cached, or fetched once for every caller waiting on it. */
  async token(auth: OAuth2Auth): Promise<TokenResult> {
    const key = credentialKey(auth);
    const entry = this.entry(key);
    const now = this.clock.now();
    if (entry.token !== null && entry.validUntil !== null && now < entry.validUntil) {
      if (entry.refreshAt !== null && now >= entry.refreshAt) void this.fetch(key, auth);
      return { kind: 'ok', token: entry.token, fresh: false };
    }
    return this.fetch(key, auth);
  }

  /** After the endpoint answered 401: drop the token (unless another caller already replaced it) and fetch anew. */
  async renew(auth: OAuth2Auth, rejected: string): Promise<TokenResult> {
    const key = credentialKey(auth);
    const entry = this.entry(key);
    if (entry.token === rejected) {
      entry.token = null;
      entry.validUntil = null;
    }
    return this.token(auth);
  }

  state(auth: OAuth2Auth): TokenState {
    const e = this.entries.get(credentialKey(auth));
    return { validUntil: e?.validUntil ?? null, refreshAt: e?.refreshAt ?? null, lastError: e?.lastError ?? null, lastFetchedAt: e?.lastFetchedAt ?? null, requests: e?.requests ?? 0 };
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { token: null, validUntil: null, refreshAt: null, lastError: null, lastFetchedAt: null, requests: 0, inflight: null };
      this.entries.set(key, e);
    }
    return e;
  }

  private fetch(key: string, auth: OAuth2Auth): Promise<TokenResult> {
    const entry = this.entry(key);
    if (entry.inflight !== null) return entry.inflight;
    const p = this.request(auth).then((res) => {
      const now = this.clock.now();
      entry.requests += 1;
      entry.lastFetchedAt = now;
      if (res.kind === 'ok') {
        const lifetime = res.lifetimeMs ?? (auth.tokenLifetimeHours !== undefined ? auth.tokenLifetimeHours * 3_600_000 : DEFAULT_LIFETIME_MS);
        entry.token = res.token;
        entry.validUntil = now + lifetime;
        entry.refreshAt = refreshTime(now, lifetime);
        entry.lastError = null;
        this.metrics.tokenRequests.inc({ outcome: 'success' });
        if (lifetime < 3_600_000 && !this.warned.has(key)) {
          this.warned.add(key);
          this.log.warn({ tokenUrl: auth.tokenUrl, clientId: auth.clientId, lifetimeSeconds: Math.round(lifetime / 1000) }, 'oauth2 tokens live less than one hour; refreshing early — a lifetime of at least one hour is recommended');
        }
        return { kind: 'ok', token: res.token, fresh: true } as const;
      }
      entry.lastError = res.message;
      this.metrics.tokenRequests.inc({ outcome: 'failure' });
      this.log.warn({ tokenUrl: auth.tokenUrl, clientId: auth.clientId, error: res.message }, 'oauth2 token request failed');
      // A still-valid token keeps serving while a background refresh fails.
      if (entry.token !== null && entry.validUntil !== null && now < entry.validUntil) return { kind: 'ok', token: entry.token, fresh: false } as const;
      return { kind: 'unavailable', message: res.message } as const;
    });
    entry.inflight = p.finally(() => {
      entry.inflight = null;
    });
    return entry.inflight;
  }

  private async request(auth: OAuth2Auth): Promise<{ kind: 'ok'; token: string; lifetimeMs: number | null } | { kind: 'error'; message: string }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope !== undefined && auth.scope !== '') form.set('scope', auth.scope);
    if (auth.audience !== undefined && auth.audience !== '') form.set('audience', auth.audience);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (auth.clientAuth === 'post') {
      form.set('client_id', auth.clientId);
      form.set('client_secret', auth.clientSecret);
    } else {
      // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
      const pair = `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    const url = new URL(auth.tokenUrl);
    const signal = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
    try {
      const res = await this.agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', headers, body: form.toString(), signal });
      const text = await res.body.text();
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        return { kind: 'error', message: `token endpoint answered ${res.statusCode} with a body that is not JSON` };
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const code = typeof body.error === 'string' ? body.error : `HTTP ${res.statusCode}`;
        return { kind: 'error', message: `token endpoint refused: ${code}${typeof body.error_description === 'string' ? ` (${body.error_description.slice(0, 200)})` : ''}` };
      }
      if (typeof body.access_token !== 'string' || body.access_token === '') return { kind: 'error', message: 'token response has no access_token' };
      const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : typeof body.expires_in === 'string' ? Number(body.expires_in) : NaN;
      return { kind: 'ok', token: body.access_token, lifetimeMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : null };
    } catch (err) {
      if (signal.aborted) return { kind: 'error', message: `token endpoint did not answer within ${TOKEN_TIMEOUT_MS} ms` };
      const code = (err as { code?: unknown }).code;
      return { kind: 'error', message: `token endpoint unreachable${typeof code === 'string' ? ` (${code})` : ''}` };
    }
  }
}
