// Contract: the schema is migrated once, re-running is a no-op, and a newer schema is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadMigrations, migrate, SchemaTooNewError } from '../migrate.js';
import { using, type OpenStore } from './fixtures.contract.js';

export function migrationContract(open: OpenStore): void {
  describe('migrations', () => {
    it('records every migration of the dialect in schema_migrations', using(open, async ({ db }) => {
      const expected = loadMigrations(db.dialect);
      assert.ok(expected.length > 0);
      const rows = await db.all<{ version: number; name: string; applied_at: number }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => ({ version: r.version, name: r.name })), expected.map((m) => ({ version: m.version, name: m.name })));
      assert.ok(rows.every((r) => r.applied_at > 0));
    }));

    it('running migrate again applies nothing and changes nothing', using(open, async ({ db, store }) => {
      const latest = loadMigrations(db.dialect).at(-1)!.version;
      const before = await db.all<{ version: number; applied_at: number }>('SELECT version, applied_at FROM schema_migrations ORDER BY version');
      const report = await migrate(db);
      assert.deepEqual(report, { from: latest, to: latest, applied: [] });
      assert.deepEqual(await db.all('SELECT version, applied_at FROM schema_migrations ORDER BY version'), before);
      assert.equal(await store.ping(), true);
    }));

    it('applies only the pending migrations, and records them', using(open, async ({ db }) => {
      const known = loadMigrations(db.dialect);
      const latest = known.at(-1)!.version;
      const extra = { version: latest + 1, name: 'contract_extra', sql: 'CREATE TABLE contract_extra (id INTEGER PRIMARY KEY)' };
      const report = await migrate(db, [...known, extra]);
      assert.deepEqual(report, { from: latest, to: latest + 1, applied: [`${String(latest + 1).padStart(4, '0')}_contract_extra`] });
      assert.deepEqual(await db.all('SELECT id FROM contract_extra'), []);
      // The code that does not know the extra migration now refuses this database.
      await assert.rejects(migrate(db), SchemaTooNewError);
    }));

    it('a failing migration leaves nothing half-applied', using(open, async ({ db }) => {
      const known = loadMigrations(db.dialect);
      const latest = known.at(-1)!.version;
      const broken = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half_done (id INTEGER); THIS IS NOT SQL;' };
      await assert.rejects(migrate(db, [...known, broken]));
      const row = await db.get<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
      assert.equal(Number(row?.v), latest);
      await assert.rejects(db.all('SELECT * FROM half_done'));
    }));

    it('refuses a database whose schema is newer than the code, and changes nothing', using(open, async ({ db }) => {
      const latest = loadMigrations(db.dialect).at(-1)!.version;
      await db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [latest + 1, 'from_the_future', Date.now()]);
      await assert.rejects(migrate(db), (err: unknown) => {
        assert.ok(err instanceof SchemaTooNewError);
        assert.equal(err.databaseVersion, latest + 1);
        assert.equal(err.codeVersion, latest);
        assert.match(err.message, new RegExp(`version ${latest + 1}.*\\(${latest}\\)`));
        return true;
      });
      const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.equal(Number(rows.at(-1)?.version), latest + 1);
    }));
  });
}
