// Webhook pages: list, create, view, edit, enable/disable, delete. Forms post back here;
// a service error re-renders the form with the problem inline and what was typed (secrets
// excepted), never a stack trace.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { ALL_TENANTS } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { sendHtml } from '../context.js';
import { Form, settle } from '../forms.js';
import { html, path } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { createBody, patchBody, submittedValues, webhookValues, type FormValues } from '../webhook-input.js';
import { resolveTenant } from '../../http/auth.js';
import { endpointHealth } from '../../webhooks/health.js';
import { createWebhook, deleteWebhook, loadWebhook, updateWebhook } from '../../webhooks/operations.js';
import { errorBox, page } from '../views/layout.js';
import { WEBHOOK_FIELDS, webhookForm } from '../views/webhook-form.js';
import { webhookActions, webhookDetail, webhookList } from '../views/webhooks.js';

export function webhookPages(dash: Dash, router: Router): void {
  const { rt } = dash;

  async function formPage(request: FastifyRequest, reply: FastifyReply, ctx: Ctx, id: string | null, values: FormValues, error: AppError | null): Promise<FastifyReply> {
    const webhook = id === null ? null : await loadWebhook(rt, ctx.scope, id);
    const types = await rt.store.eventTypes.listEventTypes({ limit: 200 });
    const tenants = ctx.unrestricted && ctx.can('tenants:read') ? (await rt.store.tenants.listTenants(ALL_TENANTS, { limit: 200 })).data.map((t) => t.id) : [];
    const body = webhookForm(ctx, { webhook, values, eventTypes: types.data, tenants, error: error === null ? null : errorBox(error.message, error.errors) });
    const title = webhook === null ? 'New webhook' : `Edit ${webhook.name}`;
    return sendHtml(reply, error?.status ?? 200, page(ctx, { title, section: 'webhooks', body }));
  }

  router.get('/webhooks', 'webhooks:read', async (request, _reply, ctx) => {
    const tenantId = ctx.unrestricted ? queryParam(request, 'tenantId') : undefined;
    const list = await rt.store.webhooks.listWebhooks(ctx.scope, { tenantId }, { limit: 50, cursor: queryParam(request, 'cursor') });
    const states = await rt.store.dispatch.loadEndpointStates(list.data.map((w) => w.id), false);
    const actions = ctx.can('webhooks:write') ? html`<a class="button primary" href="/webhooks/new">New webhook</a>` : undefined;
    return page(ctx, { title: 'Webhooks', section: 'webhooks', actions, body: webhookList(ctx, list, states, rt.clock.now(), { tenantId }) });
  });

  router.get('/webhooks/new', 'webhooks:write', async (request, reply, ctx) => {
    const values = webhookValues(null);
    values.tenantId = ctx.principal.tenantId ?? queryParam(request, 'tenantId') ?? '';
    return formPage(request, reply, ctx, null, values, null);
  });

  router.post('/webhooks', 'webhooks:write', async (request, reply, ctx) => {
    const form = Form.of(request);
    const res = await settle(async () => {
      const tenantId = resolveTenant(ctx.principal.tenantId, form.optional('tenantId'));
      return createWebhook(rt, tenantId, createBody(form, tenantId));
    });
    if (!res.ok) return formPage(request, reply, ctx, null, submittedValues(form, WEBHOOK_FIELDS), res.error);
    const webhook = res.value;
    request.log.info({ webhookId: webhook.id, tenantId: webhook.tenantId }, 'webhook created from the dashboard');
    ctx.session.flash.push({ kind: 'ok', text: `Webhook "${webhook.name}" created.` });
    return reply.redirect(path('/webhooks', webhook.id), 303);
  });

  router.get('/webhooks/:id', 'webhooks:read', async (request, _reply, ctx) => {
    const w = await loadWebhook(rt, ctx.scope, param(request, 'id'));
    const health = await endpointHealth(rt, w);
    return page(ctx, { title: w.name, section: 'webhooks', actions: webhookActions(ctx, w), body: webhookDetail(ctx, w, health, rt.clock.now()) });
  });

  router.get('/webhooks/:id/edit', 'webhooks:write', async (request, reply, ctx) => {
    const w = await loadWebhook(rt, ctx.scope, param(request, 'id'));
    return formPage(request, reply, ctx, w.id, webhookValues(w), null);
  });

  router.post('/webhooks/:id', 'webhooks:write', async (request, reply, ctx) => {
    const id = param(request, 'id');
    const form = Form.of(request);
    const res = await settle(async () => updateWebhook(rt, ctx.scope, id, patchBody(form)));
    if (!res.ok) {
      if (res.error.status === 404) throw res.error;
      return formPage(request, reply, ctx, id, submittedValues(form, WEBHOOK_FIELDS), res.error);
    }
    ctx.session.flash.push({ kind: 'ok', text: 'Changes saved.' });
    return reply.redirect(path('/webhooks', res.value.id), 303);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/webhooks/:id/${action}`, 'webhooks:write', async (request, reply, ctx) => {
      const w = await updateWebhook(rt, ctx.scope, param(request, 'id'), { enabled });
      ctx.session.flash.push({ kind: 'ok', text: `Webhook "${w.name}" ${enabled ? 'enabled' : 'disabled'}.` });
      return reply.redirect(path('/webhooks', w.id), 303);
    });
  }

  router.post('/webhooks/:id/delete', 'webhooks:write', async (request, reply, ctx) => {
    await deleteWebhook(rt, ctx.scope, param(request, 'id'));
    ctx.session.flash.push({ kind: 'ok', text: 'Webhook deleted; its undelivered deliveries were canceled.' });
    return reply.redirect('/webhooks', 303);
  });
}
