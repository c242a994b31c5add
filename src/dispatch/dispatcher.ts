// The delivery engine of one node: claim → send → record, round after round.
//
// Node states:
//   running  — the pump claims due work in fair order and starts requests; completions are
//              recorded in groups, which frees slots and runs the pump again.
//   draining — stop() was called: no new claims; requests in flight finish (until the
//              deadline), their outcomes are recorded, then leases still held are released.
//   stopped  — nothing runs.
//
// A webhook, as this node sees it:
//   idle      — not in `due`: nothing known to do. A wake (ingest or requeue here, NOTIFY from
//               another node, a completion) or the poll of webhook_state.due_at brings it back.
//   due       — dueAt ≤ now: claimed when its tenant's turn comes.
//   waiting   — dueAt > now: a retry time, a batch filling up, a rate-limit refill, a circuit
//               probe or a Retry-After pause; a timer wakes the pump then.
//   claiming  — its claim transaction is running (at most one per webhook per node).
//   saturated — its requests in flight here reached its limit: claimed again once enough of
//               them complete (a quarter of the limit), so claims stay batch-sized.
//
// Fairness: each pump walks tenants round-robin, one claim per tenant per round, and each
// claim takes at most QUANTUM requests (SHARED_QUANTUM while several tenants are sending), so a
// tenant with a huge backlog gets its share of the node while every other tenant's new events
// are claimed in the same rounds.
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClaimResult, ClaimedDelivery } from '../store/claim.js';
import type { Completion, CompletionReport } from '../store/outcomes.js';
import type { Store } from '../store/store.js';
import { Recorder } from './recorder.js';
import type { Sender } from './sender.js';

const QUANTUM = 64;
// While more than one tenant is sending, claims are smaller: a node spends its event loop in
// turns of one claim's requests (their sends, answers and outcome commits), so a tenant
// draining a backlog at full speed would otherwise make every other tenant's new event wait
// behind 64 of its deliveries per turn. Costs the backlog some throughput only while others
// have work; a node with one busy tenant keeps full-size claims.
const SHARED_QUANTUM = 16;
const ACTIVE_TENANT_MS = 1000;

export interface DispatcherOptions {
  store: Store;
  sender: Sender;
  clock: Clock;
  random: () => number;
  log: Logger;
  metrics: Metrics;
  nodeId: string;
  pollIntervalMs: number;
  leaseGraceMs: number;
  maxInFlight: number;
  /** Outcomes worth telling the tenant about (circuit changes, disabled webhooks, failed deliveries). */
  onReport?: (report: CompletionReport) => void;
  onExpired?: (webhookId: string, tenantId: string, deliveries: readonly ClaimedDelivery[]) => void;
}

interface DueEntry {
  dueAt: number;
  tenantId: string;
  /** After a claim that found nothing it could take, wait this long unless woken. */
  notBefore: number;
  /**
   * The endpoint is held until then (circuit open, Retry-After pause, empty token bucket): new
   * work does not change that, so wake-ups and polls do not claim before it. Trusted for at most
   * HOLD_TRUST_MS, in case another node's outcome lifted the hold earlier.
   */
  heldUntil: number;
}

const HOLD_TRUST_MS = 5000;
const TIMED_HOLDS: ReadonlySet<string> = new Set(['circuit_open', 'paused', 'rate_limited']);

interface LocalWebhook {
  /** Requests of this node still waiting for the endpoint. */
  inFlight: number;
  /**
   * Requests of this node that finished but whose outcome is not committed yet: their rows are
   * still `delivering`, but the endpoint is free of them, so claims do not count them.
   */
  settled: number;
  limit: number;
  tenantId: string;
}

