// createRuntime(config): everything a hookrelay process needs, built in dependency order and
// closed in reverse. Building it never listens on a port; src/cli does that.
import { hostname } from 'node:os';
import { ApiKeyCache } from './http/auth.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { EventTypeCache } from './event-types/validator.js';
import { Ingestor } from './events/ingest.js';
import { newId } from './ids.js';
import { createLogger, type Logger } from './logger.js';
import type { MigrationReport } from './store/migrate.js';
import { openStore } from './store/open.js';
import type { Webhook } from './store/records.js';
import type { Store } from './store/store.js';
import { VERSION } from './version.js';
import { WorkBus } from './work-bus.js';

export interface Runtime {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly nodeId: string;
  readonly version: string;
  readonly eventTypes: EventTypeCache;
  readonly apiKeys: ApiKeyCache;
  readonly ingestor: Ingestor;
  readonly work: WorkBus;
  readonly migration: MigrationReport | null;
  /** Sends a webhook's verification event; throws a 400 problem when the endpoint refuses it. */
  verifyEndpoint(webhook: Webhook): Promise<void>;
  /** Starts the delivery engine (dispatcher, lease reclaimer, retention) in this process. */
  startEngine(): Promise<void>;
  /** Closes what the runtime opened, in reverse order. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Role of this process, recorded with its heartbeat. */
  role?: 'serve' | 'worker' | 'api' | 'test';
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const { store, migration } = await openStore(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
  const nodeId = newId('node');
  const work = new WorkBus(store, log);
  await work.start();
  const ingestor = new Ingestor(store, clock, log.child({ component: 'ingest' }), (done) => work.announce(done.webhookIds), store.dialect === 'postgres' ? 4 : 1);

  const closers: (() => Promise<void>)[] = [() => store.close()];
  return {
    config,
    store,
    log,
    clock,
    random: options.random ?? Math.random,
    nodeId,
    version: VERSION,
    eventTypes: new EventTypeCache(store, clock),
    apiKeys: new ApiKeyCache(store, clock),
    ingestor,
    work,
    migration,
    verifyEndpoint: () => Promise.resolve(),
    startEngine: () => Promise.resolve(),
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

export const HOSTNAME = hostname();
