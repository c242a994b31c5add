// Webhook list (health at a glance from the endpoint state) and the webhook's own page:
// health, every setting, the signing secret (hidden until deliberately revealed), and actions.
import type { EndpointState, Page, Webhook } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { html, path, query, type SafeHtml } from '../html.js';
import type { EndpointHealth } from '../../webhooks/health.js';
import { healthWord } from '../webhook-ops.js';
import { badge, count, duration, percent, relative, statusBadge, time } from './format.js';
import { csrf, postButton } from './layout.js';

export function webhookList(ctx: Ctx, list: Page<Webhook>, states: Map<string, EndpointState>, now: number, filter: { tenantId?: string | undefined }): SafeHtml {
  const canWrite = ctx.can('webhooks:write');
  const rows = list.data.map((w) => {
    const s = states.get(w.id);
    const h = healthWord(w, s, now);
    return html`<tr>
      <td><a href="${path('/webhooks', w.id)}">${w.name}</a><div class="muted small mono">${w.id}</div></td>
      ${ctx.unrestricted ? html`<td>${w.tenantId}</td>` : ''}
      <td class="url mono">${w.settings.method} ${w.url}</td>
      <td>${badge(h.word, h.tone)}${h.detail === '' ? '' : html`<div class="muted small">${h.detail}</div>`}</td>
      <td>${statusBadge(s?.lastStatus ?? null, s?.lastError)}<div class="muted small">${s?.lastSuccessAt == null ? '' : `ok ${relative(s.lastSuccessAt, now)}`}</div></td>
      <td class="small">${w.eventTypes.join(', ')}</td>
      ${canWrite ? html`<td>${postButton(ctx, `${path('/webhooks', w.id)}/${w.enabled ? 'disable' : 'enable'}`, w.enabled ? 'Disable' : 'Enable', { tone: 'small' })}</td>` : ''}
    </tr>`;
  });
  const next = list.nextCursor === null ? '' : html`<p><a class="button" href="/webhooks${query({ tenantId: filter.tenantId, cursor: list.nextCursor })}">Next page →</a></p>`;
  return html`${ctx.unrestricted ? html`<form method="get" action="/webhooks" class="filters"><label class="field"><span>Tenant</span><input name="tenantId" value="${filter.tenantId ?? ''}"></label><button type="submit">Filter</button></form>` : ''}
  <div class="table-wrap"><table class="list">
    <thead><tr><th>Name</th>${ctx.unrestricted ? html`<th>Tenant</th>` : ''}<th>Endpoint</th><th>Health</th><th>Last status</th><th>Event types</th>${canWrite ? html`<th></th>` : ''}</tr></thead>
    <tbody>${rows.length === 0 ? html`<tr><td colspan="7" class="empty">No webhooks yet.${canWrite ? html` <a href="/webhooks/new">Create one</a>.` : ''}</td></tr>` : rows}</tbody>
  </table></div>${next}`;
}

function authSummary(w: Webhook): string {
  const a = w.auth;
  switch (a.type) {
    case 'none':
      return 'none (signature only)';
    case 'header':
      return `token in header ${a.headerName} (set)`;
    case 'basic':
      return `basic, user ${a.username} (password set)`;
    case 'oauth2':
      return `OAuth2 client credentials: ${a.clientId} at ${a.tokenUrl}${a.scope === undefined ? '' : `, scope ${a.scope}`}${a.audience === undefined ? '' : `, audience ${a.audience}`} (secret set)`;
  }
}

