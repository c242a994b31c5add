// The store contract on PostgreSQL: a fresh database per case on the local server. Skipped,
// saying why, when no server answers (a failure instead under HOOKRELAY_TEST_REQUIRE_PG=1).
import { test } from 'node:test';
import { skipPostgres, tempPostgres } from '../../test/helpers/db.js';
import { migrate } from './migrate.js';
import { openDb } from './open.js';
import { storeContract } from './store.contract.js';
import { createStore } from './store.js';

const skip = await skipPostgres();
if (skip !== false) {
  test('store contract (postgres)', { skip }, () => undefined);
} else {
  storeContract('postgres', async () => {
    const tmp = await tempPostgres();
    const db = await openDb(tmp.url, { sqliteSynchronous: 'NORMAL', poolSize: 4 });
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      await tmp.cleanup();
      throw err;
    }
    return {
      store: createStore(db),
      db,
      async cleanup() {
        await db.close();
        await tmp.cleanup();
      },
    };
  });
}
