// PostgreSQL driver on `pg`: a pool for queries and transactions, plus one dedicated
// connection for LISTEN that reconnects by itself. Loaded only for postgres:// URLs.
import pg from 'pg';
import type { Db, SqlExecutor, SqlValue, TransactionOptions } from '../db.js';

// COUNT(*) and BIGINT columns come back as strings by default; every value we store fits in a
// double (epoch milliseconds, sequence numbers).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PostgresOptions {
  poolSize: number;
  /** Called when the LISTEN connection fails; the driver keeps retrying on its own. */
  onListenError?: (err: Error) => void;
}

interface PgStatement {
  name: string;
  text: string;
}

const MAX_TX_ATTEMPTS = 3;

const converted = new Map<string, PgStatement>();
let statementCount = 0;
/**
 * Rewrites `?` placeholders as `$1, $2, …` (our SQL never contains a literal question mark)
 * and names the statement, so each connection parses and plans it once (a prepared statement)
 * instead of on every call: the engine runs the same few statements thousands of times a second.
 */
function toPg(sql: string): PgStatement {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    if (converted.size > 5000) converted.clear();
    out = { name: `hr${(statementCount++).toString(36)}`, text: sql.replace(/\?/g, () => `$${++n}`) };
    converted.set(sql, out);
  }
  return out;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

function executor(client: Queryable): SqlExecutor {
  const query = async (sql: string, params?: readonly SqlValue[]): Promise<pg.QueryResult> => {
    const st = toPg(sql);
    return client.query({ name: st.name, text: st.text, values: params === undefined ? [] : [...params] });
  };
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
}

export function openPostgres(url: string, options: PostgresOptions): Db {
  // A connection attempt that hangs (a server restarting, a dropped network) fails after 10 s
  // instead of holding a request forever; keep-alive notices connections that silently died.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000, keepAlive: true });
  // An idle client that loses its connection (server restart) emits here; the pool replaces it.
  pool.on('error', () => undefined);
  const base = executor(pool);
  const listeners = new Map<string, ((payload: string) => void)[]>();
  let listenClient: pg.Client | null = null;
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;

  const connectListener = async (): Promise<void> => {
    if (closed || listeners.size === 0 || listenClient !== null) return;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, keepAlive: true });
    const retry = (err: Error): void => {
      options.onListenError?.(err);
      if (listenClient === client) listenClient = null;
      client.removeAllListeners();
      void client.end().catch(() => undefined);
      if (!closed && reconnectTimer === null) {
        reconnectTimer = setTimeout(() => {
          reconnectTimer = null;
          void connectListener();
        }, 1000);
        reconnectTimer.unref();
      }
    };
    client.on('error', retry);
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    try {
      await client.connect();
      listenClient = client;
      for (const channel of listeners.keys()) await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
    } catch (err) {
      retry(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const once = async <T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    // The pool listens for errors only on idle clients. A connection lost while this
    // transaction holds the client would otherwise be an unhandled 'error' event, which ends the
    // process; here it only marks the client broken (the pending query fails on its own).
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      // Do not wait for the WAL flush: a crash of the server may lose this commit, never corrupt.
      if (txOptions.durable === false) await client.query('SET LOCAL synchronous_commit = off');
      const result = await fn(executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed; do not return it to the pool
      }
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  };

  return {
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      // A transaction chosen as a deadlock victim, or losing a serialization race, was rolled
      // back whole; running it again is safe and is what a caller would do anyway.
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(fn, txOptions);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (attempt >= MAX_TX_ATTEMPTS || (code !== '40P01' && code !== '40001')) throw err;
        }
      }
    },
    async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
      const existing = listeners.get(channel);
      if (existing !== undefined) existing.push(onMessage);
      else listeners.set(channel, [onMessage]);
      if (listenClient !== null) await listenClient.query(`LISTEN "${channel.replace(/"/g, '')}"`);
      else await connectListener();
    },
    async notify(channel: string, payload: string): Promise<void> {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async ping(): Promise<boolean> {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close(): Promise<void> {
      closed = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      if (listenClient !== null) await listenClient.end().catch(() => undefined);
      await pool.end();
    },
  };
}
