// Numbered, append-only migrations per dialect (migrations/<dialect>/NNNN_name.sql). All
// pending ones run in one transaction under a lock that serialises nodes starting at once
// (SQLite's write lock; a PostgreSQL advisory lock), and a database newer than this code is
// refused rather than guessed at.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, Dialect } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

// src/store/migrate.ts and dist/store/migrate.js both sit two levels below the package root.
const MIGRATIONS_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');
const ADVISORY_LOCK_KEY = 7_242_015_001;

export function loadMigrations(dialect: Dialect, root = MIGRATIONS_ROOT): Migration[] {
  const dir = join(root, dialect);
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

export class SchemaTooNewError extends Error {
  constructor(readonly databaseVersion: number, readonly codeVersion: number) {
    super(
      `The database schema is at version ${databaseVersion}, newer than this hookrelay understands (${codeVersion}). ` +
        'Upgrade hookrelay on this node instead of running an older release against a newer database.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

export async function migrate(db: Db, migrations: Migration[] = loadMigrations(db.dialect)): Promise<MigrationReport> {
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [ADVISORY_LOCK_KEY]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = row?.v ?? 0;
    if (current > latest) throw new SchemaTooNewError(current, latest);
    const applied: string[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.exec(m.sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
    }
    return { from: current, to: Math.max(current, latest), applied };
  });
}
