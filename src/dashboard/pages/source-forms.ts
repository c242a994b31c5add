// Creating, enabling, disabling and deleting sources from the dashboard, step for step as
// src/sources/routes.ts: buildSource / patchSource (the same defaults and checks, credentials
// write-only), the store's source operations, and the node's inbound cache told at once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import { inboundState } from '../../sources/cache.js';
import { CreateSourceBody } from '../../sources/schemas.js';
import { buildSource, conflict, patchSource } from '../../sources/service.js';
import type { Ctx } from '../context.js';
import { sendHtml } from '../context.js';
import { Form, settle, throwFieldErrors, validateAs } from '../forms.js';
import { html, path, raw, type SafeHtml } from '../html.js';
import { param, type Dash, type Router } from '../router.js';
import { resolveTenant } from '../../http/auth.js';
import { assertTenantExists } from '../../tenants/rules.js';
import { csrf, errorBox, page } from '../views/layout.js';

type Values = Record<string, string>;

const FIELDS = ['tenantId', 'name', 'description', 'auth.type', 'auth.username', 'auth.headerName', 'auth.jwksUrl', 'auth.issuer', 'auth.audience', 'eventType', 'eventTypePointer', 'response.status', 'contentTypes', 'maxBodyBytes', 'rateLimitPerSecond', 'enabled'];

function field(v: Values, name: string, label: string, extra: SafeHtml | string = '', type = 'text'): SafeHtml {
  return html`<label class="field"><span>${label}</span><input type="${type}" name="${name}" value="${type === 'password' ? '' : (v[name] ?? '')}"${type === 'password' ? raw(' autocomplete="new-password"') : ''}>${extra === '' ? '' : html`<small>${extra}</small>`}</label>`;
}

