// What the database holds, read through the store, so API tests can assert that a refused
// request changed nothing (not only that it answered with an error).
import { ALL_TENANTS } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

const ALL = { limit: 1_000_000 };

export interface Snapshot {
  counts: { tenants: number; eventTypes: number; webhooks: number; events: number; deliveries: number; apiKeys: number; activeApiKeys: number };
  /** Each row's identity and version fields, so an update is seen as well as an insert. */
  rows: string;
}

export async function snapshot(store: Store): Promise<Snapshot> {
  const tenants = (await store.tenants.listTenants(ALL_TENANTS, ALL)).data;
  const eventTypes = (await store.eventTypes.listEventTypes(ALL)).data;
  const webhooks = (await store.webhooks.listWebhooks(ALL_TENANTS, {}, ALL)).data;
  const events = (await store.events.listEvents(ALL_TENANTS, {}, ALL)).data;
  const deliveries = (await store.deliveries.listDeliveries(ALL_TENANTS, {}, ALL)).data;
  const activeApiKeys = (await store.apiKeys.listApiKeys(ALL_TENANTS, ALL)).data;
  return {
    counts: {
      tenants: tenants.length,
      eventTypes: eventTypes.length,
      webhooks: webhooks.length,
      events: events.length,
      deliveries: deliveries.length,
      apiKeys: await store.apiKeys.countApiKeys(),
      activeApiKeys: activeApiKeys.length,
    },
    rows: JSON.stringify({
      tenants: tenants.map((t) => [t.id, t.name, t.enabled, t.updatedAt]),
      eventTypes: eventTypes.map((t) => [t.name, t.enabled, t.updatedAt]),
      webhooks: webhooks.map((w) => [w.id, w.version, w.updatedAt, w.secret]),
      deliveries: deliveries.map((d) => [d.id, d.state, d.nextAttemptAt]),
      apiKeys: activeApiKeys.map((k) => k.id),
    }),
  };
}
