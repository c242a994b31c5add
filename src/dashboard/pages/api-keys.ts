// API keys: list (never the keys), create with permissions — the key is shown once — and
// revoke. Creation follows POST /api/v1/api-keys: createApiKey, no permission the creating key
// lacks (unless admin), a restricted key only makes keys for its own tenant.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { createApiKey } from '../../api-keys/routes.js';
import { PERMISSIONS } from '../../api-keys/keys.js';
import { AppError, notFound } from '../../errors.js';
import type { ApiKey } from '../../store/records.js';
import { assertTenantExists } from '../../tenants/rules.js';
import type { Ctx } from '../context.js';
import { sendHtml } from '../context.js';
import { Form, settle, validateAs } from '../forms.js';
import { html, path, query, raw, type SafeHtml } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { time } from '../views/format.js';
import { csrf, errorBox, page, postButton } from '../views/layout.js';

const NewKey = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  permissions: Type.Array(Type.Enum([...PERMISSIONS]), { minItems: 1, uniqueItems: true }),
});

function createForm(ctx: Ctx, v: { name?: string; permissions?: string[]; tenantId?: string }, error: SafeHtml | null): SafeHtml {
  const grantable = PERMISSIONS.filter((p) => ctx.principal.permissions.includes('admin') || ctx.principal.permissions.includes(p));
  return html`<details class="panel"${raw(error === null ? '' : ' open')}><summary>Create an API key</summary>${error ?? ''}
  <form method="post" action="/api-keys" class="grid-form">${csrf(ctx)}
    <label class="field"><span>Name</span><input name="name" value="${v.name ?? ''}" required placeholder="billing service"></label>
    ${ctx.unrestricted ? html`<label class="field"><span>Restrict to tenant</span><input name="tenantId" value="${v.tenantId ?? ''}" placeholder="all tenants"><small>A restricted key sees only that tenant (a customer portal key).</small></label>` : html`<p class="field">Restricted to tenant <strong>${ctx.principal.tenantId ?? ''}</strong>.</p>`}
    <fieldset class="wide permissions"><legend>Permissions</legend>${grantable.map((p) => html`<label class="check"><input type="checkbox" name="permissions" value="${p}"${raw(v.permissions?.includes(p) === true ? ' checked' : '')}> ${p}</label>`)}</fieldset>
    <div class="form-actions"><button type="submit" class="primary">Create key</button></div>
  </form></details>`;
}

function keyTable(ctx: Ctx, keys: readonly ApiKey[], next: string | null): SafeHtml {
  const canWrite = ctx.can('api-keys:write');
  return html`<div class="table-wrap"><table class="list"><thead><tr><th>Name</th><th>Key</th><th>Permissions</th><th>Tenant</th><th>Created</th><th>Last used</th>${canWrite ? html`<th></th>` : ''}</tr></thead>
  <tbody>${keys.map((k) => html`<tr><td>${k.name}${k.id === ctx.principal.keyId ? html` <span class="badge info">this session</span>` : ''}</td><td class="mono">${k.keyPrefix}</td><td class="small">${k.permissions.join(', ')}</td><td>${k.tenantId ?? 'all'}</td><td>${time(k.createdAt)}</td><td>${time(k.lastUsedAt, 'never')}</td>
    ${canWrite ? html`<td>${postButton(ctx, `${path('/api-keys', k.id)}/revoke`, 'Revoke', { tone: 'small danger', confirm: `Revoke the key "${k.name}"? Anything using it stops working.` })}</td>` : ''}</tr>`)}</tbody>
  </table></div>${next === null ? '' : html`<p><a class="button" href="/api-keys${query({ cursor: next })}">Next page →</a></p>`}`;
}

export function apiKeyPages(dash: Dash, router: Router): void {
  const { rt, sessions } = dash;

  async function listPage(reply: FastifyReply, ctx: Ctx, cursor: string | undefined, values: { name?: string; permissions?: string[]; tenantId?: string }, error: AppError | null): Promise<FastifyReply> {
    const keys = await rt.store.apiKeys.listApiKeys(ctx.scope, { limit: 100, cursor });
    const body = html`${ctx.can('api-keys:write') ? createForm(ctx, values, error === null ? null : errorBox(error.message, error.errors)) : ''}${keyTable(ctx, keys.data, keys.nextCursor)}`;
    return sendHtml(reply, error?.status ?? 200, page(ctx, { title: 'API keys', section: 'api-keys', body }));
  }

  router.get('/api-keys', 'api-keys:read', async (request, reply, ctx) => listPage(reply, ctx, queryParam(request, 'cursor'), {}, null));

  router.post('/api-keys', 'api-keys:write', async (request, reply, ctx) => {
    const form = Form.of(request);
    const named = form.optional('tenantId');
    const res = await settle(async () => {
      const body = validateAs(NewKey, { name: form.text('name'), permissions: form.all('permissions') });
      const own = ctx.principal.tenantId;
      if (own !== null && named !== undefined && named !== own) throw notFound('tenant', named);
      const tenantId = own ?? named ?? null;
      // A key can only hand out what it holds: no escalation through key creation.
      if (!ctx.principal.permissions.includes('admin')) {
        const extra = body.permissions.filter((p) => !ctx.principal.permissions.includes(p));
        if (extra.length > 0) throw new AppError('forbidden', `This key cannot grant permissions it does not hold: ${extra.join(', ')}.`);
      }
      if (tenantId !== null) await assertTenantExists(rt.store, tenantId);
      return createApiKey(rt, { name: body.name, permissions: body.permissions, tenantId });
    });
    if (!res.ok) return listPage(reply, ctx, undefined, { name: form.text('name'), permissions: form.all('permissions'), ...(named === undefined ? {} : { tenantId: named }) }, res.error);
    const { record, key } = res.value;
    request.log.info({ apiKeyId: record.id, tenantId: record.tenantId, by: ctx.principal.keyId }, 'api key created from the dashboard');
    ctx.session.flash.push({ kind: 'ok', text: `Key "${record.name}" created. Copy it now: it is shown only this once.`, secret: key });
    return reply.redirect('/api-keys', 303);
  });

  router.post('/api-keys/:id/revoke', 'api-keys:write', async (request, reply, ctx) => {
    const id = param(request, 'id');
    if (!(await rt.store.apiKeys.revokeApiKey(ctx.scope, id, rt.clock.now()))) throw notFound('API key', id);
    rt.apiKeys.forget(id);
    sessions.destroyForKey(id);
    request.log.info({ apiKeyId: id, by: ctx.principal.keyId }, 'api key revoked from the dashboard');
    if (id === ctx.principal.keyId) return reply.redirect('/sign-in', 303);
    ctx.session.flash.push({ kind: 'ok', text: 'Key revoked.' });
    return reply.redirect('/api-keys', 303);
  });
}
