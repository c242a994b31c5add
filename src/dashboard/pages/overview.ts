// Overview: the whole system (or, for a tenant key, that tenant) at a glance. The panel is a
// fragment of its own so htmx can poll it.
import { html } from '../html.js';
import type { Dash, Router } from '../router.js';
import { page } from '../views/layout.js';
import { overviewPanel } from '../views/overview.js';

export function overviewPages(dash: Dash, router: Router): void {
  router.get('/', null, async (_request, reply, ctx) => {
    // A key that cannot read deliveries still signs in; send it to the first page it can use.
    if (!ctx.can('deliveries:read')) {
      if (ctx.can('webhooks:read')) return reply.redirect('/webhooks', 303);
      return page(ctx, { title: 'Overview', section: 'overview', body: html`<p>This API key (${ctx.principal.permissions.join(', ')}) cannot read deliveries, so there is nothing to chart.</p>` });
    }
    const overview = await dash.overview.get(ctx.scope);
    return page(ctx, { title: 'Overview', section: 'overview', body: overviewPanel(overview) });
  });

  router.get('/overview/panel', 'deliveries:read', async (_request, _reply, ctx) => overviewPanel(await dash.overview.get(ctx.scope)));
}
