// The webhook create/edit form: every setting the API has, grouped as an operator thinks of
// them. Authentication fields for the chosen type are shown with CSS (:has), no script.
// Credentials are write-only: the edit form never contains them; blank keeps the stored one.
import type { EventType, Webhook } from '../../store/records.js';
import type { Ctx } from '../context.js';
import { html, raw, type SafeHtml } from '../html.js';
import type { FormValues } from '../webhook-input.js';
import { csrf } from './layout.js';

export const WEBHOOK_FIELDS = [
  'tenantId', 'name', 'description', 'url', 'method', 'eventTypes', 'enabled', 'includePayload', 'headers',
  'auth.type', 'auth.headerName', 'auth.username', 'auth.tokenUrl', 'auth.clientId', 'auth.scope', 'auth.audience', 'auth.tokenLifetimeHours', 'auth.clientAuth',
  'batch.maxEvents', 'batch.maxWaitMs', 'timeoutMs', 'retry.initialDelayMs', 'retry.maxDelayMs', 'retry.maxDurationSeconds',
  'maxConcurrency', 'rateLimitPerSecond', 'ordering', 'successStatuses', 'activationDelaySeconds', 'autoDisableAfterHours', 'verify',
] as const;

interface InputOptions {
  type?: string;
  hint?: string;
  required?: boolean;
  min?: number;
  max?: number;
  step?: string;
  placeholder?: string;
  autocomplete?: string;
  list?: string;
}

function input(v: FormValues, name: string, label: string, o: InputOptions = {}): SafeHtml {
  const attrs = [
    o.required === true ? raw(' required') : '',
    o.min === undefined ? '' : html` min="${o.min}"`,
    o.max === undefined ? '' : html` max="${o.max}"`,
    o.step === undefined ? '' : html` step="${o.step}"`,
    o.placeholder === undefined ? '' : html` placeholder="${o.placeholder}"`,
    o.autocomplete === undefined ? '' : html` autocomplete="${o.autocomplete}"`,
    o.list === undefined ? '' : html` list="${o.list}"`,
  ];
  return html`<label class="field"><span>${label}</span><input type="${o.type ?? 'text'}" name="${name}" value="${o.type === 'password' ? '' : (v[name] ?? '')}"${attrs}>${o.hint === undefined ? '' : html`<small>${o.hint}</small>`}</label>`;
}

function checkbox(v: FormValues, name: string, label: string, hint = ''): SafeHtml {
  return html`<label class="check"><input type="checkbox" name="${name}"${raw(v[name] === 'on' ? ' checked' : '')}> ${label}${hint === '' ? '' : html` <small>${hint}</small>`}</label>`;
}

function select(v: FormValues, name: string, label: string, options: readonly (readonly [string, string])[], hint = ''): SafeHtml {
  return html`<label class="field"><span>${label}</span><select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${raw(v[name] === value ? ' selected' : '')}>${text}</option>`)}</select>${hint === '' ? '' : html`<small>${hint}</small>`}</label>`;
}

function textarea(v: FormValues, name: string, label: string, hint: string, rows = 3): SafeHtml {
  return html`<label class="field wide"><span>${label}</span><textarea name="${name}" rows="${rows}">${v[name] ?? ''}</textarea><small>${hint}</small></label>`;
}

export interface WebhookFormOptions {
  /** null for the create form. */
  webhook: Webhook | null;
  values: FormValues;
  eventTypes: readonly EventType[];
  tenants: readonly string[];
  error: SafeHtml | null;
}

export function webhookForm(ctx: Ctx, o: WebhookFormOptions): SafeHtml {
  const v = o.values;
  const w = o.webhook;
  const keep = (type: string): string => (w !== null && w.auth.type === type ? 'set — leave blank to keep' : '');
  const action = w === null ? '/webhooks' : `/webhooks/${encodeURIComponent(w.id)}`;
  return html`${o.error ?? ''}
