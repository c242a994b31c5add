// OAuth2: how many token requests the authorization server sees for 1,000 deliveries to an
// OAuth2-protected webhook (real token server process, hookrelay from dist/, the sink).
import { startOAuthServer } from '../../test/helpers/oauth-server.js';
import { api, sinkStats, startHookrelay, startSink, tempSqliteUrl, until } from '../lib/services.js';
import type { Row } from '../lib/report.js';

export async function oauth2Bench(_quick: boolean): Promise<Row[]> {
  const oauth = await startOAuthServer();
  const sink = await startSink();
  const db = tempSqliteUrl();
  const server = await startHookrelay(db.url);
  try {
    await api(server.url, 'POST', '/api/v1/tenants', { id: 'bench', name: 'Bench' });
    await api(server.url, 'POST', '/api/v1/webhooks', {
      tenantId: 'bench', name: 'oauth2', url: `${sink.url}/ok/oauth2`, verify: false, maxConcurrency: 64,
      auth: { type: 'oauth2', tokenUrl: oauth.tokenUrl, clientId: 'hookrelay', clientSecret: 'secret', scope: 'webhooks' },
    });
    const before = (await oauth.stats()).tokenRequests;
    const events = Array.from({ length: 1000 }, (_, i) => ({ tenantId: 'bench', type: 'bench.oauth2', data: { i } }));
    await api(server.url, 'POST', '/api/v1/events', { events });
    await until(async () => ((await sinkStats(sink))['/ok/oauth2']?.events ?? 0) >= 1000, 60_000);
    const requests = (await oauth.stats()).tokenRequests - before;
    return [{ scenario: 'oauth2', metric: 'token requests for 1,000 deliveries (concurrency 64)', value: requests, unit: 'requests', target: '1', pass: requests === 1 }];
  } finally {
    await server.stop();
    await sink.stop();
    await oauth.stop();
    db.cleanup();
  }
}
