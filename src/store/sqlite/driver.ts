// SQLite driver on better-sqlite3 (synchronous). One connection in WAL mode. Every operation
// goes through a tiny async mutex so a transaction that awaits between statements is never
// interleaved with another caller's statements on the same connection.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import type { Db, SqlExecutor, SqlValue, TransactionOptions } from '../db.js';
import { startCheckpointer } from './checkpointer.js';
import { WalSync } from './wal-sync.js';

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
  const mode = raw.pragma('journal_mode = WAL', { simple: true });
  // FULL durability comes from WalSync (an fdatasync off the event loop) rather than from an
  // fsync inside every COMMIT; without a WAL file (":memory:") there is nothing to sync.
  const walSync = options.synchronous === 'FULL' && mode === 'wal' && path !== ':memory:' ? new WalSync(`${path}-wal`) : null;
  raw.pragma(`synchronous = ${walSync === null ? options.synchronous : 'NORMAL'}`);
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

  // A statement outside a transaction commits on its own: when it writes, it resolves only
  // once that commit is durable, like a durable transaction.
  const writes = (sql: string | null): boolean => {
    if (sql === null) return true;
    try {
      return !prepare(sql).readonly;
    } catch {
      return false; // bad SQL: the statement itself rejects
    }
  };
  const autocommit = <R>(sql: string | null, op: () => Promise<R>): Promise<R> => {
    const result = guarded(op);
    if (walSync === null || !writes(sql)) return result;
    return result.then(async (value) => {
      await walSync.sync();
      return value;
    });
  };

  return {
    dialect: 'sqlite',
    all: (sql, params) => autocommit(sql, () => direct.all(sql, params)),
    get: (sql, params) => autocommit(sql, () => direct.get(sql, params)),
    run: (sql, params) => autocommit(sql, () => direct.run(sql, params)),
    exec: (sql) => autocommit(null, () => direct.exec(sql)),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      await mutex.acquire();
      // Without WalSync, a relaxed transaction turns the per-commit fsync off for itself; in
      // WAL mode the next FULL commit (or a checkpoint) syncs the log, earlier commits included.
      const relaxed = txOptions.durable === false && walSync === null && options.synchronous === 'FULL';
      let result: T;
      try {
        if (relaxed) raw.exec('PRAGMA synchronous = NORMAL');
        raw.exec('BEGIN IMMEDIATE');
        try {
          result = await fn(direct);
          raw.exec('COMMIT');
        } catch (err) {
          if (raw.inTransaction) raw.exec('ROLLBACK');
          throw err;
        }
      } finally {
        if (relaxed) raw.exec('PRAGMA synchronous = FULL');
        mutex.release();
      }
      // The connection is free for the next transaction while this one's sync runs.
      if (walSync !== null && txOptions.durable !== false) await walSync.sync();
      return result;
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
        await walSync?.close();
        await checkpointer?.close();
      } finally {
        mutex.release();
      }
    },
  };
}
