// /openapi.json (OpenAPI 3.1) generated from the route schemas that also validate requests,
// and a browsable UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookrelay',
        version,
        description: 'Self-hosted webhooks gateway: publish events, deliver them signed to subscribed webhooks with retries, and receive webhooks from third parties.',
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer hr_…' } } },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'tenants' }, { name: 'event-types' }, { name: 'webhooks' }, { name: 'events' }, { name: 'deliveries' },
        { name: 'sources' }, { name: 'inbound' }, { name: 'api-keys' }, { name: 'operations' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
