import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqlite } from './driver.js';
import { WalSync } from './wal-sync.js';

describe('WalSync', () => {
  it('serves every commit finished before a sync started with that one sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walsync-'));
    try {
      const wal = join(dir, 'x.db-wal');
      writeFileSync(wal, 'frames');
      const s = new WalSync(wal);
      await s.sync();
      assert.equal(s.syncs, 1);
      // 50 callers while none is running: the first starts a sync, the other 49 arrive during
      // it and share the next one.
      await Promise.all(Array.from({ length: 50 }, () => s.sync()));
      assert.ok(s.syncs <= 3, `expected at most 2 more fdatasync calls, made ${s.syncs - 1}`);
      await s.close();
      await assert.rejects(s.sync(), /closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves when no WAL file exists yet: nothing was written to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walsync-'));
    try {
      const s = new WalSync(join(dir, 'missing.db-wal'));
      await s.sync();
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with FULL durability the driver commits durable, autocommit and relaxed writes through the WAL, all visible after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walsync-'));
    const path = join(dir, 'x.db');
    try {
      const db = openSqlite(path, { synchronous: 'FULL' });
      await db.exec('CREATE TABLE t (x INTEGER)');
      await db.transaction((tx) => tx.run('INSERT INTO t (x) VALUES (1)'));
      await db.run('INSERT INTO t (x) VALUES (2)');
      await db.transaction((tx) => tx.run('INSERT INTO t (x) VALUES (3)'), { durable: false });
      // A second connection (as after a crash and restart) sees every committed row.
      const other = new Database(path, { readonly: true });
      assert.deepEqual(other.prepare('SELECT x FROM t ORDER BY x').pluck().all(), [1, 2, 3]);
      assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
      other.close();
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
