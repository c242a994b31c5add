import { Type } from 'typebox';
import type { Api } from './schemas.js';
import type { Runtime } from '../runtime.js';

export function healthRoutes(app: Api, rt: Runtime): void {
  const tags = ['operations'];
  app.get('/healthz', {
    schema: { tags, summary: 'Liveness: the process is up', security: [], response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) } },
  }, () => ({ status: 'ok' as const, version: rt.version }));

  app.get('/readyz', {
    schema: {
      tags,
      summary: 'Readiness: the database answers and the schema is current',
      security: [],
      response: { 200: Type.Object({ status: Type.String(), database: Type.String() }), 503: Type.Object({ status: Type.String(), database: Type.String() }) },
    },
  }, async (_request, reply) => {
    const ok = await rt.store.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', database: ok ? rt.store.dialect : 'unreachable' });
  });
}
