// Opens the database named by a URL. The PostgreSQL driver (and `pg`) is loaded only for a
// postgres:// URL, so the default SQLite deployment never imports it.
import type { Db } from './db.js';
import { migrate, type MigrationReport } from './migrate.js';
import { openSqlite } from './sqlite/driver.js';
import { createStore, type Store } from './store.js';

export interface OpenOptions {
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export async function openDb(url: string, options: OpenOptions): Promise<Db> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), { synchronous: options.sqliteSynchronous });
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { openPostgres } = await import('./postgres/driver.js');
    return openPostgres(url, { poolSize: options.poolSize ?? 10 });
  }
  throw new Error(`Unsupported database URL '${url}': use sqlite:<path> or postgres://…`);
}

export async function openStore(url: string, options: OpenOptions): Promise<{ store: Store; migration: MigrationReport | null }> {
  const db = await openDb(url, options);
  try {
    const migration = options.migrate === false ? null : await migrate(db);
    return { store: createStore(db), migration };
  } catch (err) {
    await db.close();
    throw err;
  }
}
