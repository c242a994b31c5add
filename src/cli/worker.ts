// `hookrelay worker`: the delivery engine alone (no API), for scaling delivery out on
// PostgreSQL. With --metrics-port it also serves /healthz, /readyz and /metrics.
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { healthRoutes } from '../http/health.js';
import { metricsRoute } from '../http/metrics.js';
import { createRuntime } from '../runtime.js';
import { onShutdownSignals } from './signals.js';

export async function worker(config: Config, options: { metricsPort: number | null }): Promise<void> {
  const rt = await createRuntime(config, { role: 'worker' });
  const log = rt.log.child({ component: 'worker' });
  let close = (): Promise<void> => Promise.resolve();
  if (options.metricsPort !== null) {
    const logger: FastifyBaseLogger = rt.log.child({ component: 'http' });
    const app = Fastify({ loggerInstance: logger });
    healthRoutes(app, rt);
    metricsRoute(app, rt);
    await app.listen({ port: options.metricsPort, host: config.host });
    close = () => app.close();
  }
  await rt.startEngine();
  log.info({ nodeId: rt.nodeId, database: rt.store.dialect, metricsPort: options.metricsPort }, 'hookrelay worker is delivering');
  onShutdownSignals(log, config.shutdownTimeoutMs, async () => {
    await rt.close();
    await close();
  });
}
