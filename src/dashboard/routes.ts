// The dashboard at /: server-rendered HTML over the same services and store operations as the
// API, with htmx (served from node_modules, no build step) for polling and in-place actions.
// Everything lives in one encapsulated Fastify scope: its own form parser, static files,
// security headers, session guard and an error handler that renders pages, not problem+json.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { ctxOrNull, guard, isHtmx, sendHtml, type Ctx } from './context.js';
import { html } from './html.js';
import { OverviewSource } from './overview-data.js';
import { activityPages } from './pages/activity.js';
import { apiKeyPages } from './pages/api-keys.js';
import { eventTypePages } from './pages/event-types.js';
import { failedPages } from './pages/failed.js';
import { overviewPages } from './pages/overview.js';
import { signInPages } from './pages/sign-in.js';
import { sourcePages } from './pages/sources.js';
import { tenantPages } from './pages/tenants.js';
import { webhookActionPages } from './pages/webhook-actions.js';
import { webhookPages } from './pages/webhooks.js';
import { routerFor, type Dash } from './router.js';
import { SessionStore } from './session.js';
import { barePage, errorBox, page } from './views/layout.js';

// Our CSS and JS sit in src/dashboard/static; the compiled module (dist/dashboard) finds them
// there too, two levels up, which is why package.json ships src/dashboard/static.
function staticDir(): string {
  const beside = fileURLToPath(new URL('./static/', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../../src/dashboard/static/', import.meta.url));
}

const HTMX_DIR = dirname(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));

// No inline script or style anywhere, so the policy can forbid both: a payload that slipped
// through escaping still could not run.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

function errorPage(request: FastifyRequest, reply: FastifyReply, ctx: Ctx | null, status: number, title: string, message: string): FastifyReply {
  if (isHtmx(request)) return sendHtml(reply, 200, errorBox(message));
  const body = html`${errorBox(message)}<p><a href="/">Back to the overview</a></p>`;
  return sendHtml(reply, status, ctx === null ? barePage(title, html`<h1>${title}</h1>${body}`) : page(ctx, { title, section: '', body }));
}

export async function registerDashboard(app: FastifyInstance, rt: Runtime): Promise<void> {
  const sessions = new SessionStore(rt.clock);
  const dash: Dash = { rt, sessions, overview: new OverviewSource(rt) };
  const forbidden = (request: FastifyRequest, reply: FastifyReply, ctx: Ctx | null, message: string): FastifyReply =>
    errorPage(request, reply, ctx, 403, 'Not allowed', message);

  await app.register(async (scope: FastifyInstance) => {
    await scope.register(formbody, { bodyLimit: 1_048_576 });
    await scope.register(fastifyStatic, { root: staticDir(), prefix: '/static/', decorateReply: false, index: false, maxAge: '1h' });
    await scope.register(fastifyStatic, { root: HTMX_DIR, prefix: '/static/vendor/', decorateReply: false, index: false, maxAge: '1d', allowedPath: (path) => path === '/htmx.min.js' });

    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.headers(SECURITY_HEADERS);
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.header('cache-control', 'no-store');
      return payload;
    });
    scope.addHook('preHandler', guard({ rt, sessions, forbidden }));

    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const ctx = ctxOrNull(request);
      if (error instanceof AppError) {
        request.log.info({ code: error.code, status: error.status }, 'dashboard request rejected');
        const title = error.status === 404 ? 'Not found' : error.status === 403 ? 'Not allowed' : 'That did not work';
        return errorPage(request, reply, ctx, error.status, title, error.message);
      }
      if (error.statusCode !== undefined && error.statusCode < 500) {
        return errorPage(request, reply, ctx, error.statusCode, 'That did not work', 'The request could not be read; reload the page and try again.');
      }
      request.log.error({ err: error }, 'dashboard request failed');
      return errorPage(request, reply, ctx, 500, 'Something went wrong', `Something went wrong on our side; request id ${request.id} identifies it in the server log.`);
    });

    const router = routerFor(scope);
    signInPages(scope, dash, router);
    overviewPages(dash, router);
    webhookPages(dash, router);
    webhookActionPages(dash, router);
    eventTypePages(dash, router);
    activityPages(dash, router);
    failedPages(dash, router);
    sourcePages(dash, router);
    tenantPages(dash, router);
    apiKeyPages(dash, router);
  });
}
