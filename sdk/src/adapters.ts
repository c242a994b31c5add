// Thin receivers for Node's http, Express-style and Fastify servers. Each reads the raw body
// itself (or takes the bytes a raw-body parser kept) and verifies it before your handler runs,
// so the mistake of verifying re-serialised JSON cannot happen: a body that some middleware has
// already parsed into an object is refused with an explanation instead of "verified".
//
// Answers: 204 when every event was handled; 401 when the signature or timestamp is wrong; 400
// for a body that is not JSON; 413 over maxBodyBytes; 500 when your handler throws (so the
// sender retries; it is at-least-once, so deduplicate on event.id).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { verifySignature, WebhookVerificationError, type VerifyOptions, type WebhookEvent, type WebhookPayload } from './verify.js';

export interface EventContext {
  /** The webhook-id header: the event id, or the batch id for a batch. */
  messageId: string;
  /** webhook-timestamp, in seconds. */
  timestamp: number;
  /** True when the event arrived in a batch (a JSON array). */
  batch: boolean;
}

/** Called once per event, in order (once per element of a batch). */
export type OnEvent = (event: WebhookEvent, context: EventContext) => void | Promise<void>;

export interface ReceiverOptions extends VerifyOptions {
  /** Larger bodies are refused with 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /** Told about every refused request and handler failure (the sender is told only the status). */
  onError?: (err: unknown) => void;
}

class HttpRefusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readStream(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpRefusal(413, `The body is larger than ${limit} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Verifies, parses and hands each event to `onEvent`; resolves with the status to answer. */
export async function receive(raw: Buffer, headers: IncomingHttpHeaders, secret: string | readonly string[], onEvent: OnEvent, options: ReceiverOptions): Promise<number> {
  try {
    const { id, timestamp } = verifySignature(raw, headers, secret, options);
    let payload: WebhookPayload;
    try {
      payload = JSON.parse(raw.toString('utf8')) as WebhookPayload;
    } catch {
      throw new HttpRefusal(400, 'The body is signed but is not JSON.');
    }
    const events: WebhookEvent[] = Array.isArray(payload) ? payload : [payload];
    const batch = Array.isArray(payload);
    for (const event of events) await onEvent(event, { messageId: id, timestamp, batch });
    return 204;
  } catch (err) {
    options.onError?.(err);
    if (err instanceof WebhookVerificationError) return 401;
    if (err instanceof HttpRefusal) return err.status;
    return 500;
  }
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 204 ? {} : { 'content-type': 'text/plain; charset=utf-8' });
  res.end(status === 204 ? undefined : statusText(status));
}

function statusText(status: number): string {
  switch (status) {
    case 401: return 'signature verification failed';
    case 400: return 'body is not JSON';
    case 413: return 'body too large';
    default: return 'the receiver could not handle this webhook';
  }
}

/** For `http.createServer(nodeHandler(secret, onEvent))` (or as one route of your own server). */
export function nodeHandler(secret: string | readonly string[], onEvent: OnEvent, options: ReceiverOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return (req, res) => {
    readStream(req, limit)
      .then((raw) => receive(raw, req.headers, secret, onEvent, options))
      .then(
        (status) => answer(res, status),
        (err: unknown) => {
          options.onError?.(err);
          answer(res, err instanceof HttpRefusal ? err.status : 500);
        },
      );
  };
}

/** The parts of an Express-style request the adapter uses (express, connect, polka, …). */
export interface ExpressLikeRequest extends IncomingMessage {
  body?: unknown;
}

/**
 * Express-style middleware: `app.post('/webhooks', expressWebhook(secret, onEvent))`. Mount it
 * before express.json(), or behind express.raw({ type: 'application/json' }); a body already
 * parsed into an object is refused with 500 and a message saying so, never verified.
 */
export function expressWebhook(secret: string | readonly string[], onEvent: OnEvent, options: ReceiverOptions = {}): (req: ExpressLikeRequest, res: ServerResponse, next?: (err?: unknown) => void) => void {
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  return (req, res) => {
    const body = req.body;
    let raw: Promise<Buffer>;
    if (Buffer.isBuffer(body)) raw = Promise.resolve(body);
    else if (typeof body === 'string') raw = Promise.resolve(Buffer.from(body, 'utf8'));
    else if (!req.readableEnded) raw = readStream(req, limit);
    else {
      const err = new Error('hookrelay: the request body was already parsed (e.g. by express.json()), so its signature cannot be checked. Mount expressWebhook before the JSON parser, or use express.raw({ type: "application/json" }) on this route.');
      options.onError?.(err);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(err.message);
      return;
    }
    raw
      .then((bytes) => receive(bytes, req.headers, secret, onEvent, options))
      .then(
        (status) => answer(res, status),
        (err: unknown) => {
          options.onError?.(err);
          answer(res, err instanceof HttpRefusal ? err.status : 500);
        },
      );
  };
}
