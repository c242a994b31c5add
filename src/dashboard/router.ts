// The few shapes every dashboard page module shares: a router whose routes require a session
// (and optionally a permission), accessors for path and query parameters, and the pages'
// shared dependencies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../api-keys/keys.js';
import type { Runtime } from '../runtime.js';
import { ctxOf, sendHtml, type Ctx } from './context.js';
import { SafeHtml } from './html.js';
import type { OverviewSource } from './overview-data.js';
import type { SessionStore } from './session.js';

export interface Dash {
  rt: Runtime;
  sessions: SessionStore;
  overview: OverviewSource;
}

export type PageHandler = (request: FastifyRequest, reply: FastifyReply, ctx: Ctx) => Promise<SafeHtml | FastifyReply>;

export interface Router {
  /** A page for any signed-in key (`needs` null) or for keys holding `needs`. */
  get(url: string, needs: Permission | null, handler: PageHandler): void;
  post(url: string, needs: Permission | null, handler: PageHandler): void;
}

export function routerFor(app: FastifyInstance): Router {
  const add = (method: 'GET' | 'POST', url: string, needs: Permission | null, handler: PageHandler): void => {
    app.route({
      method,
      url,
      config: { dashboard: needs === null ? {} : { needs } },
      handler: async (request, reply) => {
        const out = await handler(request, reply, ctxOf(request));
        return out instanceof SafeHtml ? sendHtml(reply, 200, out) : out;
      },
    });
  };
  return {
    get: (url, needs, handler) => add('GET', url, needs, handler),
    post: (url, needs, handler) => add('POST', url, needs, handler),
  };
}

function stringField(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const v: unknown = Reflect.get(source, name);
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function param(request: FastifyRequest, name: string): string {
  return stringField(request.params, name) ?? '';
}

/** A query parameter, trimmed; undefined when absent or blank. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const v = stringField(request.query, name)?.trim();
  return v === undefined || v === '' ? undefined : v;
}
