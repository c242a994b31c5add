// `hookrelay keys …` wiring: flags for both ways of reaching the keys (see keys.ts).
import type { Command } from 'commander';
import { PERMISSIONS } from '../api-keys/keys.js';
import type { ConfigKey } from '../config.js';
import { addApiOptions } from './client.js';
import { createKey, keysTarget, listKeys, parsePermissions, revokeKey } from './keys.js';
import { addSettingFlags, configFrom } from './options.js';

const DATABASE_FLAGS: readonly ConfigKey[] = ['databaseUrl', 'logLevel', 'sqliteSynchronous'];

type Opts = Record<string, unknown>;

export function addKeysCommands(cli: Command, env: NodeJS.ProcessEnv): void {
  const keys = cli
    .command('keys')
    .description('Manage API keys: through a running server with --url/HOOKRELAY_URL, else directly in the database (the server need not run)');
  const both = (cmd: Command): Command => addApiOptions(addSettingFlags(cmd, DATABASE_FLAGS));
  const target = (o: Opts): ReturnType<typeof keysTarget> => keysTarget(env, o, () => configFrom(env, o));

  both(
    keys
      .command('create')
      .description('Create an API key and print it (shown once)')
      .requiredOption('--permissions <list>', `comma-separated: ${PERMISSIONS.join(', ')}`)
      .option('--tenant <id>', 'restrict the key to one tenant')
      .option('--name <name>', 'a label for the key', 'cli')
      .option('--json', 'print JSON'),
  ).action(async (o: Opts) => {
    const permissions = parsePermissions(String(o.permissions));
    await createKey(target(o), { permissions, tenant: typeof o.tenant === 'string' ? o.tenant : null, name: String(o.name), json: o.json === true });
  });

  both(keys.command('list').description('List active API keys (never the keys themselves)').option('--json', 'print JSON')).action(async (o: Opts) => {
    await listKeys(target(o), o.json === true);
  });

  both(keys.command('revoke').description('Revoke an API key by id').argument('<id>', 'the key id (key_…), as shown by keys list').option('--json', 'print JSON')).action(
    async (id: string, o: Opts) => {
      await revokeKey(target(o), id, o.json === true);
    },
  );
}