function choice(v: Values, name: string, label: string, options: readonly (readonly [string, string])[]): SafeHtml {
  return html`<label class="field"><span>${label}</span><select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${raw(v[name] === value ? ' selected' : '')}>${text}</option>`)}</select></label>`;
}

export function sourceForm(ctx: Ctx, v: Values, error: SafeHtml | null): SafeHtml {
  return html`<details class="panel"${raw(error === null ? '' : ' open')}><summary>Create a source</summary>${error ?? ''}
  <form method="post" action="/sources" class="webhook-form">${csrf(ctx)}
    <fieldset><legend>Endpoint</legend>
      ${ctx.unrestricted ? field(v, 'tenantId', 'Tenant', 'Accepted requests become events of this tenant.') : ''}
      ${field(v, 'name', 'Name')}
      ${field(v, 'description', 'Description')}
      ${field(v, 'eventType', 'Event type', 'Type of every event, or the fallback when the pointer finds none.')}
      ${field(v, 'eventTypePointer', 'Event type pointer', 'JSON pointer into the body, e.g. /type.')}
      ${choice(v, 'response.status', 'Answer with', [['200', '200 OK'], ['202', '202 Accepted'], ['204', '204 No Content']])}
      ${field(v, 'contentTypes', 'Content types', 'Comma-separated; default application/json.')}
      ${field(v, 'maxBodyBytes', 'Largest body (bytes)', 'Default 1 MiB.', 'number')}
      ${field(v, 'rateLimitPerSecond', 'Rate limit (requests/s)', 'Blank = unlimited.', 'number')}
      <div class="checks"><label class="check"><input type="checkbox" name="enabled"${raw(v.enabled === '' ? '' : ' checked')}> Enabled</label></div>
    </fieldset>
    <fieldset class="auth"><legend>How senders authenticate</legend>
      ${choice(v, 'auth.type', 'Type', [['none', 'None'], ['hmac', 'HMAC signature (Standard Webhooks)'], ['header', 'Static token in a header'], ['basic', 'Basic auth'], ['oauth2', 'OAuth2 JWT bearer']])}
      <div class="auth-fields auth-hmac">${field(v, 'auth.secret', 'Signing secret', 'whsec_… as the sender shows it.', 'password')}</div>
      <div class="auth-fields auth-header">${field(v, 'auth.headerName', 'Header name')}${field(v, 'auth.token', 'Token', '', 'password')}</div>
      <div class="auth-fields auth-basic">${field(v, 'auth.username', 'Username')}${field(v, 'auth.password', 'Password', '', 'password')}</div>
      <div class="auth-fields auth-oauth2">${field(v, 'auth.jwksUrl', 'JWKS URL')}${field(v, 'auth.issuer', 'Issuer')}${field(v, 'auth.audience', 'Audience')}</div>
    </fieldset>
    <div class="form-actions"><button type="submit" class="primary">Create source</button></div>
  </form></details>`;
}

/** The form as the API's create body: blanks left out so the service's defaults apply. */
function createBody(form: Form, tenantId: string) {
  const type = form.text('auth.type') || 'none';
  const auth: Record<string, unknown> = { type };
  const put = (out: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  if (type === 'hmac') put(auth, 'secret', form.secret('auth.secret'));
  if (type === 'header') Object.assign(auth, { headerName: form.text('auth.headerName') }, form.secret('auth.token') === undefined ? {} : { token: form.secret('auth.token') });
  if (type === 'basic') Object.assign(auth, { username: form.text('auth.username') }, form.secret('auth.password') === undefined ? {} : { password: form.secret('auth.password') });
  if (type === 'oauth2') Object.assign(auth, { jwksUrl: form.text('auth.jwksUrl'), issuer: form.text('auth.issuer'), audience: form.text('auth.audience') });
  const body: Record<string, unknown> = { tenantId, name: form.text('name'), enabled: form.checked('enabled'), auth, response: { status: form.number('response.status') ?? 200 } };
  put(body, 'description', form.optional('description'));
  put(body, 'eventType', form.optional('eventType'));
  put(body, 'eventTypePointer', form.optional('eventTypePointer'));
  const types = form.list('contentTypes');
  if (types.length > 0) body.contentTypes = types;
  put(body, 'maxBodyBytes', form.number('maxBodyBytes'));
  put(body, 'rateLimitPerSecond', form.number('rateLimitPerSecond', false));
  throwFieldErrors(form.errors);
  return validateAs(CreateSourceBody, body);
}

export function sourceFormPages(dash: Dash, router: Router, listPage: (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, form: SafeHtml) => Promise<FastifyReply>): void {
  const { rt } = dash;
  const cache = inboundState(rt).sources;

  router.post('/sources', 'sources:write', async (request, reply, ctx) => {
    const form = Form.of(request);
    const res = await settle(async () => {
      const tenantId = resolveTenant(ctx.principal.tenantId, form.optional('tenantId'));
      await assertTenantExists(rt.store, tenantId);
      const now = rt.clock.now();
      const source = await buildSource(rt.config, tenantId, newId('source', now), createBody(form, tenantId), now);
      await rt.store.sources.insertSource(source);
      cache.forget(source.id);
      return source;
    });
    if (!res.ok) {
      const values: Values = {};
      for (const n of FIELDS) values[n] = form.text(n);
      values.enabled = form.checked('enabled') ? 'on' : '';
      void reply.code(res.error.status);
      return listPage(request, reply, ctx, sourceForm(ctx, values, errorBox(res.error.message, res.error.errors)));
    }
    request.log.info({ sourceId: res.value.id, tenantId: res.value.tenantId }, 'source created from the dashboard');
    ctx.session.flash.push({ kind: 'ok', text: `Source "${res.value.name}" created; senders POST to /in/${res.value.id}.` });
    return reply.redirect(path('/sources', res.value.id), 303);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/sources/:id/${action}`, 'sources:write', async (request, reply, ctx) => {
      const current = await rt.store.sources.getSource(ctx.scope, param(request, 'id'));
      if (current === undefined) throw notFound('source', param(request, 'id'));
      const next = await patchSource(rt.config, current, { enabled }, rt.clock.now());
      if (!(await rt.store.sources.saveSource(next, current.version))) throw conflict(current.id);
      cache.forget(current.id);
      ctx.session.flash.push({ kind: 'ok', text: `Source "${current.name}" ${enabled ? 'enabled' : 'disabled'}.` });
      return reply.redirect(path('/sources', current.id), 303);
    });
  }

  router.post('/sources/:id/delete', 'sources:write', async (request, reply, ctx) => {
    const id = param(request, 'id');
    const deleted = await rt.store.transaction((tx) => tx.sources.deleteSource(ctx.scope, id));
    if (!deleted) throw notFound('source', id);
    cache.forget(id);
    ctx.session.flash.push({ kind: 'ok', text: 'Source deleted with its received requests; the events they became stay.' });
    return reply.redirect('/sources', 303);
  });
}

/** The source list page with the create form on top (for keys that may write sources). */
export function sourceListBody(ctx: Ctx, form: SafeHtml | null, table: SafeHtml): SafeHtml {
  return html`${ctx.can('sources:write') ? (form ?? sourceForm(ctx, { 'auth.type': 'hmac', 'response.status': '200' }, null)) : ''}${table}`;
}

export function sourcePage(ctx: Ctx, reply: FastifyReply, body: SafeHtml): FastifyReply {
  return sendHtml(reply, reply.statusCode, page(ctx, { title: 'Sources', section: 'sources', body }));
}
