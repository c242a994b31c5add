// A real `hookrelay serve` child process on a SQLite file, for the crash and shutdown tests
// (test/helpers/hookrelay-process.ts does the work).
import { ensureStopped, startHookrelayProcess, type HookrelayProcess } from '../helpers/hookrelay-process.js';

export type ServerProcess = HookrelayProcess;
export { ensureStopped };

export function startServer(databasePath: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startHookrelayProcess({ databaseUrl: `sqlite:${databasePath}`, env });
}

/** Creates tenant `acme` and a webhook (no verification) on a running server; returns its id. */
export async function setupWebhook(server: ServerProcess, webhook: Record<string, unknown>): Promise<string> {
  const tenant = await server.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const w = await server.api('POST', '/api/v1/webhooks', { tenantId: 'acme', name: 'e2e', verify: false, ...webhook });
  if (w.status !== 201) throw new Error(`webhook: ${w.status} ${JSON.stringify(w.body)}`);
  return (w.body as { id: string }).id;
}
