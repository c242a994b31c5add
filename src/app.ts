// buildApp(runtime): the Fastify application — API, docs, health, metrics, dashboard and
// inbound endpoints — without listening anywhere. src/cli/serve.ts binds it to a port; tests
// call inject() or listen on 127.0.0.1:0.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { apiKeyRoutes } from './api-keys/routes.js';
import { registerDashboard } from './dashboard/routes.js';
import { deliveryRoutes } from './deliveries/routes.js';
import { eventTypeRoutes } from './event-types/routes.js';
import { eventRoutes } from './events/routes.js';
import { registerAuth } from './http/auth.js';
import { healthRoutes } from './http/health.js';
import { metricsRoute } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { registerProblemHandlers } from './http/problem.js';
import { registerRateLimits } from './http/rate-limit.js';
import type { Api } from './http/schemas.js';
import { validatorCompiler } from './http/validation.js';
import { newId } from './ids.js';
import type { Runtime } from './runtime.js';
import { registerInbound } from './sources/inbound.js';
import { sourceRoutes } from './sources/routes.js';
import { tenantRoutes } from './tenants/routes.js';
import { webhookActionRoutes } from './webhooks/actions.js';
import { webhookHealthRoute } from './webhooks/health.js';
import { webhookRoutes } from './webhooks/routes.js';

export const API_BODY_LIMIT_BYTES = 1_048_576;

export async function buildApp(rt: Runtime): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = rt.log.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: logger,
    // Requests are logged by the hooks below (debug, or warn on 5xx), not per request at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: API_BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : newId('request');
    },
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) request.log.warn({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request completed with a server error');
    else request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request completed');
  });

  registerProblemHandlers(app);
  await registerRateLimits(app, rt);
  await registerOpenApi(app, rt.version);
  healthRoutes(app, rt);
  metricsRoute(app, rt);

  await app.register(
    (api: Api) => {
      // The management API speaks JSON only: anything else is 415.
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: API_BODY_LIMIT_BYTES }, api.getDefaultJsonParser('error', 'error'));
      registerAuth(api, rt.apiKeys);
      tenantRoutes(api, rt);
      eventTypeRoutes(api, rt);
      webhookRoutes(api, rt);
      webhookActionRoutes(api, rt);
      webhookHealthRoute(api, rt);
      eventRoutes(api, rt);
      deliveryRoutes(api, rt);
      apiKeyRoutes(api, rt);
      sourceRoutes(api, rt);
      return Promise.resolve();
    },
    { prefix: '/api/v1' },
  );
  await registerInbound(app, rt);
  await registerDashboard(app, rt);
  return app;
}
