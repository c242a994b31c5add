// The one suite of Store behaviours that every adapter runs (store.sqlite.test.ts,
// store.postgres.test.ts). `open` returns a freshly migrated, empty database for each case,
// with its driver (`db`) so a case can arrange rows no store operation writes (a delivery in
// the failed queue) and run the migrator against it.
import { describe } from 'node:test';
import { deliveryContract } from './contract/deliveries.contract.js';
import { eventContract } from './contract/events.contract.js';
import type { OpenStore } from './contract/fixtures.contract.js';
import { migrationContract } from './contract/migrations.contract.js';
import { tenantContract } from './contract/tenants.contract.js';
import { webhookContract } from './contract/webhooks.contract.js';

export type { OpenStore, StoreSubject } from './contract/fixtures.contract.js';

export function storeContract(name: string, open: OpenStore): void {
  describe(`store contract (${name})`, () => {
    migrationContract(open);
    tenantContract(open);
    webhookContract(open);
    eventContract(open);
    deliveryContract(open);
  });
}
