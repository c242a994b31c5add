// Event types: the global catalogue, shown as entity + action (UserPackage.Updated). Adding,
// editing and enabling follow the API's rules: only an unrestricted key may change the
// catalogue, hookrelay.* names are reserved and keep a fixed shape, a schema must compile.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError, invalidField } from '../../errors.js';
import { EVENT_TYPE_PATTERN } from '../../event-types/routes.js';
import { compileSchema } from '../../event-types/validator.js';
import type { EventType } from '../../store/records.js';
import { OPERATIONAL_PREFIX } from '../../webhooks/match.js';
import type { Ctx } from '../context.js';
import { sendHtml } from '../context.js';
import { Form, settle, validateAs } from '../forms.js';
import { html, path, query, raw, type SafeHtml } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { badge, time } from '../views/format.js';
import { csrf, errorBox, page, postButton } from '../views/layout.js';

const NewType = Type.Object({
  name: Type.String({ pattern: EVENT_TYPE_PATTERN }),
  description: Type.String({ maxLength: 2000 }),
});

/** `UserPackage.Updated` → entity `UserPackage`, action `Updated` (split at the last dot). */
export function entityAction(name: string): { entity: string; action: string } {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? { entity: name, action: '' } : { entity: name.slice(0, dot), action: name.slice(dot + 1) };
}

