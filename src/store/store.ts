// The Store: every read and write hookrelay makes, as named operations over one driver port.
// The SQLite and PostgreSQL adapters are the two `Db` drivers; the SQL is shared, so both run
// the same contract suite (store.contract.ts). Operations take the tenant scope explicitly, so
// a restricted key cannot reach another tenant's rows by construction.
import type { Db, Dialect, SqlExecutor, TransactionOptions } from './db.js';
import { apiKeyOps } from './api-keys.js';
import { deliveryOps } from './deliveries.js';
import { dispatchOps } from './dispatch.js';
import { eventTypeOps } from './event-types.js';
import { eventOps } from './events.js';
import { healthOps } from './health.js';
import { sourceOps } from './sources.js';
import { statsOps } from './stats.js';
import { maintenanceOps } from './maintenance.js';
import { tenantOps } from './tenants.js';
import { webhookOps } from './webhooks.js';

// `never[]` accepts every operation's parameter list (parameters are contravariant).
type Operation = (db: SqlExecutor, ...args: never[]) => unknown;
type Callable = (db: SqlExecutor, ...args: unknown[]) => unknown;
type Bound<M extends Record<string, Operation>> = {
  [K in keyof M]: M[K] extends (db: SqlExecutor, ...args: infer A) => infer R ? (...args: A) => R : never;
};

const MODULES = {
  tenants: tenantOps,
  eventTypes: eventTypeOps,
  apiKeys: apiKeyOps,
  webhooks: webhookOps,
  events: eventOps,
  deliveries: deliveryOps,
  dispatch: dispatchOps,
  maintenance: maintenanceOps,
  health: healthOps,
  sources: sourceOps,
  stats: statsOps,
};

export type StoreOps = { readonly [M in keyof typeof MODULES]: Bound<(typeof MODULES)[M]> };

export interface Store extends StoreOps {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction; `tx` offers the same operations. */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>, options?: TransactionOptions): Promise<T>;
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

function bindModule<M extends Record<string, Operation>>(module: M, db: SqlExecutor): Bound<M> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(module)) {
    const call = fn as Callable;
    out[name] = (...args: unknown[]) => call(db, ...args);
  }
  return out as Bound<M>;
}

function bindAll(db: SqlExecutor): StoreOps {
  return {
    tenants: bindModule(MODULES.tenants, db),
    eventTypes: bindModule(MODULES.eventTypes, db),
    apiKeys: bindModule(MODULES.apiKeys, db),
    webhooks: bindModule(MODULES.webhooks, db),
    events: bindModule(MODULES.events, db),
    deliveries: bindModule(MODULES.deliveries, db),
    dispatch: bindModule(MODULES.dispatch, db),
    maintenance: bindModule(MODULES.maintenance, db),
    health: bindModule(MODULES.health, db),
    sources: bindModule(MODULES.sources, db),
    stats: bindModule(MODULES.stats, db),
  };
}

export function createStore(db: Db): Store {
  return {
    ...bindAll(db),
    dialect: db.dialect,
    transaction: (fn, options) => db.transaction((tx) => fn(bindAll(tx)), options),
    listen: (channel, onMessage) => db.listen(channel, onMessage),
    notify: (channel, payload) => db.notify(channel, payload),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}
