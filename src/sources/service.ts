// Creating and changing sources: defaults, cross-field rules, credentials that stay write-only
// (a PATCH that keeps the auth type may leave the credential out), and the API views.
import type { Config } from '../config.js';
import { AppError, type FieldError } from '../errors.js';
import { iso, type Link } from '../http/schemas.js';
import type { Source, SourceAuth, SourceSettings } from '../store/sources.js';
import { OPERATIONAL_PREFIX } from '../webhooks/match.js';
import { throwIfErrors, urlErrors } from '../webhooks/rules.js';
import { DEFAULT_CONTENT_TYPES, DEFAULT_MAX_BODY_BYTES, type CreateSourceBodyT, type PatchSourceBodyT, type SourceAuthInputT, type SourceAuthViewT } from './schemas.js';

type SettingsInput = Omit<PatchSourceBodyT, 'name' | 'enabled' | 'auth'>;

function mergeSettings(base: SourceSettings | null, input: SettingsInput): SourceSettings {
  const response = { status: base?.response.status ?? 200, body: base?.response.body ?? null, ...input.response };
  return {
    description: input.description ?? base?.description ?? '',
    eventType: input.eventType === undefined ? (base?.eventType ?? null) : input.eventType,
    eventTypePointer: input.eventTypePointer === undefined ? (base?.eventTypePointer ?? null) : input.eventTypePointer,
    response: { status: response.status, body: response.body ?? null },
    contentTypes: (input.contentTypes ?? base?.contentTypes ?? DEFAULT_CONTENT_TYPES).map((t) => t.toLowerCase()),
    maxBodyBytes: input.maxBodyBytes ?? base?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    rateLimitPerSecond: input.rateLimitPerSecond === undefined ? (base?.rateLimitPerSecond ?? null) : input.rateLimitPerSecond,
  };
}

function settingsErrors(s: SourceSettings): FieldError[] {
  const errors: FieldError[] = [];
  if (s.eventType === null && s.eventTypePointer === null) {
    const message = 'Set /body/eventType (a fixed type) or /body/eventTypePointer (where the type is in a JSON body, e.g. "/type"), or both (the type is the fallback).';
    errors.push({ field: '/body/eventType', rule: 'required', message });
  }
  if (s.eventType?.startsWith(OPERATIONAL_PREFIX) === true) {
    errors.push({ field: '/body/eventType', rule: 'reserved', message: `/body/eventType: types starting with '${OPERATIONAL_PREFIX}' are published by hookrelay itself; choose another type.` });
  }
  if (s.response.status === 204 && s.response.body !== null) {
    errors.push({ field: '/body/response/body', rule: 'no-content', message: '/body/response/body must be null when /body/response/status is 204 (No Content); choose 200 or 202 to send a body.' });
  }
  if (s.response.body !== null && JSON.stringify(s.response.body).length > 4096) {
    errors.push({ field: '/body/response/body', rule: 'maxLength', message: '/body/response/body must be at most 4096 characters once serialised.' });
  }
  return errors;
}

/** The stored auth for an input: a credential left out keeps the current one when the type is unchanged. */
function resolveAuth(input: SourceAuthInputT | undefined, current: SourceAuth | null): { auth: SourceAuth; errors: FieldError[] } {
  if (input === undefined) return { auth: current ?? { type: 'none' }, errors: [] };
  const missing = (name: string): { auth: SourceAuth; errors: FieldError[] } => ({
    auth: { type: 'none' },
    errors: [{ field: `/body/auth/${name}`, rule: 'required', message: `/body/auth/${name} is required for auth type '${input.type}'.` }],
  });
  switch (input.type) {
    case 'none':
      return { auth: { type: 'none' }, errors: [] };
    case 'basic': {
      const password = input.password ?? (current?.type === 'basic' ? current.password : undefined);
      return password === undefined ? missing('password') : { auth: { type: 'basic', username: input.username, password }, errors: [] };
    }
    case 'header': {
      const token = input.token ?? (current?.type === 'header' ? current.token : undefined);
      return token === undefined ? missing('token') : { auth: { type: 'header', headerName: input.headerName, token }, errors: [] };
    }
    case 'hmac': {
      const secret = input.secret ?? (current?.type === 'hmac' ? current.secret : undefined);
      return secret === undefined ? missing('secret') : { auth: { type: 'hmac', secret }, errors: [] };
    }
    case 'oauth2':
      return { auth: { type: 'oauth2', jwksUrl: input.jwksUrl, issuer: input.issuer, audience: input.audience }, errors: [] };
  }
}

async function check(config: Config, settings: SourceSettings, auth: SourceAuth, authErrors: FieldError[]): Promise<void> {
  const errors = [...settingsErrors(settings), ...authErrors];
  if (auth.type === 'oauth2') errors.push(...(await urlErrors(auth.jwksUrl, config, '/body/auth/jwksUrl')));
  throwIfErrors(errors);
}

export async function buildSource(config: Config, tenantId: string, id: string, body: CreateSourceBodyT, now: number): Promise<Source> {
  const settings = mergeSettings(null, body);
  const { auth, errors } = resolveAuth(body.auth, null);
  await check(config, settings, auth, errors);
  return { id, tenantId, name: body.name, enabled: body.enabled ?? true, auth, settings, version: 1, createdAt: now, updatedAt: now };
}

export async function patchSource(config: Config, current: Source, body: PatchSourceBodyT, now: number): Promise<Source> {
  const settings = mergeSettings(current.settings, body);
  const { auth, errors } = resolveAuth(body.auth, current.auth);
  await check(config, settings, auth, errors);
  return { ...current, name: body.name ?? current.name, enabled: body.enabled ?? current.enabled, auth, settings, version: current.version + 1, updatedAt: now };
}

function authView(auth: SourceAuth): SourceAuthViewT {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username, hasSecret: true };
    case 'header':
      return { type: 'header', headerName: auth.headerName, hasSecret: true };
    case 'hmac':
      return { type: 'hmac', hasSecret: true };
    case 'oauth2':
      return { type: 'oauth2', jwksUrl: auth.jwksUrl, issuer: auth.issuer, audience: auth.audience };
  }
}

export function sourceLinks(id: string): Link[] {
  return [
    { rel: 'self', href: `/api/v1/sources/${id}`, method: ['GET', 'PATCH', 'DELETE'] },
    { rel: 'requests', href: `/api/v1/sources/${id}/requests`, method: ['GET'] },
    { rel: 'inbound', href: `/in/${id}`, method: ['POST', 'PUT', 'GET'] },
  ];
}

export function sourceView(s: Source) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    name: s.name,
    description: s.settings.description,
    enabled: s.enabled,
    url: `/in/${s.id}`,
    auth: authView(s.auth),
    eventType: s.settings.eventType,
    eventTypePointer: s.settings.eventTypePointer,
    response: s.settings.response,
    contentTypes: s.settings.contentTypes,
    maxBodyBytes: s.settings.maxBodyBytes,
    rateLimitPerSecond: s.settings.rateLimitPerSecond,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    links: sourceLinks(s.id),
  };
}

export function conflict(id: string): AppError {
  return new AppError('conflict', `Source '${id}' was changed by another request at the same time; read it again and retry.`);
}