function settingsTable(w: Webhook): SafeHtml {
  const s = w.settings;
  const rows: [string, SafeHtml | string][] = [
    ['URL', html`<span class="mono">${s.method} ${w.url}</span>`],
    ['Event types', w.eventTypes.join(', ')],
    ['Authentication', authSummary(w)],
    ['Custom headers', Object.keys(s.headers).length === 0 ? 'none' : html`${Object.entries(s.headers).map(([k, v]) => html`<div class="mono">${k}: ${v}</div>`)}`],
    ['Payload', s.includePayload ? 'included' : 'envelope only (no data)'],
    ['Batching', s.batch.maxEvents === 1 ? 'one event per request' : `up to ${s.batch.maxEvents} events, waiting at most ${duration(s.batch.maxWaitMs)}`],
    ['Timeout', duration(s.timeoutMs)],
    ['Retry policy', s.retry.maxDurationSeconds === 0 ? 'no retries' : `from ${duration(s.retry.initialDelayMs)}, doubling up to ${duration(s.retry.maxDelayMs)}, for ${duration(s.retry.maxDurationSeconds * 1000)}`],
    ['Limits', `${s.maxConcurrency} concurrent, ${s.rateLimitPerSecond === null ? 'no rate limit' : `${s.rateLimitPerSecond}/s`}`],
    ['Ordering', s.ordering === 'fifo' ? 'FIFO (one at a time, in order)' : 'none (parallel)'],
    ['Success statuses', s.successStatuses === null ? 'any 2xx' : s.successStatuses.join(', ')],
    ['Activation', html`${s.activationDelaySeconds === 0 ? 'immediate' : `${s.activationDelaySeconds} s after creation`} · active from ${time(w.activeFrom)}`],
    ['Auto-disable', `after ${s.autoDisableAfterHours} h of failures`],
    ['Created / updated', html`${time(w.createdAt)} / ${time(w.updatedAt)}`],
  ];
  if (s.description !== '') rows.unshift(['Description', s.description]);
  return html`<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

function healthPanel(w: Webhook, h: EndpointHealth, now: number): SafeHtml {
  const s = h.state;
  const word = healthWord(w, s ?? undefined, now);
  return html`<div class="panel">
    <h2>Health ${badge(word.word, word.tone)}</h2>
    ${w.enabled ? '' : html`<p class="flash error">Disabled${w.disabledReason === null ? '' : `: ${w.disabledReason}`} ${time(w.disabledAt)}</p>`}
    <table class="kv"><tbody>
      <tr><th>Circuit</th><td>${badge(s?.circuit ?? 'closed')} ${s === null ? '' : `${s.consecutiveFailures} consecutive failures`}${s?.nextProbeAt == null ? '' : html`, next probe ${time(s.nextProbeAt)}`}</td></tr>
      <tr><th>Concurrency</th><td>${h.effectiveConcurrency} of ${w.settings.maxConcurrency}, ${h.queue.delivering} in flight${s?.pausedUntil != null && s.pausedUntil > now ? html`, paused until ${time(s.pausedUntil)}` : ''}</td></tr>
      <tr><th>Last success</th><td>${time(s?.lastSuccessAt ?? null, 'never')}</td></tr>
      <tr><th>Last failure</th><td>${time(s?.lastFailureAt ?? null, 'never')}${s?.failingSince == null ? '' : html`, failing since ${time(s.failingSince)}`}</td></tr>
      <tr><th>Last answer</th><td>${statusBadge(s?.lastStatus ?? null, s?.lastError)} <span class="small">${s?.lastError ?? ''}</span></td></tr>
      <tr><th>Queue</th><td>${count(h.queue.pending)} pending · ${count(h.queue.retrying)} retrying · ${count(h.queue.delivering)} delivering · <a href="/failed${query({ webhookId: w.id })}">${count(h.queue.failed)} failed</a></td></tr>
    </tbody></table>
    <table class="compact"><thead><tr><th>window</th><th class="num">attempts</th><th class="num">success</th><th class="num">p50</th><th class="num">p99</th></tr></thead>
    <tbody>${h.windows.map((x) => html`<tr><td>${x.window}</td><td class="num">${count(x.attempts)}</td><td class="num">${percent(x.successRate)}</td><td class="num">${duration(x.p50Ms)}</td><td class="num">${duration(x.p99Ms)}</td></tr>`)}</tbody></table>
  </div>`;
}

export function webhookDetail(ctx: Ctx, w: Webhook, h: EndpointHealth, now: number): SafeHtml {
  const base = path('/webhooks', w.id);
  const canWrite = ctx.can('webhooks:write');
  const secretPanel = canWrite
    ? html`<div class="panel">
      <h2>Signing secret</h2>
      <p>Starts with <code>${w.secret.slice(0, 10)}…</code>${w.previousSecret !== null && (w.previousSecretUntil ?? 0) > now ? html`; the previous secret also signs until ${time(w.previousSecretUntil)}` : ''}.</p>
      <div id="secret-slot"></div>
      <div class="button-row">
        <button type="button" hx-post="${base}/reveal-secret" hx-target="#secret-slot" hx-confirm="Show the signing secret on screen?">Reveal secret</button>
        <form hx-post="${base}/rotate-secret" hx-target="#secret-slot" class="inline" hx-confirm="Rotate the signing secret? Receivers must learn the new one before the overlap ends.">
          ${csrf(ctx)}
          <label class="inline-field">overlap <select name="overlapSeconds"><option value="86400">24 h</option><option value="3600">1 h</option><option value="604800">7 days</option><option value="0">none</option></select></label>
          <button type="submit">Rotate secret</button>
        </form>
      </div>
    </div>
    <div class="panel">
      <h2>Test</h2>
      <p>Sends a <code>hookrelay.test</code> event now and shows the endpoint's answer.</p>
      <button type="button" hx-post="${base}/test" hx-target="#test-result" hx-disabled-elt="this">Send test event</button>
      <div id="test-result" aria-live="polite"></div>
    </div>`
    : '';
  return html`<div class="grid-2">${healthPanel(w, h, now)}<div class="panel"><h2>Settings</h2>${settingsTable(w)}</div></div>
  <div class="grid-2">${secretPanel}</div>
  ${canWrite ? html`<div class="danger-zone">${postButton(ctx, `${base}/delete`, 'Delete webhook', { tone: 'danger', confirm: `Delete ${w.name}? Its undelivered deliveries are canceled.` })}</div>` : ''}`;
}

export function webhookActions(ctx: Ctx, w: Webhook): SafeHtml {
  const base = path('/webhooks', w.id);
  const links = html`<a class="button" href="/activity${query({ webhookId: w.id })}">Activity</a>`;
  if (!ctx.can('webhooks:write')) return links;
  return html`${links} <a class="button" href="${base}/edit">Edit</a> ${postButton(ctx, `${base}/${w.enabled ? 'disable' : 'enable'}`, w.enabled ? 'Disable' : 'Enable')}`;
}
