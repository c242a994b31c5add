// `hookrelay serve`: API, dashboard, inbound endpoints and (unless --no-dispatch) the delivery
// engine in one process. The only place that binds a port and handles signals for it.
import { buildApp } from '../app.js';
import { bootstrapAdminKey } from '../api-keys/bootstrap.js';
import type { Config } from '../config.js';
import { createRuntime } from '../runtime.js';
import { onShutdownSignals } from './signals.js';

export async function serve(config: Config, options: { dispatch: boolean }): Promise<void> {
  const rt = await createRuntime(config, { role: options.dispatch ? 'serve' : 'api' });
  const log = rt.log.child({ component: 'serve' });
  if (rt.migration !== null && rt.migration.applied.length > 0) log.info({ applied: rt.migration.applied }, 'migrations applied');

  const { generated } = await bootstrapAdminKey(rt);
  if (generated !== null) {
    console.log('');
    console.log('  hookrelay generated the first admin API key. It is shown only this once:');
    console.log('');
    console.log(`    ${generated}`);
    console.log('');
    console.log('  Use it as "Authorization: Bearer <key>" and to sign in to the dashboard.');
    console.log('  Set HOOKRELAY_ADMIN_KEY to choose the key yourself instead.');
    console.log('');
  }

  const app = await buildApp(rt);
  const address = await app.listen({ port: config.port, host: config.host });
  if (options.dispatch) await rt.startEngine();
  log.info({ address, database: rt.store.dialect, nodeId: rt.nodeId, dispatch: options.dispatch }, 'hookrelay is serving');

  onShutdownSignals(log, config.shutdownTimeoutMs, async () => {
    await app.close();
    await rt.close();
  });
}
