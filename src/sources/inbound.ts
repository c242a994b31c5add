// The inbound endpoint /in/{sourceId}, in its own Fastify scope: it reads every body as raw
// bytes (its own content-type parser, with the source's size limit), so a signature is checked
// over exactly what was signed and the stored request is exactly what was sent.
//
// A POST or PUT goes through, in order:
//   1. onRequest: the source (404 when unknown or disabled, or its tenant is), the caller
//      (401; basic/header/oauth2 before any body byte is read), the source's rate limit (429),
//      content type and length (415, 413); then back-pressure (503, http/rate-limit.ts);
//   2. the body, read up to the source's limit (413);
//   3. the handler: the hmac signature over the raw bytes (401), the event's type and data
//      (400/422), then ONE durable commit, shared with concurrent requests through the ingest
//      group commit, holding the request (headers redacted), its event and the deliveries;
//   4. the answer (the source's configured status and body), only once that commit is done.
// A repeat of a webhook-id or Idempotency-Key of the same source finds its original in that
// commit and is answered the same way, with `idempotent-replayed: true`, storing nothing.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Type } from 'typebox';
import { AppError, invalidField } from '../errors.js';
import { schemaErrors } from '../event-types/validator.js';
import { newId } from '../ids.js';
import type { Runtime } from '../runtime.js';
import type { Source } from '../store/sources.js';
import { accepts, eventContent, mediaTypeOf, readBody, tooLarge } from './body.js';
import { inboundState } from './cache.js';
import { MAX_BODY_BYTES } from './schemas.js';
import { checkCaller, checkSignature, type SignedHeaders } from './verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on /in/{id} once the source is known (and, for POST/PUT, the caller checked). */
    inbound: InboundContext | null;
  }
}

interface InboundContext {
  source: Source;
  signed: SignedHeaders | null;
  mediaType: string | null;
  receivedAt: number;
  replayed: boolean;
}

const REDACTED = '[redacted]';
const ALWAYS_REDACTED = ['authorization', 'proxy-authorization', 'cookie'];
const MAX_DEDUP_KEY = 255;
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

function sourceNotFound(id: string): AppError {
  return new AppError('not_found', `No enabled source with id '${id}' exists here; check the URL you were given.`);
}

