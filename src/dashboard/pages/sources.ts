// Sources (inbound endpoints /in/{id}) and the requests they received, read through the
// store's tenant-scoped source operations (changes: source-forms.ts). Credentials are never shown (only their kind);
// stored request headers were redacted at receipt and are redacted again for display.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactHeaders } from '../../dispatch/request.js';
import { notFound } from '../../errors.js';
import type { InboundRequest, InboundRequestSummary, Source } from '../../store/sources.js';
import type { Ctx } from '../context.js';
import { html, path, query, type SafeHtml } from '../html.js';
import { param, queryParam, type Dash, type Router } from '../router.js';
import { badge, count, prettyJson, time } from '../views/format.js';
import { page, postButton } from '../views/layout.js';
import { sourceFormPages, sourceListBody, sourcePage } from './source-forms.js';

const BODY_SHOWN_BYTES = 64 * 1024;

function authKind(s: Source): string {
  const a = s.auth;
  switch (a.type) {
    case 'none':
      return 'none';
    case 'basic':
      return `basic (user ${a.username})`;
    case 'header':
      return `token in ${a.headerName}`;
    case 'hmac':
      return 'HMAC signature (Standard Webhooks)';
    case 'oauth2':
      return `OAuth2 JWT from ${a.issuer}`;
  }
}

function typeRule(s: Source): string {
  const st = s.settings;
  if (st.eventTypePointer !== null) return `read from ${st.eventTypePointer}${st.eventType === null ? '' : `, else ${st.eventType}`}`;
  return st.eventType ?? '—';
}

function sourceTable(ctx: Ctx, sources: readonly Source[], next: string | null): SafeHtml {
  return html`<div class="table-wrap"><table class="list"><thead><tr><th>Name</th>${ctx.unrestricted ? html`<th>Tenant</th>` : ''}<th>Inbound URL</th><th>Authentication</th><th>Event type</th><th>State</th><th>Created</th></tr></thead>
  <tbody>${sources.length === 0 ? html`<tr><td colspan="7" class="empty">No sources yet.</td></tr>` : sources.map((s) => html`<tr>
    <td><a href="${path('/sources', s.id)}">${s.name}</a><div class="muted small mono">${s.id}</div></td>${ctx.unrestricted ? html`<td>${s.tenantId}</td>` : ''}
    <td class="mono">/in/${s.id}</td><td>${authKind(s)}</td><td class="mono small">${typeRule(s)}</td><td>${badge(s.enabled ? 'enabled' : 'disabled', s.enabled ? 'ok' : 'muted')}</td><td>${time(s.createdAt)}</td>
  </tr>`)}</tbody></table></div>${next === null ? '' : html`<p><a class="button" href="/sources${query({ cursor: next })}">Next page →</a></p>`}`;
}

function requestTable(s: Source, requests: readonly InboundRequestSummary[]): SafeHtml {
  return html`<div class="table-wrap"><table class="list"><thead><tr><th>Received</th><th>Method</th><th>Content type</th><th class="num">Bytes</th><th>From</th><th>Event</th></tr></thead>
  <tbody>${requests.length === 0 ? html`<tr><td colspan="6" class="empty">No requests received yet.</td></tr>` : requests.map((r) => html`<tr>
    <td><a href="${path('/sources', s.id, 'requests', r.id)}">${time(r.receivedAt)}</a><div class="muted small mono">${r.id}</div></td>
    <td>${r.method}</td><td class="mono small">${r.contentType ?? '—'}</td><td class="num">${count(r.bodyBytes)}</td><td class="mono small">${r.remoteAddress ?? '—'}</td>
    <td class="mono small"><a href="/activity${query({ eventId: r.eventId })}">${r.eventId}</a></td>
  </tr>`)}</tbody></table></div>`;
}

