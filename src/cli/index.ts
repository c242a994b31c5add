// The `hookrelay` command line. Every command reads its settings from HOOKRELAY_* variables
// and flags; a bad value stops it with a message naming the variable, and exit code 2.
import { Command, CommanderError } from 'commander';
import { PERMISSIONS, type Permission } from '../api-keys/keys.js';
import { createApiKey } from '../api-keys/routes.js';
import { ConfigError, describeSettings } from '../config.js';
import { createLogger } from '../logger.js';
import { SchemaTooNewError, migrate } from '../store/migrate.js';
import { openDb } from '../store/open.js';
import { createRuntime } from '../runtime.js';
import { VERSION } from '../version.js';
import { addSettingFlags, configFrom } from './options.js';
import { serve } from './serve.js';
import { worker } from './worker.js';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function program(env: NodeJS.ProcessEnv): Command {
  const cli = new Command('hookrelay')
    .description('Self-hosted webhooks gateway: send signed webhooks with retries, receive them durably.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  addSettingFlags(
    cli.command('serve').description('Serve the API, dashboard and inbound endpoints, and deliver webhooks (the default for npm start)').option('--no-dispatch', 'serve only; leave delivery to `hookrelay worker` processes'),
  ).action(async (opts: Record<string, unknown>) => {
    await serve(configFrom(env, opts), { dispatch: opts.dispatch !== false });
  });

  addSettingFlags(
    cli
      .command('worker')
      .description('Deliver webhooks only (no API); run any number of them against one PostgreSQL database')
      .option('--metrics-port <port>', 'also serve /healthz, /readyz and /metrics on this port'),
    ['databaseUrl', 'logLevel', 'host', 'allowHttp', 'allowPrivateNetworks', 'pollIntervalMs', 'sqliteSynchronous', 'leaseGraceMs', 'shutdownTimeoutMs', 'maxInFlight', 'circuitFailureThreshold', 'retentionDeliveredHours', 'retentionFailedHours'],
  ).action(async (opts: Record<string, unknown>) => {
    const port = typeof opts.metricsPort === 'string' ? Number(opts.metricsPort) : null;
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new CommanderError(EXIT.usage, 'hookrelay.metrics-port', `--metrics-port=${String(opts.metricsPort)} is not allowed: expected an integer from 0 to 65535`);
    }
    await worker(configFrom(env, opts), { metricsPort: port });
  });

  addSettingFlags(cli.command('migrate').description('Apply pending database migrations and exit'), ['databaseUrl', 'logLevel', 'sqliteSynchronous']).action(
    async (opts: Record<string, unknown>) => {
      const config = configFrom(env, opts);
      const db = await openDb(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
      try {
        const report = await migrate(db);
        console.log(report.applied.length === 0 ? `Schema is current (version ${report.to}).` : `Applied ${report.applied.join(', ')}; schema is at version ${report.to}.`);
      } finally {
        await db.close();
      }
    },
  );

  const keys = cli.command('keys').description('Manage API keys directly in the database (the server need not run)');
  addSettingFlags(
    keys
      .command('create')
      .description('Create an API key and print it (shown once)')
      .requiredOption('--permissions <list>', `comma-separated: ${PERMISSIONS.join(', ')}`)
      .option('--tenant <id>', 'restrict the key to one tenant')
      .option('--name <name>', 'a label for the key', 'cli')
      .option('--json', 'print JSON'),
    ['databaseUrl', 'logLevel', 'sqliteSynchronous'],
  ).action(async (opts: Record<string, unknown>) => {
    const config = configFrom(env, opts);
    const permissions = String(opts.permissions).split(',').map((p) => p.trim()).filter((p) => p !== '');
    const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
    if (unknown.length > 0 || permissions.length === 0) {
      throw new CommanderError(EXIT.usage, 'hookrelay.permissions', `--permissions: unknown ${unknown.join(', ') || '(empty)'}; choose from ${PERMISSIONS.join(', ')}`);
    }
    const rt = await createRuntime(config, { log: createLogger('error'), role: 'api' });
    try {
      const tenantId = typeof opts.tenant === 'string' ? opts.tenant : null;
      if (tenantId !== null && (await rt.store.tenants.tenantStatus(tenantId)) === 'missing') {
        throw new CommanderError(EXIT.usage, 'hookrelay.tenant', `--tenant: tenant '${tenantId}' does not exist`);
      }
      const { record, key } = await createApiKey(rt, { name: String(opts.name), permissions: permissions as Permission[], tenantId });
      if (opts.json === true) console.log(JSON.stringify({ id: record.id, key, permissions: record.permissions, tenantId }));
      else console.log(`${key}\n\nid ${record.id}, permissions ${record.permissions.join(', ')}${tenantId === null ? '' : `, tenant ${tenantId}`}. The key is not shown again.`);
    } finally {
      await rt.close();
    }
  });

  cli.command('config').description('Print every setting with its environment variable and default').action(() => {
    console.log(describeSettings());
  });

  return cli;
}

/** Runs the CLI; resolves with the exit code (long-running commands resolve only at exit). */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cli = program(env);
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      if (err.code.startsWith('hookrelay.')) console.error(`hookrelay: ${err.message}`);
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ConfigError) {
      console.error(`hookrelay: ${err.message}`);
      return EXIT.usage;
    }
    if (err instanceof SchemaTooNewError) {
      console.error(`hookrelay: ${err.message}`);
      return EXIT.failure;
    }
    console.error(`hookrelay: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.failure;
  }
}