function paramId(params: unknown): string {
  const id: unknown = typeof params === 'object' && params !== null ? Reflect.get(params, 'id') : undefined;
  return typeof id === 'string' ? id : '';
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** 415 and 413 from the headers alone, before a body byte is read. */
function checkBodyHeaders(source: Source, headers: IncomingHttpHeaders, mediaType: string | null): void {
  const encoding = single(headers, 'content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw new AppError('unsupported_media_type', `Content-encoding '${encoding}' is not accepted; send the body uncompressed.`);
  }
  const length = Number(single(headers, 'content-length') ?? '0');
  const hasBody = headers['transfer-encoding'] !== undefined || length > 0;
  if (!hasBody) return;
  const allowed = source.settings.contentTypes;
  if (mediaType === null) throw new AppError('unsupported_media_type', `The request has a body but no content-type; send one of: ${allowed.join(', ')}.`);
  if (!accepts(allowed, mediaType)) {
    throw new AppError('unsupported_media_type', `Content-type '${mediaType}' is not accepted by this source; send one of: ${allowed.join(', ')} (or add it to the source's contentTypes).`);
  }
  if (length > source.settings.maxBodyBytes) throw tooLarge(source.settings.maxBodyBytes);
}

/** Headers as stored: credentials (authorization, cookies, the source's token header) redacted. */
function storedHeaders(source: Source, headers: IncomingHttpHeaders): Record<string, string> {
  const secret = new Set(ALWAYS_REDACTED);
  if (source.auth.type === 'header') secret.add(source.auth.headerName.toLowerCase());
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = secret.has(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The sender's idempotency key: webhook-id (Standard Webhooks, also svix-id), else Idempotency-Key. */
function dedupKeyOf(headers: IncomingHttpHeaders, signed: SignedHeaders | null): string | null {
  const webhookId = signed?.id ?? single(headers, 'webhook-id') ?? single(headers, 'svix-id');
  const key = webhookId === undefined ? single(headers, 'idempotency-key') : webhookId;
  if (key === undefined || key === '') return null;
  const name = webhookId === undefined ? 'idempotency-key' : 'webhook-id';
  if (key.length > MAX_DEDUP_KEY) throw invalidField(`/headers/${name}`, 'maxLength', `The ${name} header must be at most ${MAX_DEDUP_KEY} characters.`);
  return `${name}:${key}`;
}

function answer(reply: FastifyReply, source: Source, requestId: string, replayed: boolean): FastifyReply {
  void reply.header('hookrelay-inbound-id', requestId);
  if (replayed) void reply.header('idempotent-replayed', 'true');
  const { status, body } = source.settings.response;
  void reply.code(status);
  if (status === 204 || body === null) return reply.send();
  if (typeof body === 'string') return reply.type('text/plain; charset=utf-8').send(body);
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function resultOf(status: number, replayed: boolean): string {
  if (status < 300) return replayed ? 'duplicate' : 'accepted';
  const named: Record<number, string> = { 401: 'unauthorized', 404: 'not_found', 413: 'too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 503: 'unavailable' };
  return named[status] ?? (status < 500 ? 'rejected' : 'error');
}

async function accept(rt: Runtime, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const ctx = request.inbound;
  if (ctx === null) throw new Error('inbound context missing after onRequest');
  const { source } = ctx;
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (source.auth.type === 'hmac' && ctx.signed !== null) checkSignature(source.auth, ctx.signed, body);
  const dedupKey = dedupKeyOf(request.headers, ctx.signed);
  const content = eventContent(source.settings, ctx.mediaType, body);
  const info = (await rt.eventTypes.get([content.type])).get(content.type);
  if (info?.validate) {
    const errors = schemaErrors(info.validate, content.value, '/body');
    if (errors !== null) throw new AppError('schema_mismatch', errors.length === 1 ? (errors[0]?.message ?? '') : `${errors.length} problems with the body; see errors.`, { errors });
  }
  const requestId = newId('inbound', ctx.receivedAt);
  const eventId = newId('event', ctx.receivedAt);
  const outcome = await rt.ingestor.submitInbound(
    {
      id: requestId, sourceId: source.id, tenantId: source.tenantId, dedupKey, method: request.method,
      query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '',
      headers: storedHeaders(source, request.headers), contentType: single(request.headers, 'content-type') ?? null,
      body, remoteAddress: request.ip, receivedAt: ctx.receivedAt, eventId,
    },
    { tenantId: source.tenantId, id: eventId, type: content.type, timestamp: ctx.receivedAt, data: content.data, sourceId: source.id, deliver: info?.type?.enabled ?? true },
  );
  switch (outcome.kind) {
    case 'stored':
      request.log.debug({ sourceId: source.id, inboundId: requestId, eventId, deliveries: outcome.event.deliveries }, 'inbound request stored');
      return answer(reply, source, requestId, false);
    case 'duplicate':
      ctx.replayed = true;
      return answer(reply, source, outcome.original.id, true);
    case 'source_gone':
    case 'tenant_unavailable':
      throw sourceNotFound(source.id);
  }
}

export async function registerInbound(app: FastifyInstance, rt: Runtime): Promise<void> {
  const state = inboundState(rt);
  await app.register((instance: FastifyInstance) => {
    const scope = instance.withTypeProvider<TypeBoxTypeProvider>();
    scope.decorateRequest('inbound', null);
    // Every body, of any content type, arrives as the exact bytes sent (checked in onRequest).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      const limit = request.inbound?.source.settings.maxBodyBytes ?? MAX_BODY_BYTES;
      readBody(payload, limit, Number(request.headers['content-length'])).then(
        (body) => {
          done(null, body);
        },
        (err: unknown) => {
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });

    scope.addHook('onRequest', async (request, reply) => {
      const id = paramId(request.params);
      const found = await state.sources.get(id);
      if (found === null || !found.source.enabled || !found.tenantEnabled) throw sourceNotFound(id);
      const { source } = found;
      const ctx: InboundContext = { source, signed: null, mediaType: mediaTypeOf(single(request.headers, 'content-type')), receivedAt: rt.clock.now(), replayed: false };
      request.inbound = ctx;
      if (request.method !== 'POST' && request.method !== 'PUT') return;
      ctx.signed = await checkCaller(source.auth, request.headers, state.jwt, ctx.receivedAt);
      // The source's rateLimitPerSecond counts the sender's requests, so it applies once the
      // caller is known: strangers cannot use up a partner's allowance (the global limit holds them).
      instance.protection.limitSource(reply, source.id, source.settings.rateLimitPerSecond);
      checkBodyHeaders(source, request.headers, ctx.mediaType);
    });
    scope.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST' || request.method === 'PUT') rt.metrics.inboundRequests.inc({ result: resultOf(reply.statusCode, request.inbound?.replayed === true) });
    });

    scope.route({
      method: ['POST', 'PUT'],
      url: '/in/:id',
      // 503 with Retry-After while the delivery backlog is over HOOKRELAY_MAX_BACKLOG (http/rate-limit.ts).
      config: { backpressure: true },
      schema: {
        tags: ['inbound'],
        summary: 'Receive a webhook: authenticated, committed durably, answered, then forwarded as an event of the source',
        params: Params,
      },
      handler: (request, reply) => accept(rt, request, reply),
    });

    scope.get('/in/:id', {
      schema: {
        tags: ['inbound'],
        summary: 'Answer a verification challenge: ?challenge=<value> is echoed back as text/plain',
        params: Params,
        querystring: Type.Object({ challenge: Type.Optional(Type.String({ maxLength: 1000 })) }),
      },
    }, async (request, reply) => {
      const value = request.query.challenge;
      if (value === undefined) {
        throw invalidField('/query/challenge', 'required', 'GET /in/{id} answers verification challenges: pass ?challenge=<value> to have it echoed back. Send webhooks with POST or PUT.');
      }
      return reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').header('cache-control', 'no-store').send(value);
    });

    scope.route({
      method: ['PATCH', 'DELETE'],
      url: '/in/:id',
      schema: { hide: true },
      handler: () => {
        throw new AppError('method_not_allowed', 'Send webhooks to a source with POST or PUT (GET answers verification challenges).', { headers: { allow: 'GET, HEAD, POST, PUT' } });
      },
    });
    return Promise.resolve();
  });
}
