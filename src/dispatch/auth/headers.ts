// Credentials for one outbound request, by the webhook's auth type. OAuth2 tokens come from
// the node's shared TokenCache.
import type { Webhook } from '../../store/records.js';
import type { TokenCache } from './oauth2.js';

export type AuthHeaders =
  | { kind: 'ok'; headers: Record<string, string>; secretHeaderNames: string[]; token: string | null }
  | { kind: 'unavailable'; message: string };

export async function authHeaders(webhook: Webhook, tokens: TokenCache, renewing: string | null = null): Promise<AuthHeaders> {
  const auth = webhook.auth;
  switch (auth.type) {
    case 'none':
      return { kind: 'ok', headers: {}, secretHeaderNames: [], token: null };
    case 'header':
      return { kind: 'ok', headers: { [auth.headerName]: auth.token }, secretHeaderNames: [auth.headerName], token: null };
    case 'basic':
      return { kind: 'ok', headers: { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }, secretHeaderNames: [], token: null };
    case 'oauth2': {
      const t = renewing === null ? await tokens.token(auth) : await tokens.renew(auth, renewing);
      if (t.kind === 'unavailable') return { kind: 'unavailable', message: t.message };
      return { kind: 'ok', headers: { authorization: `Bearer ${t.token}` }, secretHeaderNames: [], token: t.token };
    }
  }
}
