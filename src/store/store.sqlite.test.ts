import { tempSqlite } from '../../test/helpers/db.js';
import { migrate } from './migrate.js';
import { openSqlite } from './sqlite/driver.js';
import { storeContract } from './store.contract.js';
import { createStore } from './store.js';

storeContract('sqlite', async () => {
  const tmp = tempSqlite();
  const db = openSqlite(tmp.url.slice('sqlite:'.length), { synchronous: 'NORMAL' });
  await migrate(db);
  return {
    store: createStore(db),
    db,
    async cleanup() {
      await db.close();
      await tmp.cleanup();
    },
  };
});
