// Background upkeep of one node, on a timer, each job in small steps so none of them stalls
// delivery: return expired leases to the queue (a dead node's work), record this node's
// heartbeat, and purge what retention allows.
import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PurgeCutoffs } from '../store/maintenance.js';
import type { DeliveryNote } from '../store/outcomes.js';
import type { Store } from '../store/store.js';

const TICK_MS = 1000;
const HEARTBEAT_MS = 5000;
const RETENTION_EVERY_MS = 10_000;
const PURGE_BATCH = 1000;
// A short slice per round keeps the event loop free for deliveries; a round that runs out of
// time is followed by another on the next tick instead of waiting RETENTION_EVERY_MS.
const PURGE_BUDGET_MS = 20;

export interface MaintenanceOptions {
  store: Store;
  clock: Clock;
  config: Config;
  log: Logger;
  nodeId: string;
  role: string;
  version: string;
  /** Webhooks whose leased work came back to the queue. */
  onReclaimed: (webhookIds: readonly string[]) => void;
  /** Deliveries an open circuit held past their retry window, now in the failed queue. */
  onExpired: (notes: readonly DeliveryNote[]) => void;
}

export class Maintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastHeartbeat = 0;
  private lastRetention = 0;
  private lastExpiry = 0;
  private purgeBehind = false;
  private readonly cursors = { deliveries: 0, attempts: 0, events: 0 };
  private readonly startedAt: number;

  constructor(private readonly o: MaintenanceOptions) {
    this.startedAt = o.clock.now();
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      if (this.running === null) {
        this.running = this.tick().finally(() => {
          this.running = null;
        });
      }
    }, TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.running !== null) await this.running;
    await this.o.store.dispatch.removeNode(this.o.nodeId).catch(() => undefined);
  }

  /** One round of upkeep; exposed so tests can run it without waiting for the timer. */
  async tick(): Promise<void> {
    const now = this.o.clock.now();
    try {
      const reclaimed = await this.o.store.transaction((tx) => tx.dispatch.reclaimExpiredLeases(now), { durable: false });
      if (reclaimed.count > 0) {
        this.o.log.warn({ deliveries: reclaimed.count, webhooks: reclaimed.webhookIds.length }, 'expired leases returned to the queue');
        this.o.onReclaimed(reclaimed.webhookIds);
      }
      if (now - this.lastHeartbeat >= HEARTBEAT_MS) {
        this.lastHeartbeat = now;
        await this.o.store.dispatch.heartbeat({ id: this.o.nodeId, kind: this.o.role, hostname: hostname(), pid: process.pid, version: this.o.version, startedAt: this.startedAt, heartbeatAt: now });
      }
      if (now - this.lastExpiry >= RETENTION_EVERY_MS) {
        this.lastExpiry = now;
        await this.expireHeld(now);
      }
      if (this.purgeBehind || now - this.lastRetention >= RETENTION_EVERY_MS) {
        this.lastRetention = now;
        await this.retention(now);
      }
    } catch (err) {
      this.o.log.error({ err }, 'maintenance round failed');
    }
  }

  /** Fails deliveries that open circuits held past their retry window. */
  async expireHeld(now: number): Promise<number> {
    const notes = await this.o.store.transaction((tx) => tx.dispatch.expireHeld(now), { durable: false });
    if (notes.length > 0) {
      this.o.log.warn({ deliveries: notes.length }, 'deliveries held by an open circuit past their retry window moved to the failed queue');
      this.o.onExpired(notes);
    }
    return notes.length;
  }

  /** Purges in batches along each table's key until the time budget is spent. */
  async retention(now: number, budgetMs = PURGE_BUDGET_MS): Promise<{ deliveries: number; attempts: number; events: number; inboundRequests: number }> {
    const cutoffs: PurgeCutoffs = {
      deliveredBefore: now - this.o.config.retentionDeliveredHours * 3_600_000,
      failedBefore: now - this.o.config.retentionFailedHours * 3_600_000,
    };
    const deleted = { deliveries: 0, attempts: 0, events: 0, inboundRequests: 0 };
    const until = performance.now() + budgetMs;
    this.purgeBehind = false;
    const m = this.o.store.maintenance;
    const steps = [
      ['deliveries', m.purgeDeliveries],
      ['attempts', m.purgeAttempts],
      ['events', m.purgeEvents],
    ] as const;
    for (const [table, purge] of steps) {
      while (performance.now() < until) {
        const step = await purge(this.cursors[table], cutoffs, PURGE_BATCH);
        deleted[table] += step.deleted;
        if (step.nextSeq === null) {
          this.cursors[table] = 0;
          break;
        }
        this.cursors[table] = step.nextSeq;
      }
    }
    // Received inbound requests are kept as long as delivered work.
    while (performance.now() < until) {
      const n = await this.o.store.sources.purgeRequests(cutoffs.deliveredBefore, PURGE_BATCH);
      deleted.inboundRequests += n;
      if (n < PURGE_BATCH) break;
    }
    this.purgeBehind = performance.now() >= until;
    if (deleted.deliveries + deleted.attempts + deleted.events + deleted.inboundRequests > 0) this.o.log.info(deleted, 'retention purge');
    return deleted;
  }
}
