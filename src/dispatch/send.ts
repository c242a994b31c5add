// Send and classify: one HTTP exchange under an exact deadline (AbortSignal.timeout covers
// connect, headers and the response excerpt), redirects not followed, and the result as a
// tagged union. Only the first 4 KiB of a response body are read; the rest is discarded.
import type { Agent } from 'undici';
import type { PreparedRequest } from './request.js';
import { parseRetryAfter } from './backoff.js';

export const EXCERPT_BYTES = 4096;

export type ErrorClass = 'timeout' | 'connection_refused' | 'connection_reset' | 'dns' | 'tls' | 'blocked_address' | 'network';

export type SendOutcome =
  | {
      kind: 'response';
      startedAt: number;
      durationMs: number;
      status: number;
      headers: Record<string, string>;
      excerpt: string;
      retryAfterMs: number | null;
    }
  | { kind: 'error'; startedAt: number; durationMs: number; errorClass: ErrorClass; message: string };

export function isSuccess(status: number, successStatuses: readonly number[] | null): boolean {
  return successStatuses === null ? status >= 200 && status < 300 : successStatuses.includes(status);
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return '';
}

export function classifyError(err: unknown, timedOut: boolean): { errorClass: ErrorClass; message: string } {
  if (timedOut) return { errorClass: 'timeout', message: 'timeout' };
  const code = errorCode(err);
  const text = err instanceof Error ? err.message : String(err);
  if (code === 'EHOOKRELAY_PRIVATE_ADDRESS') return { errorClass: 'blocked_address', message: text };
  if (code === 'ECONNREFUSED') return { errorClass: 'connection_refused', message: 'connection refused' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return { errorClass: 'connection_reset', message: 'connection reset by the endpoint' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { errorClass: 'dns', message: `host not found (${code})` };
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('SSL') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return { errorClass: 'tls', message: `TLS error (${code})` };
  }
  return { errorClass: 'network', message: code === '' ? text : `${code}: ${text}` };
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= EXCERPT_BYTES) break;
  }
  if (size >= EXCERPT_BYTES) body.destroy();
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}

export async function send(agent: Agent, req: PreparedRequest, timeoutMs: number, now: () => number): Promise<SendOutcome> {
  const startedAt = now();
  const started = performance.now();
  // A plain timer and controller: AbortSignal.timeout costs far more per request.
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const url = new URL(req.url);
  try {
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
    const excerpt = await readExcerpt(res.body);
    const durationMs = Math.round(performance.now() - started);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, 1000);
    }
    return {
      kind: 'response',
      startedAt,
      durationMs,
      status: res.statusCode,
      headers,
      excerpt,
      // Relative to when the answer was complete, which is when the retry is scheduled from.
      retryAfterMs: parseRetryAfter(headers['retry-after'], startedAt + durationMs),
    };
  } catch (err) {
    return { kind: 'error', startedAt, durationMs: Math.round(performance.now() - started), ...classifyError(err, signal.aborted) };
  } finally {
    clearTimeout(timer);
  }
}
