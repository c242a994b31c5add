// The CLI's HTTP client for a running server's /api/v1. Where to connect comes from --url and
// --key, else HOOKRELAY_URL and HOOKRELAY_KEY. An error answer becomes an ApiError carrying the
// problem+json the server sent, so the CLI can print the server's own explanation.
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { USER_AGENT } from '../version.js';

export const DEFAULT_URL = 'http://localhost:8080';

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    const head = `${problem.status} ${problem.title ?? 'error'}${problem.code === undefined ? '' : ` (${problem.code})`}`;
    const lines = [problem.detail === undefined ? head : `${head}: ${problem.detail}`];
    for (const e of problem.errors ?? []) if (e.message !== problem.detail) lines.push(`  ${e.field}: ${e.message}`);
    super(lines.join('\n'));
    this.name = 'ApiError';
  }
}

export interface Connection {
  url: string;
  key: string;
}

/** Adds --url and --key to a command that talks to the API. */
export function addApiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `server address [HOOKRELAY_URL, default ${DEFAULT_URL}]`)
    .option('--key <key>', 'API key [HOOKRELAY_KEY]');
}

export function connectionFrom(env: NodeJS.ProcessEnv, opts: Record<string, unknown>): Connection {
  const url = (typeof opts.url === 'string' ? opts.url : env.HOOKRELAY_URL) ?? DEFAULT_URL;
  const key = typeof opts.key === 'string' ? opts.key : env.HOOKRELAY_KEY;
  if (!/^https?:\/\/[^/]/.test(url)) throw new CommanderError(2, 'hookrelay.url', `--url=${JSON.stringify(url)} is not an http(s) URL, e.g. ${DEFAULT_URL}`);
  if (key === undefined || key === '') {
    throw new CommanderError(2, 'hookrelay.key', 'an API key is needed: pass --key hr_… or set HOOKRELAY_KEY (create one with `hookrelay keys create`)');
  }
  return { url: url.replace(/\/+$/, ''), key };
}

export type Query = Record<string, string | number | boolean | undefined>;

export class ApiClient {
  constructor(readonly connection: Connection) {}

  /** Calls /api/v1`path`; resolves with the parsed body and the response headers. */
  async call(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<{ body: unknown; headers: Headers }> {
    const url = new URL(`${this.connection.url}/api/v1${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.connection.key}`, 'user-agent': USER_AGENT, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new Error(`cannot reach the server at ${this.connection.url} (${cause}); is it running? Set --url or HOOKRELAY_URL.`, { cause: err });
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) {
      const problem = isProblem(parsed) ? parsed : { status: res.status, title: res.statusText, detail: text.slice(0, 300) };
      throw new ApiError(problem);
    }
    return { body: parsed, headers: res.headers };
  }

  // The server's OpenAPI schema defines each answer; callers name the shape they read.
  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.call('GET', path, query === undefined ? {} : { query })).body as T;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.call('POST', path, body === undefined ? {} : { body })).body as T;
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path);
  }

  /** Every item of a paginated list, following nextCursor. */
  async *pages<T>(path: string, query: Query): AsyncGenerator<T[]> {
    let cursor: string | undefined;
    do {
      const page = await this.get<{ data: T[]; nextCursor: string | null }>(path, { ...query, cursor });
      yield page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number';
}
