// Creating and changing webhooks: defaults, cross-field rules, credentials that stay
// write-only, verification with a test event, and the API view (which never carries
// credentials, and the signing secret only when asked for).
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { AppError, type FieldError } from '../errors.js';
import type { Link } from '../http/schemas.js';
import { iso, isoOrNull } from '../http/schemas.js';
import type { Webhook, WebhookAuth, WebhookSettings } from '../store/records.js';
import { headerErrors, methodErrors, retryErrors, throwIfErrors, urlErrors } from './rules.js';
import { WEBHOOK_DEFAULTS, type AuthInputT, type AuthViewT, type CreateWebhookBodyT, type PatchWebhookBodyT } from './schemas.js';

export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function mergeSettings(base: WebhookSettings, input: CreateWebhookBodyT | PatchWebhookBodyT): WebhookSettings {
  return {
    method: input.method ?? base.method,
    includePayload: input.includePayload ?? base.includePayload,
    headers: input.headers ?? base.headers,
    batch: { ...base.batch, ...input.batch },
    timeoutMs: input.timeoutMs ?? base.timeoutMs,
    retry: { ...base.retry, ...input.retry },
    maxConcurrency: input.maxConcurrency ?? base.maxConcurrency,
    rateLimitPerSecond: input.rateLimitPerSecond === undefined ? base.rateLimitPerSecond : input.rateLimitPerSecond,
    ordering: input.ordering ?? base.ordering,
    successStatuses: input.successStatuses === undefined ? base.successStatuses : input.successStatuses,
    activationDelaySeconds: input.activationDelaySeconds ?? base.activationDelaySeconds,
    autoDisableAfterHours: input.autoDisableAfterHours ?? base.autoDisableAfterHours,
    description: input.description ?? base.description,
  };
}

/**
 * The stored auth for an input. A credential left out keeps the current one when the type is
 * unchanged (so an edit form need not re-enter secrets); a new type needs its credential.
 */
function resolveAuth(input: AuthInputT | undefined, current: WebhookAuth | null): { auth: WebhookAuth; errors: FieldError[] } {
  if (input === undefined) return { auth: current ?? { type: 'none' }, errors: [] };
  const missing = (name: string): FieldError[] => [{ field: `/body/auth/${name}`, rule: 'required', message: `/body/auth/${name} is required for auth type '${input.type}'.` }];
  switch (input.type) {
    case 'none':
      return { auth: { type: 'none' }, errors: [] };
    case 'header': {
      const token = input.token ?? (current?.type === 'header' ? current.token : undefined);
      return token === undefined ? { auth: { type: 'none' }, errors: missing('token') } : { auth: { type: 'header', headerName: input.headerName, token }, errors: headerErrors({ [input.headerName]: token }, '/body/auth').filter((e) => e.rule !== 'reserved-header') };
    }
    case 'basic': {
      const password = input.password ?? (current?.type === 'basic' ? current.password : undefined);
      return password === undefined ? { auth: { type: 'none' }, errors: missing('password') } : { auth: { type: 'basic', username: input.username, password }, errors: [] };
    }
    case 'oauth2': {
      const clientSecret = input.clientSecret ?? (current?.type === 'oauth2' ? current.clientSecret : undefined);
      if (clientSecret === undefined) return { auth: { type: 'none' }, errors: missing('clientSecret') };
      const auth: WebhookAuth = { type: 'oauth2', tokenUrl: input.tokenUrl, clientId: input.clientId, clientSecret, clientAuth: input.clientAuth ?? 'basic' };
      if (input.scope !== undefined) auth.scope = input.scope;
      if (input.audience !== undefined) auth.audience = input.audience;
      if (input.tokenLifetimeHours !== undefined) auth.tokenLifetimeHours = input.tokenLifetimeHours;
      return { auth, errors: [] };
    }
  }
}

async function checkAll(config: Config, url: string, settings: WebhookSettings, auth: WebhookAuth, authErrors: FieldError[]): Promise<void> {
  const errors = [...(await urlErrors(url, config)), ...headerErrors(settings.headers), ...retryErrors(settings.retry), ...methodErrors(settings), ...authErrors];
  if (auth.type === 'oauth2') errors.push(...(await urlErrors(auth.tokenUrl, config, '/body/auth/tokenUrl')));
  throwIfErrors(errors);
}

