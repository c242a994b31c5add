// createRuntime(config): everything a hookrelay process needs, built in dependency order and
// closed in reverse. Building it never listens on a port; src/cli does that.
import type { Agent } from 'undici';
import { ApiKeyCache } from './http/auth.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { TokenCache } from './dispatch/auth/oauth2.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { createAgent } from './dispatch/http-client.js';
import { Sender } from './dispatch/sender.js';
import { inProcessTransport, threadTransport } from './dispatch/transport.js';
import { AppError } from './errors.js';
import { EventTypeCache } from './event-types/validator.js';
import { Ingestor } from './events/ingest.js';
import { newId } from './ids.js';
import { createLogger, type Logger } from './logger.js';
import { Maintenance } from './maintenance/loop.js';
import { Metrics } from './metrics.js';
import { OperationalEvents } from './ops/events.js';
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
  readonly metrics: Metrics;
  readonly eventTypes: EventTypeCache;
  readonly apiKeys: ApiKeyCache;
  readonly ingestor: Ingestor;
  readonly work: WorkBus;
  readonly agent: Agent;
  readonly tokens: TokenCache;
  readonly sender: Sender;
  readonly migration: MigrationReport | null;
  /** The engine, once started in this process. */
  dispatcher: Dispatcher | null;
  maintenance: Maintenance | null;
  /** Sends a webhook's verification event; throws a 400 problem when the endpoint refuses it. */
  verifyEndpoint(webhook: Webhook): Promise<void>;
  /** Starts the delivery engine (dispatcher, lease reclaimer, retention) in this process. */
  startEngine(): Promise<void>;
  /** Stops the engine (draining in-flight work) and closes what the runtime opened, in reverse order. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Role of this process, recorded with its heartbeat. */
  role?: 'serve' | 'worker' | 'api' | 'test';
  metrics?: Metrics;
}

function describeFailure(attempt: { status: number | null; error: string | null; responseExcerpt: string | null }): string {
  if (attempt.status === null) return `could not be reached: ${attempt.error ?? 'unknown error'}`;
  const body = (attempt.responseExcerpt ?? '').trim().slice(0, 300);
  return `answered HTTP ${attempt.status}${body === '' ? '' : `: ${body}`}`;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const role = options.role ?? 'serve';
  const metrics = options.metrics ?? new Metrics(role !== 'test');
  const { store, migration } = await openStore(config.databaseUrl, { sqliteSynchronous: config.sqliteSynchronous });
  const nodeId = newId('node');
  const work = new WorkBus(store, log);
  await work.start();
  // Up to 4 ingest groups at once: while one waits for its durable sync (WAL fsync on SQLite,
  // the commit round trip on PostgreSQL), the next group is already being written.
  const ingestor = new Ingestor(store, clock, log.child({ component: 'ingest' }), (done) => {
    for (const [source, n] of Object.entries(done.byOrigin)) if (n > 0) metrics.eventsIngested.inc({ source }, n);
    work.announce(done.webhookIds);
  }, 4);
  const agent = createAgent({ allowPrivateNetworks: config.allowPrivateNetworks });
  const tokens = new TokenCache(agent, clock, log.child({ component: 'oauth2' }), metrics);
  const now = (): number => clock.now();
  const transport = config.senderThreads > 0
    ? threadTransport(config.senderThreads, { allowPrivateNetworks: config.allowPrivateNetworks }, now, log.child({ component: 'sender' }))
    : inProcessTransport(agent, now);
  const sender = new Sender({ transport, tokens, clock, random, nodeId, metrics, circuitFailureThreshold: config.circuitFailureThreshold });

  let engineStarting = false;
  const rt: Runtime = {
    config, store, log, clock, random, nodeId, version: VERSION, metrics,
    eventTypes: new EventTypeCache(store, clock),
    apiKeys: new ApiKeyCache(store, clock),
    ingestor, work, agent, tokens, sender, migration,
    dispatcher: null,
    maintenance: null,
    async verifyEndpoint(webhook) {
      const res = await sender.sendTest(webhook);
      if (!res.ok) {
        throw new AppError('webhook_verification_failed', `The endpoint ${describeFailure(res.attempt)}. Nothing was created; fix the endpoint (it must answer 2xx to a test event) or create the webhook with "verify": false.`, {
          extensions: { endpointStatus: res.attempt.status, endpointError: res.attempt.error },
        });
      }
    },
    async startEngine() {
      if (rt.dispatcher !== null || engineStarting) return;
      engineStarting = true;
      // Deliveries start once the sender thread can take them, not a thread boot later.
      await transport.start();
      const ops = new OperationalEvents(ingestor, rt.eventTypes, clock, log.child({ component: 'ops-events' }));
      const dispatcher = new Dispatcher({
        store, sender, clock, random, metrics, nodeId,
        log: log.child({ component: 'dispatcher' }),
        pollIntervalMs: config.pollIntervalMs,
        leaseGraceMs: config.leaseGraceMs,
        maxInFlight: config.maxInFlight,
        onReport: (report) => {
          for (const s of report.signals) metrics.circuitTransitions.inc({ to: s.signal.kind === 'circuit_opened' ? 'open' : 'closed' });
          for (const d of report.disabled) log.warn({ webhookId: d.webhookId, tenantId: d.tenantId, reason: d.reason, failedDeliveries: d.failedCount }, 'webhook disabled');
          ops.fromReport(report);
        },
        onExpired: (webhookId, tenantId, expired) =>
          ops.deliveriesFailed(expired.map((d) => ({ deliveryId: d.id, webhookId, tenantId, eventId: d.eventId, eventType: d.eventType, attempts: d.attempts, lastStatus: null, lastError: null, reason: 'retries_exhausted' }))),
      });
      const maintenance = new Maintenance({
        store, clock, config, nodeId, role, version: VERSION,
        log: log.child({ component: 'maintenance' }),
        onReclaimed: (ids) => dispatcher.wake(ids),
        onExpired: (notes) => ops.deliveriesFailed(notes),
      });
      work.onWork((ids) => dispatcher.wake(ids));
      rt.dispatcher = dispatcher;
      rt.maintenance = maintenance;
      dispatcher.start();
      maintenance.start();
    },
    async close() {
      const steps: [string, () => Promise<void>][] = [
        ['dispatcher', async () => rt.dispatcher?.stop(clock.now() + config.shutdownTimeoutMs)],
        ['maintenance', async () => rt.maintenance?.stop()],
        ['sender threads', () => transport.close()],
        ['http client', () => agent.close()],
        ['store', () => store.close()],
      ];
      // Every step runs even if an earlier one fails.
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (err) {
          log.error({ err, step: name }, 'shutdown step failed');
        }
      }
    },
  };
  return rt;
}
