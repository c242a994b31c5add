// Tenants: a new installation has none, and webhooks need one, so an operator can create,
// enable and disable them here (the rules of /api/v1/tenants: restricted keys only read
// their own tenant and change nothing).
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { Tenant } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { sendHtml } from '../context.js';
import { Form, settle, validateAs } from '../forms.js';
import { html, path, query, raw, type SafeHtml } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { badge, time } from '../views/format.js';
import { csrf, errorBox, page, postButton } from '../views/layout.js';

const NewTenant = Type.Object({
  id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

function requireUnrestricted(ctx: Ctx): void {
  if (!ctx.unrestricted) throw new AppError('forbidden', 'A tenant-restricted key cannot create, change or delete tenants.');
}

function createForm(ctx: Ctx, v: { id?: string; name?: string }, error: SafeHtml | null): SafeHtml {
  return html`<details class="panel"${raw(error === null ? '' : ' open')}><summary>Create a tenant</summary>${error ?? ''}
  <form method="post" action="/tenants" class="grid-form">${csrf(ctx)}
    <label class="field"><span>Id</span><input name="id" value="${v.id ?? ''}" placeholder="generated"><small>Letters, digits, _ . - (up to 64); blank to generate.</small></label>
    <label class="field"><span>Name</span><input name="name" value="${v.name ?? ''}" required placeholder="Acme Corp"></label>
    <div class="form-actions"><button type="submit" class="primary">Create tenant</button></div>
  </form></details>`;
}

function table(ctx: Ctx, tenants: readonly Tenant[], next: string | null): SafeHtml {
  const canWrite = ctx.can('tenants:write') && ctx.unrestricted;
  return html`<div class="table-wrap"><table class="list"><thead><tr><th>Id</th><th>Name</th><th>State</th><th>Created</th><th></th></tr></thead>
  <tbody>${tenants.length === 0 ? html`<tr><td colspan="5" class="empty">No tenants yet: create one before adding webhooks.</td></tr>` : tenants.map((t) => html`<tr>
    <td class="mono">${t.id}</td><td>${t.name}</td><td>${badge(t.enabled ? 'enabled' : 'disabled', t.enabled ? 'ok' : 'muted')}</td><td>${time(t.createdAt)}</td>
    <td class="nowrap">${ctx.can('webhooks:read') ? html`<a class="button small" href="/webhooks${query({ tenantId: ctx.unrestricted ? t.id : undefined })}">Webhooks</a> ` : ''}${canWrite ? postButton(ctx, `${path('/tenants', t.id)}/${t.enabled ? 'disable' : 'enable'}`, t.enabled ? 'Disable' : 'Enable', { tone: 'small', ...(t.enabled ? { confirm: `Disable ${t.name}? Its events will be refused.` } : {}) }) : ''}</td>
  </tr>`)}</tbody></table></div>${next === null ? '' : html`<p><a class="button" href="/tenants${query({ cursor: next })}">Next page →</a></p>`}`;
}

export function tenantPages(dash: Dash, router: Router): void {
  const { rt } = dash;

  async function listPage(reply: FastifyReply, ctx: Ctx, cursor: string | undefined, values: { id?: string; name?: string }, error: AppError | null): Promise<FastifyReply> {
    const list = await rt.store.tenants.listTenants(ctx.scope, { limit: 100, cursor });
    const body = html`${ctx.can('tenants:write') && ctx.unrestricted ? createForm(ctx, values, error === null ? null : errorBox(error.message, error.errors)) : ''}${table(ctx, list.data, list.nextCursor)}`;
    return sendHtml(reply, error?.status ?? 200, page(ctx, { title: 'Tenants', section: 'tenants', body }));
  }

  router.get('/tenants', 'tenants:read', async (request, reply, ctx) => listPage(reply, ctx, queryParam(request, 'cursor'), {}, null));

  router.post('/tenants', 'tenants:write', async (request, reply, ctx) => {
    const form = Form.of(request);
    const values = { id: form.text('id'), name: form.text('name') };
    const res = await settle(async () => {
      requireUnrestricted(ctx);
      const body = validateAs(NewTenant, { name: values.name, ...(values.id === '' ? {} : { id: values.id }) });
      const now = rt.clock.now();
      const tenant: Tenant = { id: body.id ?? newId('tenant', now), name: body.name, enabled: true, createdAt: now, updatedAt: now };
      if (!(await rt.store.tenants.insertTenant(tenant))) throw new AppError('conflict', `A tenant with id '${tenant.id}' already exists; choose another id.`);
      return tenant;
    });
    if (!res.ok) return listPage(reply, ctx, undefined, values, res.error);
    ctx.session.flash.push({ kind: 'ok', text: `Tenant ${res.value.name} (${res.value.id}) created.` });
    return reply.redirect('/tenants', 303);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/tenants/:id/${action}`, 'tenants:write', async (request, reply, ctx) => {
      const id = param(request, 'id');
      if (!ctx.unrestricted && ctx.principal.tenantId !== id) throw notFound('tenant', id);
      requireUnrestricted(ctx);
      const t = await rt.store.tenants.updateTenant(ctx.scope, id, { enabled }, rt.clock.now());
      if (t === undefined) throw notFound('tenant', id);
      ctx.session.flash.push({ kind: 'ok', text: `Tenant ${t.name} ${enabled ? 'enabled' : 'disabled'}.` });
      return reply.redirect('/tenants', 303);
    });
  }
}
