// A hookrelay application for tests: a real database (SQLite file, or PostgreSQL when asked),
// the real app driven through inject(), an admin key, and helpers to call the API.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createApiKey } from '../../src/api-keys/routes.js';
import type { Permission } from '../../src/api-keys/keys.js';
import type { Clock } from '../../src/clock.js';
import { testConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { tempPostgres, tempSqlite, type TempDb } from './db.js';

/** A JSON object as returned by the API; tests name the shape they expect with `call<T>`. */
export type Body = Record<string, unknown>;

export interface Reply<T> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
  raw: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}

export interface TestApp {
  rt: Runtime;
  app: FastifyInstance;
  adminKey: string;
  db: TempDb;
  /** Calls the API with a key (the admin key by default) and parses JSON. */
  call<T = Body>(method: string, url: string, body?: unknown, key?: string | null, headers?: Record<string, string>): Promise<Reply<T>>;
  key(permissions: Permission[], tenantId?: string | null): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Where logs go (default: silent, or HOOKRELAY_TEST_LOG's level to stdout). */
  log?: Logger;
  config?: Partial<{ -readonly [K in keyof Config]: Config[K] }>;
  clock?: Clock;
  random?: () => number;
  postgres?: boolean;
  engine?: boolean;
}

export async function testApp(options: TestAppOptions = {}): Promise<TestApp> {
  // HOOKRELAY_TEST_DB=postgres runs every app-level suite against PostgreSQL instead of SQLite.
  const usePostgres = options.postgres ?? process.env.HOOKRELAY_TEST_DB === 'postgres';
  const db = usePostgres ? await tempPostgres() : tempSqlite();
  const config = testConfig({ databaseUrl: db.url, allowHttp: true, allowPrivateNetworks: true, logLevel: 'silent', sqliteSynchronous: 'NORMAL', ...options.config });
  const rt = await createRuntime(config, {
    log: options.log ?? createLogger(process.env.HOOKRELAY_TEST_LOG ?? 'silent'),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
    role: 'test',
  });
  const app = await buildApp(rt);
  if (options.engine === true) await rt.startEngine();
  const { key: adminKey } = await createApiKey(rt, { name: 'test admin', permissions: ['admin'], tenantId: null });

  const call = async <T = Body>(method: string, url: string, body?: unknown, key: string | null = adminKey, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    let parsed: T;
    try {
      parsed = (res.body === '' ? null : JSON.parse(res.body)) as T;
    } catch {
      parsed = res.body as T;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers, raw: res.body };
  };

  return {
    rt,
    app,
    adminKey,
    db,
    call,
    async key(permissions, tenantId = null) {
      return (await createApiKey(rt, { name: 'test', permissions, tenantId })).key;
    },
    async close() {
      await app.close();
      await rt.close();
      await db.cleanup();
    },
  };
}
