// `hookrelay send`: publish one event to a running server. --data takes inline JSON, @file.json,
// or - for standard input; --id makes the publish idempotent (sending it again is a no-op).
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import type { ApiClient } from './client.js';
import { printJson } from './output.js';

export interface SendOptions {
  tenant: string | undefined;
  type: string;
  data: string;
  id: string | undefined;
  timestamp: string | undefined;
  json: boolean;
}

/** Reads --data: `@path` is a file, `-` is stdin, anything else is the JSON itself. */
export function readData(arg: string, stdin: () => string = () => readFileSync(0, 'utf8')): unknown {
  let text: string;
  let from: string;
  if (arg === '-') {
    text = stdin();
    from = 'standard input';
  } else if (arg.startsWith('@')) {
    from = arg.slice(1);
    try {
      text = readFileSync(from, 'utf8');
    } catch (err) {
      throw new CommanderError(2, 'hookrelay.data', `--data ${arg}: cannot read ${from} (${err instanceof Error ? err.message : String(err)})`);
    }
  } else {
    text = arg;
    from = 'the argument';
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CommanderError(2, 'hookrelay.data', `--data: ${from} is not valid JSON (${err instanceof Error ? err.message : String(err)}); pass JSON, @file.json or -`);
  }
}

export async function send(client: ApiClient, o: SendOptions): Promise<void> {
  const data = readData(o.data);
  const body = {
    ...(o.tenant === undefined ? {} : { tenantId: o.tenant }),
    type: o.type,
    ...(o.id === undefined ? {} : { id: o.id }),
    ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
    data,
  };
  const res = await client.call('POST', '/events', { body });
  const published = res.body as { id: string; deliveries: number };
  const replayed = res.headers.get('idempotent-replayed') === 'true';
  if (o.json) {
    printJson({ ...published, replayed });
    return;
  }
  const to = `${published.deliveries} webhook${published.deliveries === 1 ? '' : 's'}`;
  console.log(replayed ? `Event ${published.id} was already published (same id): nothing new was sent; it went to ${to}.` : `Published event ${published.id} (${o.type}) to ${to}.`);
}
