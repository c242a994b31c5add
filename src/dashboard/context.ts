// Who is asking, and may they: the dashboard's guard. Every dashboard route runs it (except the
// sign-in page and static files): a live session, a key that is still valid, the CSRF token on
// every POST, and the permission the route names — the same permission names and `grants`
// rule as the API, so a key can do in the browser exactly what it can do over the API.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { grants, type Permission } from '../api-keys/keys.js';
import type { Principal } from '../http/auth.js';
import { ALL_TENANTS, type Scope } from '../store/records.js';
import type { Runtime } from '../runtime.js';
import { KEY_RECHECK_MS, parseCookies, sameToken, SESSION_COOKIE, type Session, type SessionStore } from './session.js';
import type { SafeHtml } from './html.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Dashboard routes: `public` skips sign-in; `needs` is the permission the page requires. */
    dashboard?: { public?: boolean; needs?: Permission };
  }
}

export interface Ctx {
  readonly session: Session;
  readonly principal: Principal;
  /** The tenant scope every store call of this request uses. */
  readonly scope: Scope;
  /** True for a key that is not restricted to one tenant. */
  readonly unrestricted: boolean;
  can(permission: Permission): boolean;
}

const contexts = new WeakMap<FastifyRequest, Ctx>();

/** The session context, when the guard found one (error pages use it for the navigation). */
export function ctxOrNull(request: FastifyRequest): Ctx | null {
  return contexts.get(request) ?? null;
}

export function ctxOf(request: FastifyRequest): Ctx {
  const ctx = contexts.get(request);
  if (ctx === undefined) throw new Error('dashboard route without a session context');
  return ctx;
}

export function makeCtx(session: Session): Ctx {
  const p = session.principal;
  return {
    session,
    principal: p,
    scope: p.tenantId === null ? ALL_TENANTS : { tenantId: p.tenantId },
    unrestricted: p.tenantId === null,
    can: (permission) => grants(p.permissions, permission),
  };
}

export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true';
}

export function sendHtml(reply: FastifyReply, status: number, body: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body.value);
}

/** A redirect that also works for htmx requests (which would otherwise swap the target page in). */
export function redirectTo(request: FastifyRequest, reply: FastifyReply, url: string): FastifyReply {
  if (isHtmx(request)) return reply.code(200).header('hx-redirect', url).send('');
  return reply.redirect(url, 303);
}

function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v: unknown = Reflect.get(body, name);
  return typeof v === 'string' ? v : undefined;
}

/** A cross-site POST shows itself by its Origin; same-origin browsers send ours (or none). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    // Both sides normalised with the origin's scheme, so an explicit default port matches.
    const o = new URL(origin);
    return new URL(`${o.protocol}//${request.headers.host ?? ''}`).host === o.host;
  } catch {
    return false;
  }
}

export interface GuardDeps {
  rt: Runtime;
  sessions: SessionStore;
  /** Renders the "not allowed" page. */
  forbidden(request: FastifyRequest, reply: FastifyReply, ctx: Ctx | null, message: string): FastifyReply;
}

export function guard(deps: GuardDeps) {
  const { rt, sessions } = deps;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const config = request.routeOptions.config.dashboard;
    if (config === undefined || config.public === true) return undefined;
    const session = sessions.get(parseCookies(request.headers.cookie).get(SESSION_COOKIE));
    const signIn = (): FastifyReply => {
      const next = request.method === 'GET' && !isHtmx(request) ? `?next=${encodeURIComponent(request.url)}` : '';
      return redirectTo(request, reply, `/sign-in${next}`);
    };
    if (session === undefined) return signIn();

    // The key may have been revoked since sign-in, here or on another node.
    const now = rt.clock.now();
    if (now - session.checkedAt > KEY_RECHECK_MS) {
      const key = await rt.store.apiKeys.getApiKey(ALL_TENANTS, session.principal.keyId);
      if (key === undefined || key.revokedAt !== null) {
        sessions.destroy(session.token);
        return signIn();
      }
      session.checkedAt = now;
    }
    const ctx = makeCtx(session);
    contexts.set(request, ctx);

    if (request.method === 'POST') {
      const sent = formField(request.body, '_csrf') ?? request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, session.csrf) || !sameOrigin(request)) {
        return deps.forbidden(request, reply, ctx, 'The form expired or did not come from this dashboard. Reload the page and try again.');
      }
    }
    if (config.needs !== undefined && !ctx.can(config.needs)) {
      return deps.forbidden(request, reply, ctx, `This API key lacks the '${config.needs}' permission needed here.`);
    }
    return undefined;
  };
}
