// A real OAuth2 authorization server for the inbound tests, in its own process: oauth2-mock-server
// on 127.0.0.1 with a fresh RS256 key. It prints {"issuer": "...", "port": n} once listening.
// Two additions for tests: the Auth0-style `audience` form field becomes the token's aud claim
// (hookrelay's client-credentials flow sends `audience`; the mock reads only `aud`), and a
// `token_ttl` form field (seconds, may be negative) sets how long the token lives.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: { body?: Record<string, unknown> }) => {
  const body = req.body ?? {};
  if (typeof body.audience === 'string') token.payload.aud = body.audience;
  if (typeof body.token_ttl === 'string') token.payload.exp = Math.floor(Date.now() / 1000) + Number(body.token_ttl);
});
await server.start(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url, port: server.address().port })}\n`);
const stop = (): void => {
  void server.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