export class Dispatcher {
  private state: 'idle' | 'running' | 'draining' | 'stopped' = 'idle';
  private readonly due = new Map<string, DueEntry>();
  private readonly local = new Map<string, LocalWebhook>();
  private readonly claiming = new Set<string>();
  private inFlight = 0;
  private pumping = false;
  private pumpAgain = false;
  private pumpScheduled = false;
  private lastPoll = 0;
  private timer: NodeJS.Timeout | null = null;
  private tenantCursor = '';
  private readonly lastSentAt = new Map<string, number>();
  private readonly recorder: Recorder;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: DispatcherOptions) {
    this.recorder = new Recorder(o.store, o.clock, o.random, o.log.child({ component: 'recorder' }), (group, report) => this.recorded(group, report));
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.lastPoll = 0;
    this.schedulePump();
  }

  /** New work for these webhooks (committed on this node, or announced by another). */
  wake(webhookIds: readonly string[]): void {
    if (this.state !== 'running') return;
    const now = this.o.clock.now();
    if (webhookIds.length === 0) this.lastPoll = 0;
    for (const id of webhookIds) {
      const e = this.due.get(id);
      if (e === undefined) this.due.set(id, { dueAt: now, tenantId: this.local.get(id)?.tenantId ?? '', notBefore: 0, heldUntil: 0 });
      else {
        e.dueAt = Math.min(e.dueAt, now);
        e.notBefore = 0;
      }
    }
    this.schedulePump();
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Stops claiming, lets in-flight requests finish until `deadline`, records them, releases leases. */
  async stop(deadline: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'draining';
    if (this.timer !== null) clearTimeout(this.timer);
    const waitMs = Math.max(0, deadline - this.o.clock.now());
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, waitMs).unref()),
      ]);
    }
    await this.recorder.drain();
    const released = await this.o.store.dispatch.releaseLeases(this.o.nodeId, this.o.clock.now());
    this.state = 'stopped';
    this.o.log.info({ released, abandoned: this.inFlight }, 'dispatcher stopped');
  }

  private schedulePump(delayMs = 0): void {
    if (this.state !== 'running') return;
    if (delayMs > 0) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedulePump();
      }, delayMs);
      this.timer.unref();
      return;
    }
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain && this.state === 'running');
    } catch (err) {
      this.o.log.error({ err }, 'dispatch round failed');
      this.schedulePump(this.o.pollIntervalMs);
      return;
    } finally {
      this.pumping = false;
    }
    this.armTimer();
  }

  private async poll(now: number): Promise<void> {
    this.lastPoll = now;
    const rows = await this.o.store.dispatch.dueWebhooks(now, 10_000);
    for (const r of rows) {
      const e = this.due.get(r.webhookId);
      if (e === undefined) this.due.set(r.webhookId, { dueAt: r.dueAt, tenantId: r.tenantId, notBefore: 0, heldUntil: 0 });
      else {
        e.dueAt = Math.min(e.dueAt, r.dueAt);
        e.tenantId = r.tenantId;
      }
    }
  }

  /** Webhooks this node could claim for now, grouped by tenant in round-robin order. */
  private eligible(now: number): string[][] {
    const byTenant = new Map<string, string[]>();
    for (const [id, e] of this.due) {
      if (e.dueAt > now || e.notBefore > now || e.heldUntil > now || this.claiming.has(id)) continue;
      if (this.saturated(id)) continue;
      const list = byTenant.get(e.tenantId);
      if (list === undefined) byTenant.set(e.tenantId, [id]);
      else list.push(id);
    }
    const tenants = [...byTenant.keys()].sort();
    const start = tenants.findIndex((t) => t > this.tenantCursor);
    const ordered = start <= 0 ? tenants : [...tenants.slice(start), ...tenants.slice(0, start)];
    return ordered.map((t) => byTenant.get(t) ?? []);
  }

  private async pumpOnce(): Promise<void> {
    if (this.state !== 'running') return;
    const now = this.o.clock.now();
    if (now - this.lastPoll >= this.o.pollIntervalMs) await this.poll(now);
    const groups = this.eligible(now);
    for (let round = 0; groups.some((g) => g.length > round); round++) {
      for (const group of groups) {
        const id = group[round];
        if (id === undefined) continue;
        if (this.state !== 'running' || !this.nodeHasRoom()) return;
        const entry = this.due.get(id);
        if (entry !== undefined) this.tenantCursor = entry.tenantId;
        await this.claimFor(id);
        // Let I/O in between claims (new events, responses): on SQLite a claim completes
        // without ever yielding, and a whole round would otherwise hold everything else up.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  private async claimFor(webhookId: string): Promise<void> {
    const now = this.o.clock.now();
    const l = this.local.get(webhookId);
    const quantum = this.tenantsActive(now) > 1 ? SHARED_QUANTUM : QUANTUM;
    const wanted = Math.min(quantum, this.o.maxInFlight - this.inFlight, l === undefined ? quantum : Math.max(1, l.limit - l.inFlight));
    this.claiming.add(webhookId);
    let res: ClaimResult;
    try {
      res = await this.o.store.transaction(
        (tx) => tx.dispatch.claim({ webhookId, nodeId: this.o.nodeId, now, maxRequests: wanted, leaseGraceMs: this.o.leaseGraceMs, settled: l?.settled ?? 0 }, () => newId('batch', now)),
        { durable: false },
      );
    } finally {
      this.claiming.delete(webhookId);
    }
    if (res.webhook === null) {
      this.due.delete(webhookId);
      return;
    }
    const tenantId = res.webhook.tenantId;
    if (res.requests.length > 0) this.lastSentAt.set(tenantId, now);
    const local = this.local.get(webhookId) ?? { inFlight: 0, settled: 0, limit: res.limit, tenantId };
    local.limit = res.limit;
    this.local.set(webhookId, local);
    if (res.expired.length > 0) this.o.onExpired?.(webhookId, tenantId, res.expired);

    if (res.dueAt === null) this.due.delete(webhookId);
    else {
      const nothing = res.requests.length === 0 && res.dueAt <= now;
      const held = res.blocked !== null && TIMED_HOLDS.has(res.blocked) && res.dueAt > now;
      this.due.set(webhookId, {
        dueAt: res.dueAt,
        tenantId,
        notBefore: nothing ? now + this.o.pollIntervalMs : 0,
        heldUntil: held ? Math.min(res.dueAt, now + HOLD_TRUST_MS) : 0,
      });
    }
    for (const request of res.requests) {
      local.inFlight += 1;
      this.inFlight += 1;
      const webhook = res.webhook;
      this.o.sender.deliver(webhook, request, res.events).then(
        (completion) => {
          this.release(webhookId, 1);
          local.settled += 1;
          this.recorder.add(completion);
        },
        (err: unknown) => {
          // A bug, not an endpoint failure: leave the lease to expire so the work is retried.
          this.o.log.error({ err, webhookId }, 'sending failed unexpectedly');
          this.release(webhookId, 1);
        },
      );
    }
    this.o.metrics.inFlight.set(this.inFlight);
  }

  private release(webhookId: string, requests: number): void {
    const l = this.local.get(webhookId);
    if (l !== undefined) l.inFlight = Math.max(0, l.inFlight - requests);
    this.inFlight = Math.max(0, this.inFlight - requests);
    this.o.metrics.inFlight.set(this.inFlight);
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private recorded(group: readonly Completion[], report: CompletionReport): void {
    const now = this.o.clock.now();
    for (const c of group) {
      const l = this.local.get(c.attempt.webhookId);
      if (l !== undefined) l.settled = Math.max(0, l.settled - 1);
      const outcome = c.result.kind === 'delivered' ? 'delivered' : c.result.kind === 'retry' ? 'retry' : 'failed';
      this.o.metrics.deliveries.inc({ outcome }, c.deliveries.length);
      // An outcome can lift a hold (a probe closes the circuit), so it clears the local one.
      const e = this.due.get(c.attempt.webhookId);
      if (e === undefined) this.due.set(c.attempt.webhookId, { dueAt: now, tenantId: c.attempt.tenantId, notBefore: 0, heldUntil: 0 });
      else {
        e.dueAt = Math.min(e.dueAt, now);
        e.notBefore = 0;
        e.heldUntil = 0;
      }
    }
    this.o.onReport?.(report);
    this.schedulePump();
  }

  /** Sleeps until the earliest known due time, or the next poll. */
  private armTimer(): void {
    if (this.state !== 'running' || this.pumpScheduled) return;
    const now = this.o.clock.now();
    let next = this.lastPoll + this.o.pollIntervalMs;
    const full = !this.nodeHasRoom();
    for (const [id, e] of this.due) {
      const at = Math.max(e.dueAt, e.notBefore, e.heldUntil);
      // Work that is due but blocked by this node's own requests resumes when they complete.
      if (at <= now && (full || this.claiming.has(id) || this.saturated(id))) continue;
      next = Math.min(next, at);
    }
    this.schedulePump(Math.max(1, next - now));
  }

  /**
   * Whether this node should claim now. Once it has work in flight it waits until an eighth of
   * its slots are free, so that an I/O-bound node makes one claim per several completions
   * rather than one transaction per freed slot.
   */
  private nodeHasRoom(): boolean {
    const free = this.o.maxInFlight - this.inFlight;
    return free > 0 && (this.inFlight === 0 || free >= Math.max(1, Math.floor(this.o.maxInFlight / 8)));
  }

  /** Tenants this node started requests for within the last ACTIVE_TENANT_MS. */
  private tenantsActive(now: number): number {
    let n = 0;
    for (const [tenantId, at] of this.lastSentAt) {
      if (now - at <= ACTIVE_TENANT_MS) n += 1;
      else this.lastSentAt.delete(tenantId);
    }
    return n;
  }

  private saturated(webhookId: string): boolean {
    const l = this.local.get(webhookId);
    return l !== undefined && l.inFlight > 0 && l.limit - l.inFlight < Math.max(1, Math.ceil(l.limit / 4));
  }
}
