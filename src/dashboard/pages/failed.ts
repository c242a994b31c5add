// The failed queue: failed deliveries with the activity filters, retry one (in place) or
// retry every delivery that matches the filter — requeueAll, as POST /api/v1/deliveries/retry
// does, in short chunked transactions — after showing how many that is.
import { readFilter } from '../delivery-filter.js';
import { html, query } from '../html.js';
import type { Dash, Router } from '../router.js';
import { requeueAll } from '../../deliveries/reprocess.js';
import { count } from '../views/format.js';
import { deliveryTable, filterForm, rowsBody } from '../views/deliveries.js';
import { csrf, errorBox, page } from '../views/layout.js';
import { deliveryListing, webhookChoices } from './activity.js';

const COUNT_CAP = 100_000;

export function failedPages(dash: Dash, router: Router): void {
  const { rt } = dash;

  router.get('/failed', 'deliveries:read', async (request, _reply, ctx) => {
    const { read, list, options, nextUrl } = await deliveryListing(rt, ctx, request, '/failed');
    const f = read.filter;
    const matching = await rt.store.stats.countFailed(ctx.scope, { webhookId: f.webhookId, eventType: f.eventType, since: f.since, until: f.until }, COUNT_CAP);
    const shown = count(matching, matching >= COUNT_CAP);
    const input = { ...read.input, state: undefined };
    const retryAll = ctx.can('deliveries:retry') && matching > 0
      ? html`<form method="post" action="/failed/retry-all${query(input)}" class="retry-all">${csrf(ctx)}
          <button type="submit" class="primary" data-confirm="Requeue all ${shown} failed deliveries that match this filter?">Retry all ${shown} matching</button>
        </form>`
      : '';
    const body = html`${filterForm('/failed', input, await webhookChoices(rt, ctx), false)}
      ${read.problems.length === 0 ? '' : errorBox(read.problems.join(' '))}
      <div class="queue-summary"><p><strong>${shown}</strong> failed ${matching === 1 ? 'delivery matches' : 'deliveries match'} the filter.</p>${retryAll}</div>
      ${deliveryTable(ctx, list.data, options, nextUrl)}`;
    return page(ctx, { title: 'Failed queue', section: 'failed', body });
  });

  router.get('/failed/rows', 'deliveries:read', async (request, _reply, ctx) => {
    const { list, options } = await deliveryListing(rt, ctx, request, '/failed');
    return rowsBody(ctx, list.data, options);
  });

  router.post('/failed/retry-all', 'deliveries:retry', async (request, reply, ctx) => {
    // The filter travels in the query string, as the list page applied it; the body carries
    // only the CSRF token, which the guard checked.
    const read = readFilter(request, rt.clock.now(), 'failed');
    const requeued = await requeueAll(rt, ctx.scope, read.filter);
    request.log.info({ requeued, apiKeyId: ctx.principal.keyId }, 'failed deliveries requeued from the dashboard');
    ctx.session.flash.push({ kind: 'ok', text: `Requeued ${count(requeued)} ${requeued === 1 ? 'delivery' : 'deliveries'}; they are being sent again.` });
    return reply.redirect(`/failed${query({ ...read.input, state: undefined })}`, 303);
  });
}
