// `hookrelay deliveries list|retry`: the activity log and the failed queue of a running server.
import { CommanderError } from 'commander';
import { bulkRetry, type RetryFilter } from './bulk-retry.js';
import type { ApiClient } from './client.js';
import { orDash, printJson, printTable, progress } from './output.js';

interface DeliveryView {
  id: string;
  eventId: string;
  webhookId: string;
  tenantId: string;
  eventType: string;
  state: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  failedReason: string | null;
}

/** The filter flags shared by list and retry, as API field names. */
export interface FilterFlags {
  tenant?: string;
  webhook?: string;
  event?: string;
  type?: string;
  since?: string;
  until?: string;
}

export function filterFrom(o: FilterFlags): Omit<RetryFilter, 'state'> {
  for (const [flag, value] of [['--since', o.since], ['--until', o.until]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new CommanderError(2, 'hookrelay.time', `${flag} ${JSON.stringify(value)} is not a time; use RFC 3339, e.g. 2026-11-23T10:00:00Z`);
  }
  const iso = (v: string | undefined): string | undefined => (v === undefined ? undefined : new Date(v).toISOString());
  const out: Omit<RetryFilter, 'state'> = {};
  if (o.tenant !== undefined) out.tenantId = o.tenant;
  if (o.webhook !== undefined) out.webhookId = o.webhook;
  if (o.event !== undefined) out.eventId = o.event;
  if (o.type !== undefined) out.eventType = o.type;
  const since = iso(o.since);
  const until = iso(o.until);
  if (since !== undefined) out.since = since;
  if (until !== undefined) out.until = until;
  return out;
}

export async function listDeliveries(client: ApiClient, o: FilterFlags & { state?: string; limit: number; cursor?: string; json: boolean }): Promise<void> {
  const page = await client.get<{ data: DeliveryView[]; nextCursor: string | null }>('/deliveries', { ...filterFrom(o), state: o.state, limit: o.limit, cursor: o.cursor });
  if (o.json) {
    printJson(page);
    return;
  }
  printTable(
    ['ID', 'STATE', 'TRIES', 'CREATED', 'TENANT', 'WEBHOOK', 'EVENT TYPE', 'EVENT', 'LAST'],
    page.data.map((d) => [
      d.id, d.state, String(d.attempts), d.createdAt, d.tenantId, d.webhookId, d.eventType, d.eventId,
      d.lastStatus !== null ? `HTTP ${d.lastStatus}` : orDash(d.failedReason ?? d.lastError),
    ]),
    'No deliveries match.',
  );
  if (page.nextCursor !== null) console.log(`\nMore: --cursor ${page.nextCursor}`);
}

export async function retryOne(client: ApiClient, id: string, json: boolean): Promise<void> {
  const d = await client.post<DeliveryView>(`/deliveries/${encodeURIComponent(id)}/retry`);
  if (json) printJson(d);
  else console.log(`Requeued delivery ${d.id} (${d.eventType} to ${d.webhookId}); it is ${d.state} and will be sent now.`);
}

export async function retryMany(client: ApiClient, filter: RetryFilter, json: boolean): Promise<void> {
  const tty = process.stderr.isTTY && !json;
  const bar = progress('Requeueing');
  let countingShown = false;
  const report = await bulkRetry(
    client,
    filter,
    (n) => {
      if (!tty) return;
      countingShown = true;
      process.stderr.write(`\rCounting matching deliveries… ${n}`);
    },
    (done, total) => {
      if (json) return;
      if (countingShown) process.stderr.write('\n');
      countingShown = false;
      bar.update(done, total);
    },
  );
  if (countingShown) process.stderr.write('\n');
  if (json) {
    printJson(report);
    return;
  }
  bar.finish();
  if (report.counted === 0) console.log(`Nothing to retry: no ${filter.state} deliveries match.`);
  else console.log(`Requeued ${report.requeued} ${filter.state} deliveries${report.progress ? '' : ' (no progress shown: the key cannot list deliveries)'}.`);
}
