// The `hookrelay` command line. Server commands (serve, worker, migrate, keys on the database)
// read their settings from HOOKRELAY_* variables and flags; client commands (send, webhooks,
// deliveries, keys through the API) take --url/--key or HOOKRELAY_URL/HOOKRELAY_KEY; listen
// runs a local receiver. Exit codes: 0 done, 1 failed (the server refused, or could not be
// reached), 2 usage (a bad flag or setting, named in the message).
import { Command, CommanderError } from 'commander';
import { ConfigError, describeSettings } from '../config.js';
import { SchemaTooNewError, migrate } from '../store/migrate.js';
import { openDb } from '../store/open.js';
import { VERSION } from '../version.js';
import { addApiCommands } from './api-commands.js';
import { addKeysCommands } from './keys-commands.js';
import { addSettingFlags, configFrom } from './options.js';
import { serve } from './serve.js';
import { worker } from './worker.js';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function program(env: NodeJS.ProcessEnv): Command {
  const cli = new Command('hookrelay')
    .description('Self-hosted webhooks gateway: send signed webhooks with retries, receive them durably.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  hookrelay serve                                    API, dashboard, inbound and delivery on ./data
  hookrelay keys create --permissions admin          a key, made directly in the database
  export HOOKRELAY_URL=http://localhost:8080 HOOKRELAY_KEY=hr_…
  hookrelay listen --secret whsec_…                  print and verify deliveries on :4000
  hookrelay webhooks create --tenant acme --endpoint http://localhost:4000 --events 'invoice.*'
  hookrelay send --tenant acme --type invoice.paid --data '{"amount":4200}'
  hookrelay deliveries retry --webhook wh_… --since 2026-11-23T00:00:00Z

Exit codes: 0 done, 1 failed (the server refused, or could not be reached), 2 usage error.
Run "hookrelay <command> --help" for a command's options.`,
    );

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

  addKeysCommands(cli, env);
  addApiCommands(cli, env);

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
