// The receiving side of OAuth2-protected webhooks: an endpoint on 127.0.0.1:0 that checks each
// request's bearer JWT against the authorization server's JWKS (issuer, audience, expiry) with
// `jose`, answers 401 when it does not verify, and can be told to reject specific tokens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ProtectedEndpoint {
  url: string;
  accepted: number;
  rejected: number;
  tokens: string[];
  /** Rejects (401) every request carrying one of these tokens, even if it verifies. */
  revoke(token: string): void;
  close(): Promise<void>;
}

export async function startProtectedEndpoint(issuer: string, audience: string): Promise<ProtectedEndpoint> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const revoked = new Set<string>();
  const state = { accepted: 0, rejected: 0, tokens: [] as string[] };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      state.tokens.push(token);
      const reject = (): void => {
        state.rejected += 1;
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      };
      if (token === '' || revoked.has(token)) {
        reject();
        return;
      }
      jwtVerify(token, jwks, { issuer, audience }).then(
        () => {
          state.accepted += 1;
          res.writeHead(200).end();
        },
        reject,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    get accepted() {
      return state.accepted;
    },
    get rejected() {
      return state.rejected;
    },
    tokens: state.tokens,
    revoke: (t) => revoked.add(t),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
