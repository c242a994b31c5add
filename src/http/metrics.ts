// GET /metrics in Prometheus text format. Queue depth and the oldest due delivery's age are
// read from the database at scrape time, cached briefly so frequent scrapes cost little.
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';

const QUEUE_CACHE_MS = 5000;

export function metricsRoute(app: FastifyInstance, rt: Runtime): void {
  let refreshedAt = 0;
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [] } }, async (_request, reply) => {
    const now = rt.clock.now();
    if (now - refreshedAt > QUEUE_CACHE_MS) {
      refreshedAt = now;
      const stats = await rt.store.dispatch.queueStats(now);
      for (const state of ['pending', 'retrying', 'delivering', 'failed'] as const) rt.metrics.queueDepth.set({ state }, stats[state]);
      rt.metrics.oldestDueAge.set(stats.oldestDueAt === null ? 0 : Math.max(0, (now - stats.oldestDueAt) / 1000));
    }
    return reply.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
}
