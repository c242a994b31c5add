// The commands that talk to a running server (send, webhooks, deliveries) and the local
// receiver (listen). Each API command takes --url/--key (or HOOKRELAY_URL/HOOKRELAY_KEY).
import { Command, CommanderError, Option } from 'commander';
import { addApiOptions, ApiClient, connectionFrom } from './client.js';
import { filterFrom, listDeliveries, retryMany, retryOne } from './deliveries.js';
import { listen } from './listen.js';
import { send } from './send.js';
import { createWebhook, listWebhooks, testWebhook } from './webhooks.js';

type Opts = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An integer option parser that reports the flag, the value and the range (exit code 2). */
export function intArg(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new CommanderError(2, 'hookrelay.int', `${flag}=${JSON.stringify(value)} is not allowed: expected an integer from ${min} to ${max}`);
    return n;
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const STATES = ['pending', 'delivering', 'retrying', 'delivered', 'failed', 'canceled'];

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--tenant <id>', 'only this tenant')
    .option('--webhook <id>', 'only this webhook')
    .option('--event <id>', 'only deliveries of this event')
    .option('--type <eventType>', 'only this event type')
    .option('--since <time>', 'created at or after (RFC 3339)')
    .option('--until <time>', 'created before (RFC 3339)');
}

export function addApiCommands(cli: Command, env: NodeJS.ProcessEnv): void {
  const client = (opts: Opts): ApiClient => new ApiClient(connectionFrom(env, opts));

  addApiOptions(
    cli
      .command('send')
      .description('Publish an event to a running server')
      .option('--tenant <id>', 'the tenant (optional for a tenant-restricted key)')
      .requiredOption('--type <eventType>', 'the event type, e.g. invoice.paid')
      .requiredOption('--data <json>', 'the event data: inline JSON, @file.json, or - for stdin')
      .option('--id <id>', 'idempotency id: publishing the same id again sends nothing new')
      .option('--timestamp <time>', 'when it happened (RFC 3339; default now)')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (o: Opts) => {
    await send(client(o), { tenant: str(o.tenant), type: String(o.type), data: String(o.data), id: str(o.id), timestamp: str(o.timestamp), json: o.json === true });
  });

  const webhooks = cli.command('webhooks').description('List, create and test webhooks on a running server');
  addApiOptions(
    webhooks.command('list').description('List webhooks').option('--tenant <id>', 'only this tenant').option('--limit <n>', 'at most this many', intArg('--limit', 1, 100_000), 100).option('--json', 'print JSON'),
  ).action(async (o: Opts) => {
    await listWebhooks(client(o), { ...(typeof o.tenant === 'string' ? { tenant: o.tenant } : {}), limit: Number(o.limit), json: o.json === true });
  });
  addApiOptions(
    webhooks
      .command('create')
      .description('Create a webhook (the server sends it a test event first unless --no-verify)')
      .option('--tenant <id>', 'the tenant (optional for a tenant-restricted key)')
      // --url is the server everywhere, so the webhook's own URL is --endpoint.
      .requiredOption('--endpoint <url>', 'where to deliver, e.g. https://example.com/hooks')
      .option('--name <name>', 'a label', 'cli')
      .option('--events <list>', 'comma-separated event types or patterns (invoice.*, *)', '*')
      .addOption(new Option('--method <method>', 'HTTP method').choices(['POST', 'PUT', 'PATCH', 'GET']))
      .option('--secret <whsec>', 'bring your own signing secret (whsec_…)')
      .option('--header <name:value>', 'a custom header (repeatable)', collect, [])
      .option('--no-verify', 'do not send a test event before creating')
      .option('--json', 'print the created webhook as JSON'),
  ).action(async (o: Opts) => {
    await createWebhook(client(o), {
      ...(typeof o.tenant === 'string' ? { tenant: o.tenant } : {}),
      name: String(o.name), url: String(o.endpoint), events: String(o.events),
      ...(typeof o.method === 'string' ? { method: o.method } : {}),
      ...(typeof o.secret === 'string' ? { secret: o.secret } : {}),
      header: Array.isArray(o.header) ? o.header.map(String) : [], verify: o.verify !== false, json: o.json === true,
    });
  });
  addApiOptions(webhooks.command('test').description('Send a test event to a webhook now (exit code 1 if it is not accepted)').argument('<id>', 'webhook id').option('--json', 'print JSON')).action(
    async (id: string, o: Opts) => {
      if (!(await testWebhook(client(o), id, o.json === true))) throw new Error(`webhook ${id} did not accept the test event`);
    },
  );

  const deliveries = cli.command('deliveries').description('The activity log and the failed queue of a running server');
  addApiOptions(
    addFilterOptions(deliveries.command('list').description('List deliveries, newest first'))
      .addOption(new Option('--state <state>', 'only this state').choices(STATES))
      .option('--limit <n>', 'page size', intArg('--limit', 1, 1000), 50)
      .option('--cursor <cursor>', 'the page after this cursor (printed after a full page)')
      .option('--json', 'print JSON'),
  ).action(async (o: Opts) => {
    await listDeliveries(client(o), { ...filterOptions(o), ...(typeof o.state === 'string' ? { state: o.state } : {}), limit: Number(o.limit), ...(typeof o.cursor === 'string' ? { cursor: o.cursor } : {}), json: o.json === true });
  });
  addApiOptions(
    addFilterOptions(
      deliveries
        .command('retry')
        .description('Send one delivery again (by id), or requeue every delivery that matches the filters, with progress')
        .argument('[id]', 'a delivery id; without it, the filters select the deliveries'),
    )
      .addOption(new Option('--state <state>', 'which deliveries to requeue in bulk').choices(['failed', 'canceled', 'delivered']).default('failed'))
      .option('--all', 'with no filter: requeue the whole failed queue')
      .option('--json', 'print JSON'),
  ).action(async (id: string | undefined, o: Opts) => {
    if (id !== undefined) {
      await retryOne(client(o), id, o.json === true);
      return;
    }
    const filter = filterFrom(filterOptions(o));
    if (Object.keys(filter).length === 0 && o.all !== true) {
      throw new CommanderError(2, 'hookrelay.retry', 'no delivery id and no filter: this would requeue every matching delivery; pass --all to confirm, or narrow it with --webhook, --tenant, --since…');
    }
    await retryMany(client(o), { state: String(o.state) as 'failed', ...filter }, o.json === true);
  });

  cli
    .command('listen')
    .description('Run a local webhook receiver that prints each delivery and checks its signature (for development)')
    .option('--port <port>', 'port to listen on (0 = any free port)', intArg('--port', 0, 65535), 4000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--secret <whsec>', 'the webhook\'s signing secret: verify every delivery with it')
    .option('--status <code>', 'status to answer', intArg('--status', 200, 599), 204)
    .option('--reject-invalid', 'answer 401 when a signature does not verify (so the sender retries)')
    .option('--tolerance <seconds>', 'accepted clock difference for webhook-timestamp', intArg('--tolerance', 1, 86_400), 300)
    .option('--json', 'print one JSON object per delivery')
    .action(async (o: Opts) => {
      const secret = str(o.secret) ?? null;
      if (secret !== null && !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new CommanderError(2, 'hookrelay.secret', '--secret must look like whsec_<base64>, as shown when the webhook was created');
      await listen({ port: Number(o.port), host: String(o.host), secret, status: Number(o.status), rejectInvalid: o.rejectInvalid === true, toleranceSeconds: Number(o.tolerance), json: o.json === true });
    });
}

function filterOptions(o: Opts): { tenant?: string; webhook?: string; event?: string; type?: string; since?: string; until?: string } {
  const out: Record<string, string> = {};
  for (const name of ['tenant', 'webhook', 'event', 'type', 'since', 'until']) {
    const v = o[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