function parseSchema(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidField('/body/schema', 'json', 'The schema is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidField('/body/schema', 'type', 'The schema must be a JSON object.');
  const schema = parsed as Record<string, unknown>;
  const compiled = compileSchema(schema);
  if (!compiled.ok) throw invalidField('/body/schema', 'schema', `The schema is not a usable JSON Schema: ${compiled.message}`);
  return schema;
}

function requireUnrestricted(ctx: Ctx): void {
  if (!ctx.unrestricted) throw new AppError('forbidden', 'Event types are shared by all tenants; a tenant-restricted key cannot change them.');
}

function addForm(ctx: Ctx, v: Record<string, string>, error: SafeHtml | null): SafeHtml {
  return html`<details class="panel"${raw(error === null ? '' : ' open')}><summary>Add an event type</summary>${error ?? ''}
  <form method="post" action="/event-types" class="grid-form">${csrf(ctx)}
    <label class="field"><span>Entity</span><input name="entity" value="${v.entity ?? ''}" required placeholder="UserPackage"></label>
    <label class="field"><span>Action</span><input name="action" value="${v.action ?? ''}" placeholder="Updated"><small>Name = Entity.Action; leave Action blank for a single-word name.</small></label>
    <label class="field wide"><span>Description</span><input name="description" value="${v.description ?? ''}"></label>
    <label class="field wide"><span>JSON Schema (optional)</span><textarea name="schema" rows="4" placeholder='{"type":"object"}'>${v.schema ?? ''}</textarea><small>Event data must satisfy it; blank = any data.</small></label>
    <label class="check"><input type="checkbox" name="enabled"${raw(v.enabled === '' ? '' : ' checked')}> Enabled</label>
    <div class="form-actions"><button type="submit" class="primary">Add event type</button></div>
  </form></details>`;
}

function list(ctx: Ctx, types: readonly EventType[], next: string | null): SafeHtml {
  const canWrite = ctx.can('event-types:write') && ctx.unrestricted;
  return html`<div class="table-wrap"><table class="list"><thead><tr><th>Entity</th><th>Action</th><th>Name</th><th>Description</th><th>State</th><th>Schema</th>${canWrite ? html`<th></th>` : ''}</tr></thead>
  <tbody>${types.length === 0 ? html`<tr><td colspan="7" class="empty">No event types yet.</td></tr>` : types.map((t) => {
    const { entity, action } = entityAction(t.name);
    const base = path('/event-types', t.name);
    return html`<tr><td>${entity}</td><td>${action || '—'}</td><td class="mono">${t.name}</td><td>${t.description}</td><td>${badge(t.enabled ? 'enabled' : 'disabled', t.enabled ? 'ok' : 'muted')}</td><td>${t.schema === null ? 'none' : 'yes'}</td>
      ${canWrite ? html`<td class="nowrap"><a class="button small" href="${base}/edit">Edit</a> ${postButton(ctx, `${base}/${t.enabled ? 'disable' : 'enable'}`, t.enabled ? 'Disable' : 'Enable', { tone: 'small' })}</td>` : ''}</tr>`;
  })}</tbody></table></div>${next === null ? '' : html`<p><a class="button" href="/event-types${query({ cursor: next })}">Next page →</a></p>`}`;
}

export function eventTypePages(dash: Dash, router: Router): void {
  const { rt } = dash;

  async function listPage(reply: FastifyReply, ctx: Ctx, cursor: string | undefined, values: Record<string, string>, error: AppError | null): Promise<FastifyReply> {
    const page1 = await rt.store.eventTypes.listEventTypes({ limit: 100, cursor });
    const canWrite = ctx.can('event-types:write') && ctx.unrestricted;
    const body = html`${canWrite ? addForm(ctx, values, error === null ? null : errorBox(error.message, error.errors)) : ''}${list(ctx, page1.data, page1.nextCursor)}`;
    return sendHtml(reply, error?.status ?? 200, page(ctx, { title: 'Event types', section: 'event-types', body }));
  }

  router.get('/event-types', 'event-types:read', async (request, reply, ctx) => listPage(reply, ctx, queryParam(request, 'cursor'), {}, null));

  router.post('/event-types', 'event-types:write', async (request, reply, ctx) => {
    const form = Form.of(request);
    const name = [form.text('entity'), form.text('action')].filter((s) => s !== '').join('.');
    const res = await settle(async () => {
      requireUnrestricted(ctx);
      const body = validateAs(NewType, { name, description: form.text('description') });
      if (body.name.startsWith(OPERATIONAL_PREFIX)) throw invalidField('/body/name', 'reserved', `Names starting with '${OPERATIONAL_PREFIX}' are reserved for hookrelay's own events.`);
      const schema = parseSchema(form.text('schema'));
      const now = rt.clock.now();
      const t: EventType = { name: body.name, description: body.description, enabled: form.checked('enabled'), schema, createdAt: now, updatedAt: now };
      if (!(await rt.store.eventTypes.insertEventType(t))) throw new AppError('conflict', `Event type '${t.name}' already exists; edit it instead.`);
      rt.eventTypes.invalidate(t.name);
      return t;
    });
    if (!res.ok) {
      const values = { entity: form.text('entity'), action: form.text('action'), description: form.text('description'), schema: form.text('schema'), enabled: form.checked('enabled') ? 'on' : '' };
      return listPage(reply, ctx, undefined, values, res.error);
    }
    ctx.session.flash.push({ kind: 'ok', text: `Event type ${res.value.name} added.` });
    return reply.redirect('/event-types', 303);
  });

  async function load(name: string): Promise<EventType> {
    const t = await rt.store.eventTypes.getEventType(name);
    if (t === undefined) throw new AppError('not_found', `No event type named '${name}' exists.`);
    return t;
  }

  function editPage(reply: FastifyReply, ctx: Ctx, t: EventType, v: { description: string; schema: string; enabled: boolean }, error: AppError | null): FastifyReply {
    const operational = t.name.startsWith(OPERATIONAL_PREFIX);
    const body = html`${error === null ? '' : errorBox(error.message, error.errors)}
    <form method="post" action="${path('/event-types', t.name)}" class="grid-form">${csrf(ctx)}
      <p class="wide">Name: <code>${t.name}</code> · added ${time(t.createdAt)}</p>
      <label class="field wide"><span>Description</span><input name="description" value="${v.description}"></label>
      <label class="field wide"><span>JSON Schema</span><textarea name="schema" rows="8"${raw(operational ? ' disabled' : '')}>${v.schema}</textarea><small>${operational ? "hookrelay's own event types have a fixed shape." : 'Blank removes the schema.'}</small></label>
      <label class="check"><input type="checkbox" name="enabled"${raw(v.enabled ? ' checked' : '')}> Enabled <small>(a disabled type is accepted but creates no deliveries)</small></label>
      <div class="form-actions"><button type="submit" class="primary">Save</button> <a href="/event-types">Cancel</a></div>
    </form>`;
    return sendHtml(reply, error?.status ?? 200, page(ctx, { title: `Edit ${t.name}`, section: 'event-types', body }));
  }

  router.get('/event-types/:name/edit', 'event-types:write', async (request, reply, ctx) => {
    requireUnrestricted(ctx);
    const t = await load(param(request, 'name'));
    return editPage(reply, ctx, t, { description: t.description, schema: t.schema === null ? '' : JSON.stringify(t.schema, null, 2), enabled: t.enabled }, null);
  });

  async function save(ctx: Ctx, t: EventType, change: { description?: string; enabled?: boolean; schema?: Record<string, unknown> | null }): Promise<void> {
    requireUnrestricted(ctx);
    if (change.description !== undefined && change.description.length > 2000) throw invalidField('/body/description', 'maxLength', 'The description may have at most 2000 characters.');
    await rt.store.eventTypes.updateEventType({ ...t, ...change, updatedAt: rt.clock.now() });
    rt.eventTypes.invalidate(t.name);
  }

  router.post('/event-types/:name', 'event-types:write', async (request, reply, ctx) => {
    const t = await load(param(request, 'name'));
    const form = Form.of(request);
    const operational = t.name.startsWith(OPERATIONAL_PREFIX);
    const res = await settle(async () => save(ctx, t, { description: form.text('description'), enabled: form.checked('enabled'), ...(operational ? {} : { schema: parseSchema(form.text('schema')) }) }));
    if (!res.ok) return editPage(reply, ctx, t, { description: form.text('description'), schema: form.text('schema'), enabled: form.checked('enabled') }, res.error);
    ctx.session.flash.push({ kind: 'ok', text: `Event type ${t.name} saved.` });
    return reply.redirect('/event-types', 303);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/event-types/:name/${action}`, 'event-types:write', async (request, reply, ctx) => {
      const t = await load(param(request, 'name'));
      await save(ctx, t, { enabled });
      ctx.session.flash.push({ kind: 'ok', text: `Event type ${t.name} ${enabled ? 'enabled' : 'disabled'}.` });
      return reply.redirect('/event-types', 303);
    });
  }
}
