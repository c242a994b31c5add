// The webhook form ⇄ the API's webhook request shapes. The form posts flat fields
// (`retry.maxDelayMs`, `auth.token`, …); these functions build the same create/patch bodies a
// client would send to the API and validate them with the API's schemas. Write-only
// credentials left blank are omitted, which the webhook service reads as "keep the current one".
import type { Webhook } from '../store/records.js';
import { CreateWebhookBody, PatchWebhookBody, WEBHOOK_DEFAULTS, type AuthInputT, type CreateWebhookBodyT, type PatchWebhookBodyT } from '../webhooks/schemas.js';
import { throwFieldErrors, validateAs, type Form } from './forms.js';

export type FormValues = Record<string, string>;

function authInput(form: Form): AuthInputT | Record<string, unknown> {
  const type = form.text('auth.type') || 'none';
  const set = (out: Record<string, unknown>, key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  const out: Record<string, unknown> = { type };
  switch (type) {
    case 'header':
      out.headerName = form.text('auth.headerName');
      set(out, 'token', form.secret('auth.token'));
      break;
    case 'basic':
      out.username = form.text('auth.username');
      set(out, 'password', form.secret('auth.password'));
      break;
    case 'oauth2':
      out.tokenUrl = form.text('auth.tokenUrl');
      out.clientId = form.text('auth.clientId');
      set(out, 'clientSecret', form.secret('auth.clientSecret'));
      set(out, 'scope', form.optional('auth.scope'));
      set(out, 'audience', form.optional('auth.audience'));
      set(out, 'tokenLifetimeHours', form.number('auth.tokenLifetimeHours', false));
      out.clientAuth = form.text('auth.clientAuth') || 'basic';
      break;
    default:
      break;
  }
  return out;
}

/** Every setting the form shows, as the API names them (undefined values are left out). */
function settings(form: Form): Record<string, unknown> {
  const rate = form.number('rateLimitPerSecond', false);
  const statuses = form.list('successStatuses').map((s) => Number(s));
  const fields: Record<string, unknown> = {
    name: form.text('name'),
    description: form.text('description'),
    url: form.text('url'),
    method: form.text('method') || 'POST',
    eventTypes: form.list('eventTypes'),
    enabled: form.checked('enabled'),
    includePayload: form.checked('includePayload'),
    headers: form.headers('headers'),
    auth: authInput(form),
    batch: { maxEvents: form.number('batch.maxEvents'), maxWaitMs: form.number('batch.maxWaitMs') },
    timeoutMs: form.number('timeoutMs'),
    retry: { initialDelayMs: form.number('retry.initialDelayMs'), maxDelayMs: form.number('retry.maxDelayMs'), maxDurationSeconds: form.number('retry.maxDurationSeconds') },
    maxConcurrency: form.number('maxConcurrency'),
    rateLimitPerSecond: rate ?? null,
    ordering: form.text('ordering') || 'none',
    successStatuses: statuses.length === 0 ? null : statuses,
    activationDelaySeconds: form.number('activationDelaySeconds'),
    autoDisableAfterHours: form.number('autoDisableAfterHours'),
  };
  // JSON has no undefined: drop blanks so the API's defaults (create) or current values (edit) apply.
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}

export function createBody(form: Form, tenantId: string): CreateWebhookBodyT {
  const body: Record<string, unknown> = { ...settings(form), tenantId, verify: form.checked('verify') };
  const secret = form.optional('secret');
  if (secret !== undefined) body.secret = secret;
  throwFieldErrors(form.errors);
  return validateAs(CreateWebhookBody, body);
}

export function patchBody(form: Form): PatchWebhookBodyT {
  const body = settings(form);
  throwFieldErrors(form.errors);
  return validateAs(PatchWebhookBody, body);
}

/** Form values for a webhook (or the defaults for a new one). Credentials are never included. */
export function webhookValues(w: Webhook | null): FormValues {
  const s = w?.settings ?? WEBHOOK_DEFAULTS;
  const a = w?.auth ?? { type: 'none' as const };
  const values: FormValues = {
    name: w?.name ?? '',
    description: s.description,
    url: w?.url ?? '',
    method: s.method,
    eventTypes: (w?.eventTypes ?? ['*']).join('\n'),
    enabled: w === null || w.enabled ? 'on' : '',
    includePayload: s.includePayload ? 'on' : '',
    headers: Object.entries(s.headers).map(([k, v]) => `${k}: ${v}`).join('\n'),
    'auth.type': a.type,
    'batch.maxEvents': String(s.batch.maxEvents),
    'batch.maxWaitMs': String(s.batch.maxWaitMs),
    timeoutMs: String(s.timeoutMs),
    'retry.initialDelayMs': String(s.retry.initialDelayMs),
    'retry.maxDelayMs': String(s.retry.maxDelayMs),
    'retry.maxDurationSeconds': String(s.retry.maxDurationSeconds),
    maxConcurrency: String(s.maxConcurrency),
    rateLimitPerSecond: s.rateLimitPerSecond === null ? '' : String(s.rateLimitPerSecond),
    ordering: s.ordering,
    successStatuses: s.successStatuses === null ? '' : s.successStatuses.join(', '),
    activationDelaySeconds: String(s.activationDelaySeconds),
    autoDisableAfterHours: String(s.autoDisableAfterHours),
    verify: 'on',
  };
  if (a.type === 'header') values['auth.headerName'] = a.headerName;
  if (a.type === 'basic') values['auth.username'] = a.username;
  if (a.type === 'oauth2') {
    Object.assign(values, { 'auth.tokenUrl': a.tokenUrl, 'auth.clientId': a.clientId, 'auth.scope': a.scope ?? '', 'auth.audience': a.audience ?? '', 'auth.clientAuth': a.clientAuth });
    if (a.tokenLifetimeHours !== undefined) values['auth.tokenLifetimeHours'] = String(a.tokenLifetimeHours);
  }
  return values;
}

const WRITE_ONLY = new Set(['auth.token', 'auth.password', 'auth.clientSecret', 'secret', '_csrf']);

/** What was submitted, to show the form again after an error; secrets are not echoed back. */
export function submittedValues(form: Form, names: readonly string[]): FormValues {
  const out: FormValues = {};
  for (const n of names) if (!WRITE_ONLY.has(n)) out[n] = form.all(n)[0] ?? '';
  return out;
}
