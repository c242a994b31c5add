// Activity: the deliveries table (the store's listDeliveries, as GET /api/v1/deliveries),
// filterable and paginated by cursor, its first page refreshing itself; a delivery's page; and
// retrying one delivery, as POST /api/v1/deliveries/{id}/retry does.
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../errors.js';
import type { Runtime } from '../../runtime.js';
import type { Delivery } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { isHtmx } from '../context.js';
import { readFilter } from '../delivery-filter.js';
import { html, path, query } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { badge } from '../views/format.js';
import { deliveryDetail, deliveryTable, filterForm, rowsBody, type TableOptions } from '../views/deliveries.js';
import { errorBox, page } from '../views/layout.js';

const PAGE_SIZE = 50;

/** The scope's webhooks for the filter's select, when the key may read webhooks. */
export async function webhookChoices(rt: Runtime, ctx: Ctx): Promise<{ id: string; name: string }[]> {
  if (!ctx.can('webhooks:read')) return [];
  const list = await rt.store.webhooks.listWebhooks(ctx.scope, {}, { limit: 500 });
  return list.data.map((w) => ({ id: w.id, name: ctx.unrestricted ? `${w.name} (${w.tenantId})` : w.name }));
}

/** Names of the webhooks on one page of deliveries (point lookups: the rows poll every 5 s). */
async function namesFor(rt: Runtime, ctx: Ctx, deliveries: readonly Delivery[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (!ctx.can('webhooks:read')) return names;
  for (const id of new Set(deliveries.map((d) => d.webhookId))) {
    const w = await rt.store.webhooks.getWebhook(ctx.scope, id);
    if (w !== undefined) names.set(id, ctx.unrestricted ? `${w.name} (${w.tenantId})` : w.name);
  }
  return names;
}

/** One page of deliveries for a listing page (activity or failed queue) or its polled rows. */
export async function deliveryListing(rt: Runtime, ctx: Ctx, request: FastifyRequest, base: '/activity' | '/failed') {
  const now = rt.clock.now();
  const failedQueue = base === '/failed';
  const read = readFilter(request, now, failedQueue ? 'failed' : undefined);
  const cursor = queryParam(request, 'cursor');
  const list = await rt.store.deliveries.listDeliveries(ctx.scope, read.filter, { limit: PAGE_SIZE, cursor });
  const filterInput = failedQueue ? { ...read.input, state: undefined } : read.input;
  const options: TableOptions = { rowsUrl: `${base}/rows`, input: filterInput, names: await namesFor(rt, ctx, list.data), now, live: cursor === undefined, failedQueue };
  const nextUrl = list.nextCursor === null ? null : `${base}${query({ ...filterInput, cursor: list.nextCursor })}`;
  return { read, list, options, nextUrl };
}

export function activityPages(dash: Dash, router: Router): void {
  const { rt } = dash;

  router.get('/activity', 'deliveries:read', async (request, _reply, ctx) => {
    const { read, list, options, nextUrl } = await deliveryListing(rt, ctx, request, '/activity');
    const body = html`${filterForm('/activity', read.input, await webhookChoices(rt, ctx), true)}
      ${read.problems.length === 0 ? '' : errorBox(read.problems.join(' '))}
      ${deliveryTable(ctx, list.data, options, nextUrl)}`;
    return page(ctx, { title: 'Activity', section: 'activity', body });
  });

  router.get('/activity/rows', 'deliveries:read', async (request, _reply, ctx) => {
    const { list, options } = await deliveryListing(rt, ctx, request, '/activity');
    return rowsBody(ctx, list.data, options);
  });

  router.get('/deliveries/:id', 'deliveries:read', async (request, _reply, ctx) => {
    const id = param(request, 'id');
    const d = await rt.store.deliveries.getDelivery(ctx.scope, id);
    if (d === undefined) throw notFound('delivery', id);
    const attempts = await rt.store.deliveries.listAttempts(d);
    // The payload is event data: shown to keys that may read events, as GET /events/{id} is.
    const event = ctx.can('events:read') ? ((await rt.store.events.getEvent({ tenantId: d.tenantId }, d.eventId)) ?? null) : 'hidden';
    const webhook = ctx.can('webhooks:read') ? await rt.store.webhooks.getWebhook(ctx.scope, d.webhookId) : undefined;
    return page(ctx, { title: `Delivery ${d.id}`, section: 'activity', body: deliveryDetail(ctx, d, event, attempts, webhook?.name ?? d.webhookId, rt.clock.now()) });
  });

  router.post('/deliveries/:id/retry', 'deliveries:retry', async (request, reply, ctx) => {
    const id = param(request, 'id');
    const now = rt.clock.now();
    const res = await rt.store.transaction(async (tx) => {
      const r = await tx.deliveries.requeueDelivery(ctx.scope, id, now);
      if (r.kind === 'requeued') await tx.dispatch.bumpDue([r.webhookId], now);
      return r;
    });
    if (res.kind === 'not_found') throw notFound('delivery', id);
    if (res.kind === 'not_requeueable') {
      const message = `This delivery is ${res.state}; only failed, canceled or delivered deliveries can be retried.`;
      if (isHtmx(request)) return errorBox(message);
      throw new AppError('conflict', message);
    }
    rt.work.announce([res.webhookId]);
    request.log.info({ deliveryId: id, apiKeyId: ctx.principal.keyId }, 'delivery requeued from the dashboard');
    if (isHtmx(request)) return html`${badge('requeued', 'info')}`;
    ctx.session.flash.push({ kind: 'ok', text: 'Delivery requeued; it is sent again now.' });
    return reply.redirect(path('/deliveries', id), 303);
  });
}