<form method="post" action="${action}" class="webhook-form">
  ${csrf(ctx)}
  <fieldset><legend>Endpoint</legend>
    ${w === null && ctx.unrestricted ? html`${input(v, 'tenantId', 'Tenant', { required: true, list: 'tenant-list', hint: 'The tenant that owns this webhook.' })}<datalist id="tenant-list">${o.tenants.map((t) => html`<option value="${t}"></option>`)}</datalist>` : ''}
    ${input(v, 'name', 'Name', { required: true })}
    ${input(v, 'url', 'URL', { type: 'url', required: true, placeholder: 'https://example.com/hooks' })}
    ${select(v, 'method', 'Method', [['POST', 'POST'], ['PUT', 'PUT'], ['PATCH', 'PATCH'], ['GET', 'GET (no body; id and type in the query)']])}
    ${input(v, 'description', 'Description')}
    ${textarea(v, 'eventTypes', 'Event types', `One per line or comma-separated; * matches anything (invoice.* or * for all). Known: ${o.eventTypes.map((t) => t.name).join(', ') || 'none yet'}.`)}
    <div class="checks">${checkbox(v, 'enabled', 'Enabled')} ${checkbox(v, 'includePayload', 'Include event data', '(off: the envelope without data)')}</div>
  </fieldset>
  <fieldset class="auth"><legend>Authentication</legend>
    ${select(v, 'auth.type', 'Type', [['none', 'None (signature only)'], ['header', 'Static token in a header'], ['basic', 'Basic auth'], ['oauth2', 'OAuth2 client credentials']])}
    <div class="auth-fields auth-header">
      ${input(v, 'auth.headerName', 'Header name', { placeholder: 'X-Webhook-Token' })}
      ${input(v, 'auth.token', 'Token', { type: 'password', autocomplete: 'new-password', placeholder: keep('header') })}
    </div>
    <div class="auth-fields auth-basic">
      ${input(v, 'auth.username', 'Username')}
      ${input(v, 'auth.password', 'Password', { type: 'password', autocomplete: 'new-password', placeholder: keep('basic') })}
    </div>
    <div class="auth-fields auth-oauth2">
      ${input(v, 'auth.tokenUrl', 'Token URL', { type: 'url', placeholder: 'https://auth.example.com/token' })}
      ${input(v, 'auth.clientId', 'Client id')}
      ${input(v, 'auth.clientSecret', 'Client secret', { type: 'password', autocomplete: 'new-password', placeholder: keep('oauth2') })}
      ${input(v, 'auth.scope', 'Scope')}
      ${input(v, 'auth.audience', 'Audience')}
      ${input(v, 'auth.tokenLifetimeHours', 'Token lifetime (hours)', { type: 'number', step: 'any', hint: 'Used when the token response has no expires_in.' })}
      ${select(v, 'auth.clientAuth', 'Client authentication', [['basic', 'HTTP basic'], ['post', 'In the form body']])}
    </div>
  </fieldset>
  <fieldset><legend>Headers</legend>
    ${textarea(v, 'headers', 'Custom headers', 'One "Name: value" per line, sent with every request.')}
  </fieldset>
  <fieldset><legend>Delivery</legend>
    ${input(v, 'timeoutMs', 'Timeout (ms)', { type: 'number', min: 1000, max: 30000 })}
    ${input(v, 'batch.maxEvents', 'Batch size (events)', { type: 'number', min: 1, max: 10000, hint: '1 sends one event object; more sends a JSON array.' })}
    ${input(v, 'batch.maxWaitMs', 'Batch wait (ms)', { type: 'number', min: 0, max: 30000 })}
    ${select(v, 'ordering', 'Ordering', [['none', 'None (parallel)'], ['fifo', 'FIFO (one at a time, in order)']])}
    ${input(v, 'successStatuses', 'Success statuses', { placeholder: 'any 2xx', hint: 'Comma-separated; blank means any 2xx.' })}
  </fieldset>
  <fieldset><legend>Retry policy</legend>
    ${input(v, 'retry.initialDelayMs', 'First retry after (ms)', { type: 'number', min: 100 })}
    ${input(v, 'retry.maxDelayMs', 'Longest delay (ms)', { type: 'number', min: 100 })}
    ${input(v, 'retry.maxDurationSeconds', 'Give up after (s)', { type: 'number', min: 0, max: 604800, hint: '0 = no retries; 86400 = 24 h.' })}
  </fieldset>
  <fieldset><legend>Limits</legend>
    ${input(v, 'maxConcurrency', 'Max concurrency', { type: 'number', min: 1, max: 1000 })}
    ${input(v, 'rateLimitPerSecond', 'Rate limit (requests/s)', { type: 'number', step: 'any', placeholder: 'unlimited' })}
    ${input(v, 'activationDelaySeconds', 'Activation delay (s)', { type: 'number', min: 0, max: 86400 })}
    ${input(v, 'autoDisableAfterHours', 'Auto-disable after failing (h)', { type: 'number', min: 1, max: 8760 })}
  </fieldset>
  ${w === null ? html`<fieldset><legend>Creation</legend>
    ${input(v, 'secret', 'Signing secret', { type: 'password', autocomplete: 'off', placeholder: 'generated', hint: 'Optional: bring your own whsec_… secret.' })}
    <div class="checks">${checkbox(v, 'verify', 'Send a test event first', '(the endpoint must answer 2xx, else nothing is created)')}</div>
  </fieldset>` : ''}
  <div class="form-actions"><button type="submit" class="primary">${w === null ? 'Create webhook' : 'Save changes'}</button> <a href="${w === null ? '/webhooks' : `/webhooks/${encodeURIComponent(w.id)}`}">Cancel</a></div>
</form>`;
}
