// Real databases for tests: a fresh SQLite file per call, and a fresh PostgreSQL database per
// call on the local server (dropped afterwards). PostgreSQL tests skip, saying why, when no
// server answers, unless HOOKRELAY_TEST_REQUIRE_PG=1 (set by CI) makes that a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.HOOKRELAY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempDb {
  url: string;
  cleanup(): Promise<void>;
}

export function tempSqlite(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'hookrelay-test-'));
  return {
    url: `sqlite:${join(dir, 'hookrelay.db')}`,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

let pgAvailable: Promise<string | null> | null = null;

/** null when PostgreSQL answers; otherwise why it cannot be used. */
export function postgresUnavailable(): Promise<string | null> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (err) {
      return `PostgreSQL at ${PG_ADMIN_URL} is not reachable (${err instanceof Error ? err.message : String(err)})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

/** The reason to skip PostgreSQL tests, or false to run them (throws when CI requires them). */
export async function skipPostgres(): Promise<string | false> {
  const why = await postgresUnavailable();
  if (why === null) return false;
  if (process.env.HOOKRELAY_TEST_REQUIRE_PG === '1') throw new Error(`${why}; HOOKRELAY_TEST_REQUIRE_PG=1 requires it`);
  console.log(`# skipping PostgreSQL tests: ${why}`);
  return why;
}

export async function tempPostgres(): Promise<TempDb> {
  const name = `hookrelay_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
