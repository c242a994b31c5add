// A Fastify plugin that receives webhooks. Fastify parses JSON before a handler runs, which
// would leave only a re-serialisable object; so the plugin, in its own encapsulated scope,
// replaces the body parsers with one that keeps the raw bytes, and verifies those:
//
//   await app.register(fastifyWebhook({ secret, onEvent }), { prefix: '/webhooks' });
//
// Fastify is not a dependency: the plugin is typed by the few methods it uses.
import type { IncomingMessage } from 'node:http';
import { receive, type OnEvent, type ReceiverOptions } from './adapters.js';

export interface FastifyWebhookOptions extends ReceiverOptions {
  secret: string | readonly string[];
  onEvent: OnEvent;
  /** Route path inside the plugin's prefix. Default '/'. */
  path?: string;
}

interface RequestLike {
  body: unknown;
  raw: IncomingMessage;
}

interface ReplyLike {
  code(status: number): ReplyLike;
  type(contentType: string): ReplyLike;
  send(payload?: string): ReplyLike;
}

/** The methods of a Fastify instance the plugin uses. */
export interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: RequestLike, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => void,
  ): void;
  post(path: string, handler: (request: RequestLike, reply: ReplyLike) => Promise<ReplyLike>): unknown;
}

export function fastifyWebhook(options: FastifyWebhookOptions): (instance: FastifyLike, opts: unknown, done: (err?: Error) => void) => void {
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return (instance, _opts, done) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, next) => {
      next(null, body);
    });
    instance.post(options.path ?? '/', async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const status = await receive(raw, request.raw.headers, options.secret, options.onEvent, options);
      if (status === 204) return reply.code(204).send();
      return reply.code(status).type('text/plain; charset=utf-8').send(status === 401 ? 'signature verification failed' : 'the receiver could not handle this webhook');
    });
    done();
  };
}
