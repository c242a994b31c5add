// Deliveries: the filter form, the activity / failed-queue table (whose body polls itself on
// the first page), and a delivery's page with its event payload and every attempt.
import { redactHeaders } from '../../dispatch/request.js';
import type { Attempt, Delivery, StoredEvent } from '../../store/records.js';
import { DELIVERY_STATES } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { WINDOWS, type FilterInput } from '../delivery-filter.js';
import { html, path, query, raw, type SafeHtml } from '../html.js';
import { badge, duration, prettyJson, relative, statusBadge, time } from './format.js';
import { csrf } from './layout.js';

export interface TableOptions {
  /** Where the rows come from (`/activity/rows` or `/failed/rows`) and the filter to send. */
  rowsUrl: string;
  input: FilterInput;
  /** Webhook names by id, for display. */
  names: ReadonlyMap<string, string>;
  now: number;
  /** Poll for updates (first page only: later pages would shift under the reader). */
  live: boolean;
  failedQueue: boolean;
}

function option(value: string, label: string, current: string | undefined): SafeHtml {
  return html`<option value="${value}"${raw(current === value ? ' selected' : '')}>${label}</option>`;
}

export function filterForm(action: string, input: FilterInput, webhooks: readonly { id: string; name: string }[], withState: boolean): SafeHtml {
  return html`<form method="get" action="${action}" class="filters">
    ${input.eventId === undefined ? '' : html`<label class="field"><span>Event</span><input name="eventId" value="${input.eventId}"></label>`}
    <label class="field"><span>Webhook</span><select name="webhookId">${option('', 'any', input.webhookId)}${webhooks.map((w) => option(w.id, w.name, input.webhookId))}</select></label>
    <label class="field"><span>Event type</span><input name="eventType" value="${input.eventType ?? ''}" placeholder="any"></label>
    ${withState ? html`<label class="field"><span>State</span><select name="state">${option('', 'any', input.state)}${DELIVERY_STATES.map((s) => option(s, s, input.state))}</select></label>` : ''}
    <label class="field"><span>Created</span><select name="window">${option('', 'any time', input.window)}${WINDOWS.map(([k, label]) => option(k, label, input.window))}</select></label>
    <label class="field"><span>From (UTC)</span><input type="datetime-local" name="from" value="${input.from ?? ''}"></label>
    <label class="field"><span>To (UTC)</span><input type="datetime-local" name="to" value="${input.to ?? ''}"></label>
    <div class="form-actions"><button type="submit">Apply</button> <a href="${action}">Clear</a></div>
  </form>`;
}

function row(ctx: Ctx, d: Delivery, o: TableOptions): SafeHtml {
  const retryable = ctx.can('deliveries:retry') && (d.state === 'failed' || d.state === 'canceled' || d.state === 'delivered');
  // data-label names each cell for the phone layout, where rows become stacked cards.
  return html`<tr>
    <td data-label="Occurred"><a href="${path('/deliveries', d.id)}">${time(d.occurredAt)}</a><div class="muted small mono">${d.id}</div></td>
    <td data-label="Event type" class="mono">${d.eventType}</td>
    <td data-label="Webhook"><a href="${path('/webhooks', d.webhookId)}">${o.names.get(d.webhookId) ?? d.webhookId}</a>${ctx.unrestricted ? html`<div class="muted small">${d.tenantId}</div>` : ''}</td>
    <td data-label="State">${badge(d.state)}${o.failedQueue && d.failedReason !== null ? html`<div class="muted small">${d.failedReason.replaceAll('_', ' ')}</div>` : ''}</td>
    <td data-label="Tries" class="num">${d.attempts}</td>
    <td data-label="Last tried">${time(d.lastAttemptAt)}</td>
    <td data-label="Next try">${d.state === 'pending' || d.state === 'retrying' ? html`${time(d.nextAttemptAt)}<div class="muted small">${relative(d.nextAttemptAt, o.now)}</div>` : html`<span class="muted">—</span>`}</td>
    <td data-label="Last status">${statusBadge(d.lastStatus, d.lastError)}${d.lastError === null ? '' : html`<div class="muted small clip" title="${d.lastError}">${d.lastError}</div>`}</td>
    ${o.failedQueue ? html`<td data-label="">${retryable ? html`<button type="button" class="small" hx-post="${path('/deliveries', d.id)}/retry" hx-target="closest td" hx-swap="innerHTML">Retry</button>` : ''}</td>` : ''}
  </tr>`;
}

export function rowsBody(ctx: Ctx, deliveries: readonly Delivery[], o: TableOptions): SafeHtml {
  const cols = o.failedQueue ? 9 : 8;
  const poll = o.live ? html` hx-get="${o.rowsUrl}${query({ ...o.input })}" hx-trigger="every 5s" hx-swap="outerHTML"` : '';
  return html`<tbody id="delivery-rows"${poll}>${deliveries.length === 0 ? html`<tr><td colspan="${cols}" class="empty">${o.failedQueue ? 'The failed queue is empty.' : 'No deliveries match.'}</td></tr>` : deliveries.map((d) => row(ctx, d, o))}</tbody>`;
}

