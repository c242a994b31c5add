// SQLite driver on better-sqlite3 (synchronous). One connection in WAL mode. Every operation
// goes through a tiny async mutex so a transaction that awaits between statements is never
// interleaved with another caller's statements on the same connection.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import type { Db, SqlExecutor, SqlValue, TransactionOptions } from '../db.js';
import { startCheckpointer } from './checkpointer.js';

const require = createRequire(import.meta.url);

export interface SqliteOptions {
  /** FULL survives power loss; NORMAL survives process crashes only. */
  synchronous: 'FULL' | 'NORMAL';
}

class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  get busy(): boolean {
    return this.locked;
  }
  async acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.locked = false;
    else next();
  }
}

export function openSqlite(path: string, options: SqliteOptions): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  // 16 MiB of page cache: the hot pages are the partial lifecycle indexes and the newest rows;
  // more only grows RSS (64 MiB put a 1,000,000-delivery drain near 300 MB).
  raw.pragma('cache_size = -16384');
  raw.pragma('temp_store = MEMORY');
  raw.defaultSafeIntegers(false);
  const checkpointer = path === ':memory:' ? null : startCheckpointer(path, require.resolve('better-sqlite3'), () => undefined);
  if (checkpointer !== null) raw.pragma('wal_autocheckpoint = 0');

  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = statements.get(sql);
    if (st === undefined) {
      st = raw.prepare(sql);
      statements.set(sql, st);
    }
    return st;
  };
  const args = (params: readonly SqlValue[] | undefined): SqlValue[] => (params === undefined ? [] : [...params]);
  // better-sqlite3 throws synchronously (bad SQL, constraint violations, a closed database);
  // callers of this async port expect a rejected promise instead.
  const settle = <R>(fn: () => R): Promise<R> => new Promise<R>((resolve) => {
    resolve(fn());
  });

  const direct: SqlExecutor = {
    dialect: 'sqlite',
    all: <T>(sql: string, params?: readonly SqlValue[]) => settle(() => prepare(sql).all(...args(params)) as T[]),
    get: <T>(sql: string, params?: readonly SqlValue[]) => settle(() => prepare(sql).get(...args(params)) as T | undefined),
    run: (sql: string, params?: readonly SqlValue[]) => settle(() => ({ changes: prepare(sql).run(...args(params)).changes })),
    exec: (sql: string) => settle(() => {
      raw.exec(sql);
    }),
  };

  const mutex = new Mutex();
  // Outside a transaction a statement runs at once when nobody holds the connection, and
  // waits its turn otherwise.
  const guarded = <R>(op: () => Promise<R>): Promise<R> => {
    if (!mutex.busy) return op();
    return mutex.acquire().then(async () => {
      try {
        return await op();
      } finally {
        mutex.release();
      }
    });
  };

  return {
    dialect: 'sqlite',
    all: (sql, params) => guarded(() => direct.all(sql, params)),
    get: (sql, params) => guarded(() => direct.get(sql, params)),
    run: (sql, params) => guarded(() => direct.run(sql, params)),
    exec: (sql) => guarded(() => direct.exec(sql)),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      await mutex.acquire();
      // In WAL mode synchronous=NORMAL commits without fsync; the next FULL commit (or a
      // checkpoint) syncs the log, earlier commits included.
      const relaxed = txOptions.durable === false && options.synchronous === 'FULL';
      try {
        if (relaxed) raw.exec('PRAGMA synchronous = NORMAL');
        raw.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          raw.exec('COMMIT');
          return result;
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      } finally {
        if (relaxed) raw.exec('PRAGMA synchronous = FULL');
        mutex.release();
      }
    },
    listen: () => Promise.resolve(),
    notify: () => Promise.resolve(),
    ping: () => Promise.resolve(raw.open),
    close: async () => {
      await mutex.acquire();
      try {
        if (raw.open) {
          raw.pragma('optimize');
          raw.close();
        }
        await checkpointer?.close();
      } finally {
        mutex.release();
      }
    },
  };
}
