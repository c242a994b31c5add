// Rate limits and ingest back-pressure, registered first by app.ts so its hooks run for every
// route of the application:
//   onRequest  (before authentication): the global ceiling, HOOKRELAY_GLOBAL_RATE_LIMIT_PER_SECOND,
//              across every client of this node — API, inbound, dashboard and docs;
//   preParsing (after authentication, before the body is read): the per-API-key limit,
//              HOOKRELAY_RATE_LIMIT_PER_SECOND, keyed by the key's id; then back-pressure on routes
//              whose config says `backpressure: true`;
//   app.protection.limitSource(): the per-source limit, called by the inbound route once it
//              knows the source and its rateLimitPerSecond.
// /healthz, /readyz and /metrics are never limited: during a flood the load balancer and
// Prometheus must still see a live node, or the flood turns into restarts.
//
// The limiter is our own token bucket rather than @fastify/rate-limit: that plugin counts fixed
// windows, keys before authentication (so a key would be a raw header), and has no notion of
// several limits with one answer; ours gives exact RateLimit-* numbers from pure, clock-driven
// functions that tests can step through. Limits hold per node (see docs/protection.md).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { Backlog, checkBackpressure } from './backpressure.js';
import { limitFor, RateLimiter, take, type BucketState, type Decision } from './token-bucket.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Refuse with 503 while the delivery backlog is over HOOKRELAY_MAX_BACKLOG (ingest routes). */
    backpressure?: boolean;
  }
  interface FastifyInstance {
    /** Per-node rate limits and back-pressure for routes that apply them themselves. */
    protection: Protection;
  }
}

export interface Protection {
  /**
   * Takes one request from the source's bucket (ratePerSecond null or 0 = unlimited). Sets the
   * RateLimit-* headers on `reply`; throws the 429 problem when the bucket is empty.
   */
  limitSource(reply: FastifyReply, sourceId: string, ratePerSecond: number | null): void;
  /** Throws the 503 problem while the delivery backlog is over HOOKRELAY_MAX_BACKLOG. */
  checkBackpressure(): Promise<void>;
}

type LimitName = 'global' | 'api_key' | 'source';

const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

const WHAT: Record<LimitName, string> = {
  global: 'for this server',
  api_key: 'for this API key',
  source: 'for this source',
};

export function rateLimitHeaders(d: Decision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(d.limit),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(d.resetSeconds),
    'ratelimit-policy': `${d.limit};w=1`,
  };
  if (!d.allowed) headers['retry-after'] = String(d.retryAfterSeconds);
  return headers;
}

function refusal(d: Decision, name: LimitName, ratePerSecond: number): AppError {
  return new AppError(
    'rate_limited',
    `More than ${ratePerSecond} requests per second ${WHAT[name]}; retry after ${d.retryAfterSeconds} second${d.retryAfterSeconds === 1 ? '' : 's'}.`,
    { headers: rateLimitHeaders(d), extensions: { limit: name } },
  );
}

function setHeaders(reply: FastifyReply, d: Decision): void {
  for (const [name, value] of Object.entries(rateLimitHeaders(d))) void reply.header(name, value);
}

export function registerRateLimits(app: FastifyInstance, rt: Runtime): Promise<void> {
  const { rateLimitPerSecond, globalRateLimitPerSecond, maxBacklog } = rt.config;
  // Buckets run on monotonic time: rates are about real traffic, and the runtime's clock can be
  // moved by hand (tests, simulations) or stepped by NTP, neither of which should refill them.
  const now = (): number => performance.now();
  const clock = rt.clock;
  const keys = new RateLimiter();
  const sources = new RateLimiter();
  const globalLimit = limitFor(globalRateLimitPerSecond);
  const keyLimit = limitFor(rateLimitPerSecond);
  let globalBucket: BucketState | undefined;
  const backlog = new Backlog(
    async () => {
      const q = await rt.store.dispatch.queueStats(clock.now());
      return q.pending + q.retrying + q.delivering;
    },
    clock,
    rt.log.child({ component: 'backpressure' }),
  );

  const refuse = (d: Decision, name: LimitName, rate: number): AppError => {
    rt.metrics.rateLimited.inc({ limit: name });
    return refusal(d, name, rate);
  };

  const protection: Protection = {
    limitSource(reply, sourceId, ratePerSecond) {
      if (ratePerSecond === null || ratePerSecond <= 0) return;
      const d = sources.take(sourceId, limitFor(ratePerSecond), now());
      setHeaders(reply, d);
      if (!d.allowed) throw refuse(d, 'source', ratePerSecond);
    },
    checkBackpressure: () =>
      checkBackpressure(backlog, maxBacklog).catch((err: unknown) => {
        rt.metrics.backpressureRefused.inc();
        throw err;
      }),
  };
  app.decorate('protection', protection);

  if (globalRateLimitPerSecond > 0) {
    // Callback-style hooks: this runs on every request, and a promise per request is measurable.
    app.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      if (UNLIMITED_ROUTES.has(request.routeOptions.url ?? '')) {
        done();
        return;
      }
      const res = take(globalBucket, globalLimit, now());
      globalBucket = res.state;
      done(res.decision.allowed ? undefined : refuse(res.decision, 'global', globalRateLimitPerSecond));
    });
  }

  app.addHook('preParsing', (request: FastifyRequest, reply: FastifyReply, _payload: unknown, done: (err?: Error | null) => void) => {
    // `principal` is set by the API's authentication hook (onRequest, so it has run by now);
    // routes outside /api/v1 have none.
    const principal = request.principal ?? null;
    if (principal !== null && rateLimitPerSecond > 0) {
      const d = keys.take(principal.keyId, keyLimit, now());
      setHeaders(reply, d);
      if (!d.allowed) {
        done(refuse(d, 'api_key', rateLimitPerSecond));
        return;
      }
    }
    if (request.routeOptions.config.backpressure !== true || maxBacklog === 0) {
      done();
      return;
    }
    protection.checkBackpressure().then(() => done(), done);
  });
  return Promise.resolve();
}