function requestDetail(s: Source, r: InboundRequest): SafeHtml {
  const text = r.body.subarray(0, BODY_SHOWN_BYTES).toString('utf8');
  const shown = r.contentType?.includes('json') === true ? prettyJson(text) : text;
  const headers = redactHeaders(r.headers);
  return html`<div class="grid-2">
    <div class="panel"><h2>Request</h2><table class="kv"><tbody>
      <tr><th>Source</th><td><a href="${path('/sources', s.id)}">${s.name}</a></td></tr>
      <tr><th>Received</th><td>${time(r.receivedAt)}</td></tr>
      <tr><th>Method</th><td class="mono">${r.method} /in/${s.id}${r.query === '' ? '' : `?${r.query}`}</td></tr>
      <tr><th>From</th><td class="mono">${r.remoteAddress ?? '—'}</td></tr>
      <tr><th>Deduplication</th><td class="mono">${r.dedupKey ?? 'none'}</td></tr>
      <tr><th>Event</th><td class="mono"><a href="/activity${query({ eventId: r.eventId })}">${r.eventId}</a></td></tr>
    </tbody></table></div>
    <div class="panel"><h2>Headers (secrets redacted)</h2><table class="kv headers"><tbody>${Object.entries(headers).map(([k, v]) => html`<tr><th class="mono">${k}</th><td class="mono">${v}</td></tr>`)}</tbody></table></div>
  </div>
  <div class="panel"><h2>Body (${count(r.bodyBytes)} bytes${r.bodyBytes > BODY_SHOWN_BYTES ? ', first 64 KiB shown' : ''})</h2><pre class="payload">${shown}</pre></div>`;
}

export function sourcePages(dash: Dash, router: Router): void {
  const { rt } = dash;

  const listPage = async (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, form: SafeHtml | null): Promise<FastifyReply> => {
    const list = await rt.store.sources.listSources(ctx.scope, {}, { limit: 50, cursor: queryParam(request, 'cursor') });
    return sourcePage(ctx, reply, sourceListBody(ctx, form, sourceTable(ctx, list.data, list.nextCursor)));
  };
  router.get('/sources', 'sources:read', async (request, reply, ctx) => listPage(request, reply, ctx, null));
  sourceFormPages(dash, router, listPage);

  router.get('/sources/:id', 'sources:read', async (request, _reply, ctx) => {
    const id = param(request, 'id');
    const s = await rt.store.sources.getSource(ctx.scope, id);
    if (s === undefined) throw notFound('source', id);
    const requests = await rt.store.sources.listRequests(ctx.scope, s.id, { limit: 50, cursor: queryParam(request, 'cursor') });
    const next = requests.nextCursor === null ? '' : html`<p><a class="button" href="${path('/sources', s.id)}${query({ cursor: requests.nextCursor })}">Next page →</a></p>`;
    const base = path('/sources', s.id);
    const actions = ctx.can('sources:write')
      ? html`${postButton(ctx, `${base}/${s.enabled ? 'disable' : 'enable'}`, s.enabled ? 'Disable' : 'Enable')} ${postButton(ctx, `${base}/delete`, 'Delete', { tone: 'danger', confirm: `Delete ${s.name} and its received requests?` })}`
      : undefined;
    const about = html`<p>Inbound URL <code>/in/${s.id}</code> · authentication: ${authKind(s)} · event type: <code>${typeRule(s)}</code> · answers ${s.settings.response.status} · ${badge(s.enabled ? 'enabled' : 'disabled', s.enabled ? 'ok' : 'muted')}</p>`;
    return page(ctx, { title: s.name, section: 'sources', actions, body: html`${about}<h2>Received requests</h2>${requestTable(s, requests.data)}${next}` });
  });

  router.get('/sources/:id/requests/:requestId', 'sources:read', async (request, _reply, ctx) => {
    const id = param(request, 'id');
    const s = await rt.store.sources.getSource(ctx.scope, id);
    if (s === undefined) throw notFound('source', id);
    const r = await rt.store.sources.getRequest(ctx.scope, s.id, param(request, 'requestId'));
    if (r === undefined) throw notFound('request', param(request, 'requestId'));
    return page(ctx, { title: `Request ${r.id}`, section: 'sources', body: requestDetail(s, r) });
  });
}