export function deliveryTable(ctx: Ctx, deliveries: readonly Delivery[], o: TableOptions, nextUrl: string | null): SafeHtml {
  return html`<div class="table-wrap"><table class="list deliveries">
    <thead><tr><th>Occurred</th><th>Event type</th><th>Webhook</th><th>State</th><th class="num">Tries</th><th>Last tried</th><th>Next try</th><th>Last status</th>${o.failedQueue ? html`<th></th>` : ''}</tr></thead>
    ${rowsBody(ctx, deliveries, o)}
  </table></div>
  <p class="pager">${o.live ? html`<span class="muted small">Refreshing every 5 seconds.</span>` : html`<a href="${o.rowsUrl.replace('/rows', '')}${query({ ...o.input })}">← First page</a>`} ${nextUrl === null ? '' : html`<a class="button" href="${nextUrl}">Next page →</a>`}</p>`;
}

function headerTable(headers: Record<string, string> | null): SafeHtml {
  if (headers === null || Object.keys(headers).length === 0) return html`<p class="muted small">none</p>`;
  return html`<table class="kv headers"><tbody>${Object.entries(headers).map(([k, v]) => html`<tr><th class="mono">${k}</th><td class="mono">${v}</td></tr>`)}</tbody></table>`;
}

function attemptCard(a: Attempt): SafeHtml {
  return html`<article class="attempt ${a.outcome}">
    <header>${badge(a.outcome)} ${statusBadge(a.status, a.error)} <span>${time(a.startedAt)}</span> <span class="muted">${duration(a.durationMs)}</span>
      <span class="muted small mono">${a.id}${a.batchId === null ? '' : ` · batch of ${a.eventCount}`}</span></header>
    ${a.error === null ? '' : html`<p class="error-text">${a.error}${a.errorClass === null ? '' : ` (${a.errorClass})`}</p>`}
    <p class="mono small">${a.method} ${a.url}</p>
    <details><summary>Request headers (secrets redacted)</summary>${headerTable(redactHeaders(a.requestHeaders))}</details>
    <details><summary>Response headers</summary>${headerTable(a.responseHeaders)}</details>
    <details open><summary>Response body (first 4 KiB)</summary><pre>${a.responseExcerpt ?? '(none)'}</pre></details>
  </article>`;
}

export function deliveryDetail(ctx: Ctx, d: Delivery, event: StoredEvent | null | 'hidden', attempts: readonly Attempt[], webhookName: string, now: number): SafeHtml {
  const rows: [string, SafeHtml | string][] = [
    ['State', html`${badge(d.state)}${d.failedReason === null ? '' : ` — ${d.failedReason.replaceAll('_', ' ')}`}`],
    ['Webhook', html`<a href="${path('/webhooks', d.webhookId)}">${webhookName}</a>`],
    ['Event', html`<span class="mono">${d.eventId}</span> · <span class="mono">${d.eventType}</span>`],
    ['Tenant', d.tenantId],
    ['Occurred', time(d.occurredAt)],
    ['Created', time(d.createdAt)],
    ['First tried', time(d.firstAttemptAt)],
    ['Last tried', time(d.lastAttemptAt)],
    ['Next try', d.state === 'pending' || d.state === 'retrying' ? html`${time(d.nextAttemptAt)} ${relative(d.nextAttemptAt, now)}` : '—'],
    ['Delivered', time(d.deliveredAt)],
    ['Attempts', String(d.attempts)],
    ['Last status', html`${statusBadge(d.lastStatus, d.lastError)} ${d.lastError ?? ''}`],
  ];
  const retryable = ctx.can('deliveries:retry') && (d.state === 'failed' || d.state === 'canceled' || d.state === 'delivered');
  const payload = event === 'hidden'
    ? html`<p class="muted">Showing the payload needs the events:read permission.</p>`
    : event === null
      ? html`<p class="muted">The event is no longer stored (purged by retention).</p>`
      : html`<p class="small muted">Received ${time(event.receivedAt)}${event.sourceId === null ? '' : html` from source <span class="mono">${event.sourceId}</span>`}</p><pre class="payload">${prettyJson(event.data)}</pre>`;
  return html`<div class="grid-2">
    <div class="panel"><h2>Delivery</h2><table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
      ${retryable ? html`<form method="post" action="${path('/deliveries', d.id)}/retry">${csrf(ctx)}<button type="submit" class="primary">Retry now</button></form>` : ''}</div>
    <div class="panel"><h2>Event data</h2>${payload}</div>
  </div>
  <h2>Attempts (${attempts.length})</h2>
  ${attempts.length === 0 ? html`<p class="muted">Not attempted yet.</p>` : attempts.map(attemptCard)}`;
}