export async function buildWebhook(config: Config, tenantId: string, id: string, body: CreateWebhookBodyT, now: number): Promise<Webhook> {
  const settings = mergeSettings(WEBHOOK_DEFAULTS, body);
  const { auth, errors } = resolveAuth(body.auth, null);
  await checkAll(config, body.url, settings, auth, errors);
  return {
    id,
    tenantId,
    name: body.name,
    url: body.url,
    enabled: body.enabled ?? true,
    eventTypes: body.eventTypes ?? ['*'],
    settings,
    auth,
    secret: body.secret ?? generateSecret(),
    previousSecret: null,
    previousSecretUntil: null,
    activeFrom: now + settings.activationDelaySeconds * 1000,
    disabledReason: null,
    disabledAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

export async function patchWebhook(config: Config, current: Webhook, body: PatchWebhookBodyT, now: number): Promise<Webhook> {
  const settings = mergeSettings(current.settings, body);
  const { auth, errors } = resolveAuth(body.auth, current.auth);
  await checkAll(config, body.url ?? current.url, settings, auth, errors);
  const enabled = body.enabled ?? current.enabled;
  return {
    ...current,
    name: body.name ?? current.name,
    url: body.url ?? current.url,
    enabled,
    eventTypes: body.eventTypes ?? current.eventTypes,
    settings,
    auth,
    // Re-enabling clears why it was disabled; disabling by hand says so.
    disabledReason: enabled ? null : current.enabled ? 'disabled by API' : current.disabledReason,
    disabledAt: enabled ? null : current.enabled ? now : current.disabledAt,
    version: current.version + 1,
    updatedAt: now,
  };
}

function authView(auth: WebhookAuth): AuthViewT {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'header':
      return { type: 'header', headerName: auth.headerName, hasSecret: true };
    case 'basic':
      return { type: 'basic', username: auth.username, hasSecret: true };
    case 'oauth2': {
      const view: AuthViewT = { type: 'oauth2', tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientAuth: auth.clientAuth, hasSecret: true };
      if (auth.scope !== undefined) view.scope = auth.scope;
      if (auth.audience !== undefined) view.audience = auth.audience;
      if (auth.tokenLifetimeHours !== undefined) view.tokenLifetimeHours = auth.tokenLifetimeHours;
      return view;
    }
  }
}

export function webhookLinks(id: string): Link[] {
  const self = `/api/v1/webhooks/${id}`;
  return [
    { rel: 'self', href: self, method: ['GET', 'PATCH', 'DELETE'] },
    { rel: 'deliveries', href: `/api/v1/deliveries?webhookId=${id}`, method: ['GET'] },
    { rel: 'health', href: `${self}/health`, method: ['GET'] },
    { rel: 'test', href: `${self}/test`, method: ['POST'] },
    { rel: 'rotate-secret', href: `${self}/rotate-secret`, method: ['POST'] },
    { rel: 'secret', href: `${self}/secret`, method: ['GET'] },
    { rel: 'recover', href: `${self}/recover`, method: ['POST'] },
  ];
}

export function webhookView(w: Webhook, options: { includeSecret?: boolean } = {}) {
  const s = w.settings;
  return {
    id: w.id,
    tenantId: w.tenantId,
    name: w.name,
    description: s.description,
    url: w.url,
    method: s.method,
    eventTypes: w.eventTypes,
    enabled: w.enabled,
    includePayload: s.includePayload,
    headers: s.headers,
    auth: authView(w.auth),
    batch: s.batch,
    timeoutMs: s.timeoutMs,
    retry: s.retry,
    maxConcurrency: s.maxConcurrency,
    rateLimitPerSecond: s.rateLimitPerSecond,
    ordering: s.ordering,
    successStatuses: s.successStatuses,
    activationDelaySeconds: s.activationDelaySeconds,
    autoDisableAfterHours: s.autoDisableAfterHours,
    ...(options.includeSecret === true ? { secret: w.secret } : {}),
    secretPrefix: `${w.secret.slice(0, 10)}…`,
    disabledReason: w.disabledReason,
    disabledAt: isoOrNull(w.disabledAt),
    activeFrom: iso(w.activeFrom),
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
    links: webhookLinks(w.id),
  };
}

export function conflict(id: string): AppError {
  return new AppError('conflict', `Webhook '${id}' was changed by another request at the same time; read it again and retry.`);
}
