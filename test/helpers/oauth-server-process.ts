// A real OAuth2 authorization server in its own process (oauth2-mock-server), plus a control
// endpoint for tests: POST /__mode {mode, expiresIn} switches between issuing tokens, refusing
// with invalid_client, and failing with 500; GET /__stats tells how many token requests came
// and how clients authenticated. Prints {"port":…} when ready.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Server } from 'oauth2-mock-server';

type Mode = 'ok' | 'invalid_client' | 'error';
let mode: Mode = 'ok';
let expiresIn = 3600;
const stats = { tokenRequests: 0, basicAuth: 0, postAuth: 0, audiences: [] as string[] };

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: { body?: Record<string, unknown> }) => {
  // Standard client-credentials clients send `audience`; put it in the token's aud claim.
  const audience = req.body?.audience;
  if (typeof audience === 'string') token.payload.aud = audience;
  token.payload.exp = Math.floor(Date.now() / 1000) + expiresIn;
  // RS256 signatures are deterministic: without a unique claim, two tokens issued in the same
  // second would be the same string.
  token.payload.jti = randomUUID();
});
server.service.on('beforeResponse', (res: { body: Record<string, unknown>; statusCode: number }, req: { headers: Record<string, string | undefined>; body?: Record<string, unknown> }) => {
  stats.tokenRequests += 1;
  if ((req.headers.authorization ?? '').startsWith('Basic ')) stats.basicAuth += 1;
  if (typeof req.body?.client_secret === 'string') stats.postAuth += 1;
  if (typeof req.body?.audience === 'string') stats.audiences.push(req.body.audience);
  if (mode === 'invalid_client') {
    res.statusCode = 401;
    res.body = { error: 'invalid_client', error_description: 'client authentication failed' };
  } else if (mode === 'error') {
    res.statusCode = 500;
    res.body = { error: 'server_error' };
  } else {
    res.body.expires_in = expiresIn;
  }
});
await server.start(0, '127.0.0.1');
const oauthPort = new URL(server.issuer.url ?? 'http://127.0.0.1:0').port;
// Tokens name the issuer by the address the server really listens on.
server.issuer.url = `http://127.0.0.1:${oauthPort}`;

const control = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/__mode') {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { mode?: Mode; expiresIn?: number };
      if (body.mode !== undefined) mode = body.mode;
      if (body.expiresIn !== undefined) expiresIn = body.expiresIn;
      res.writeHead(204).end();
    } else if (req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    } else res.writeHead(404).end();
  });
});
control.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: Number(oauthPort), control: (control.address() as AddressInfo).port })}\n`);
});
