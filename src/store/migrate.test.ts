import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempSqlite } from '../../test/helpers/db.js';
import { loadMigrations, migrate } from './migrate.js';
import { openSqlite } from './sqlite/driver.js';

describe('migration files', () => {
  it('sqlite and postgres have the same numbers and names, in order', () => {
    const names = (dialect: 'sqlite' | 'postgres') => loadMigrations(dialect).map((m) => `${m.version}_${m.name}`);
    const sqlite = names('sqlite');
    assert.ok(sqlite.length > 0);
    assert.deepEqual(names('postgres'), sqlite);
    assert.deepEqual(loadMigrations('sqlite').map((m) => m.version), sqlite.map((_, i) => i + 1), 'numbered 1, 2, 3… without gaps');
  });

  it('a fresh database gets every migration in one run', async () => {
    const tmp = tempSqlite();
    const db = openSqlite(tmp.url.slice('sqlite:'.length), { synchronous: 'NORMAL' });
    try {
      const all = loadMigrations('sqlite');
      const report = await migrate(db);
      assert.deepEqual(report, { from: 0, to: all.at(-1)?.version, applied: all.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`) });
    } finally {
      await db.close();
      await tmp.cleanup();
    }
  });
});
