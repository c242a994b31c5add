// `hookrelay webhooks list|create|test`: webhooks on a running server.
import { CommanderError } from 'commander';
import type { ApiClient } from './client.js';
import { orDash, printJson, printTable } from './output.js';

interface WebhookView {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  method: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  secret?: string;
}

interface TestResult {
  ok: boolean;
  attempt: { status: number | null; durationMs: number; error: string | null; url: string; responseExcerpt: string | null };
}

export async function listWebhooks(client: ApiClient, o: { tenant?: string; limit: number; json: boolean }): Promise<void> {
  const all: WebhookView[] = [];
  for await (const page of client.pages<WebhookView>('/webhooks', { tenantId: o.tenant, limit: Math.min(o.limit, 1000) })) {
    all.push(...page);
    if (all.length >= o.limit) break;
  }
  const shown = all.slice(0, o.limit);
  if (o.json) {
    printJson(shown);
    return;
  }
  printTable(
    ['ID', 'TENANT', 'NAME', 'ENABLED', 'EVENT TYPES', 'URL'],
    shown.map((w) => [w.id, w.tenantId, w.name, w.enabled ? 'yes' : `no (${orDash(w.disabledReason)})`, w.eventTypes.join(','), `${w.method} ${w.url}`]),
    'No webhooks.',
  );
}

export interface CreateOptions {
  tenant?: string;
  name: string;
  url: string;
  events: string;
  method?: string;
  secret?: string;
  header: string[];
  verify: boolean;
  json: boolean;
}

/** `Name: value` pairs from repeated --header flags. */
export function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf(':');
    if (i <= 0) throw new CommanderError(2, 'hookrelay.header', `--header ${JSON.stringify(pair)}: expected "Name: value"`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

export async function createWebhook(client: ApiClient, o: CreateOptions): Promise<void> {
  const headers = parseHeaders(o.header);
  const body = {
    ...(o.tenant === undefined ? {} : { tenantId: o.tenant }),
    name: o.name,
    url: o.url,
    eventTypes: o.events.split(',').map((e) => e.trim()).filter((e) => e !== ''),
    ...(o.method === undefined ? {} : { method: o.method.toUpperCase() }),
    ...(o.secret === undefined ? {} : { secret: o.secret }),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    verify: o.verify,
  };
  const w = await client.post<WebhookView>('/webhooks', body);
  if (o.json) {
    printJson(w);
    return;
  }
  console.log(`Created webhook ${w.id} (${w.name}) for tenant ${w.tenantId}: ${w.method} ${w.url}, event types ${w.eventTypes.join(', ')}.`);
  console.log(`Signing secret: ${w.secret ?? '(not returned)'}`);
  console.log('Verify deliveries with it, e.g. `hookrelay listen --secret <secret>`.');
}

/** Sends a test event now; resolves false when the endpoint did not accept it. */
export async function testWebhook(client: ApiClient, id: string, json: boolean): Promise<boolean> {
  const r = await client.post<TestResult>(`/webhooks/${encodeURIComponent(id)}/test`);
  if (json) printJson(r);
  else {
    const a = r.attempt;
    const outcome = a.status === null ? `could not be reached: ${orDash(a.error)}` : `answered ${a.status}`;
    console.log(`${r.ok ? 'OK' : 'FAILED'}: ${a.url} ${outcome} in ${a.durationMs} ms.`);
    if (!r.ok && a.responseExcerpt !== null && a.responseExcerpt !== '') console.log(`Response: ${a.responseExcerpt.slice(0, 500)}`);
  }
  return r.ok;
}
