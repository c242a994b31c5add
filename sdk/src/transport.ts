// One HTTP call per API operation, with the retries that are always safe: a 429 or 503 is a
// refusal before any work was done (rate limit, back-pressure, a node shutting down), so any
// operation is sent again after the server's Retry-After; a lost connection or a timeout is
// retried only for operations that cannot apply twice (reads, and publishes, which always
// carry an idempotency id).
import { ConnectionError, ProblemError, toProblem } from './errors.js';
import { OPERATIONS, RETRY_SAFE, type OperationName, type Operations } from './operations.js';

export interface ClientOptions {
  /** The server's base URL, e.g. https://hooks.example.com (without /api/v1). */
  url: string;
  /** An API key (hr_…). */
  apiKey: string;
  /** Retries after 429/503 (and lost connections, where safe). Default 2. */
  maxRetries?: number;
  /** A Retry-After longer than this is not waited for: the ProblemError is thrown at once. Default 30 000. */
  maxRetryDelayMs?: number;
  /** Per request. Default 30 000. */
  timeoutMs?: number;
  /** A fetch implementation (default: the global fetch of Node 18+). */
  fetch?: typeof fetch;
}

export interface CallInput {
  params?: Record<string, string>;
  query?: object;
  body?: unknown;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills `{name}` placeholders; a missing or empty value is a programming error, not a 404. */
export function fillPath(template: string, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`hookrelay: '${name}' is required for ${template}`);
    return encodeURIComponent(value);
  });
}

export function queryString(query: object = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  const s = search.toString();
  return s === '' ? '' : `?${s}`;
}

function retryAfterMs(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (value === null) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export class Transport {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly maxRetryDelayMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    if (!/^https?:\/\//.test(options.url)) throw new TypeError(`hookrelay: url must be http(s)://…, got ${JSON.stringify(options.url)}`);
    if (options.apiKey === '') throw new TypeError('hookrelay: apiKey is required');
    this.base = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
    this.maxRetries = options.maxRetries ?? 2;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async call<K extends OperationName>(operation: K, input: CallInput = {}): Promise<Operations[K]['response']> {
    const [method, template] = OPERATIONS[operation];
    const url = `${this.base}${fillPath(template, input.params)}${queryString(input.query)}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    const body = input.body === undefined ? null : JSON.stringify(input.body);

    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (err) {
        if (RETRY_SAFE.has(operation) && attempt < this.maxRetries) {
          await sleep(250 * 2 ** attempt * (0.5 + Math.random()));
          continue;
        }
        const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        throw new ConnectionError(`${method} ${url} failed without an answer: ${why}`, { cause: err });
      }
      const text = await res.text();
      if (res.ok) return (text === '' ? undefined : JSON.parse(text)) as Operations[K]['response'];

      const wait = retryAfterMs(res.headers);
      if ((res.status === 429 || res.status === 503) && attempt < this.maxRetries) {
        const delay = wait ?? 1000 * 2 ** attempt;
        if (delay <= this.maxRetryDelayMs) {
          await sleep(delay);
          continue;
        }
      }
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text for the message
      }
      throw new ProblemError(toProblem(res.status, res.statusText, parsed), wait === null ? null : Math.ceil(wait / 1000));
    }
  }
}
