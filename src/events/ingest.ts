// Durable ingest with group commit. Every request's events must be committed before its 2xx,
// and a commit costs an fsync; so requests that arrive during the same turn of the event loop
// are written in one transaction, and each gets its own answer. Fan-out happens in that same
// transaction: the event, its deliveries and the webhooks' due times commit together or not
// at all. An inbound request (src/sources) rides the same commit as the event it becomes, so a
// source's answer waits for exactly one durable write, shared with everything else in the group.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { InsertedEvent, NewEvent } from '../store/events.js';
import type { NewInboundRequest } from '../store/sources.js';
import type { Store, StoreOps } from '../store/store.js';
import type { FanoutTarget } from '../store/webhooks.js';
import { subscribes } from '../webhooks/match.js';

export interface IngestEvent {
  tenantId: string;
  id: string;
  type: string;
  timestamp: number;
  /** The event's data, already serialised as JSON. */
  data: string;
  sourceId: string | null;
  /** False when the event type is disabled: the event is stored but creates no deliveries. */
  deliver: boolean;
}

export type IngestOutcome =
  | { kind: 'ok'; results: InsertedEvent[] }
  | { kind: 'tenant_unavailable'; tenantId: string; status: 'missing' | 'disabled' };

/** What became of a request submitted with submitInbound. */
export type InboundOutcome =
  | { kind: 'stored'; event: InsertedEvent }
  /** An earlier request of the source carried the same dedup key: nothing was stored. */
  | { kind: 'duplicate'; original: { id: string; eventId: string | null } }
  | { kind: 'source_gone' }
  | { kind: 'tenant_unavailable'; tenantId: string; status: 'missing' | 'disabled' };

type JobOutcome = IngestOutcome | { kind: 'duplicate'; original: { id: string; eventId: string | null } } | { kind: 'source_gone' };

interface Job {
  events: IngestEvent[];
  origin: IngestOrigin;
  /** Stored with the events; when it repeats an earlier request, neither is stored. */
  inbound: NewInboundRequest | null;
  resolve: (outcome: JobOutcome) => void;
  reject: (err: unknown) => void;
}

/** Where ingested events come from, for metrics. */
export type IngestOrigin = 'api' | 'inbound' | 'ops';

export interface CommittedWork {
  /** Webhooks that received new deliveries. */
  webhookIds: string[];
  events: number;
  /** New events by origin. */
  byOrigin: Record<IngestOrigin, number>;
  deliveries: number;
}

const MAX_EVENTS_PER_COMMIT = 5000;

export class Ingestor {
  private queue: Job[] = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onCommitted: (work: CommittedWork) => void,
    private readonly maxParallelCommits: number,
  ) {}

  submit(events: IngestEvent[], origin: IngestOrigin = 'api'): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.enqueue(events, null, origin, (outcome) => {
        if (outcome.kind === 'duplicate' || outcome.kind === 'source_gone') reject(new Error(`ingest without an inbound request reported ${outcome.kind}`));
        else resolve(outcome);
      }, reject);
    });
  }

  /** Commits an inbound request together with the event it becomes (or only finds its original). */
  submitInbound(request: NewInboundRequest, event: IngestEvent): Promise<InboundOutcome> {
    return new Promise((resolve, reject) => {
      this.enqueue([event], request, 'inbound', (outcome) => {
        if (outcome.kind !== 'ok') resolve(outcome);
        else {
          const inserted = outcome.results[0];
          if (inserted === undefined) reject(new Error('inbound event was not inserted'));
          else resolve({ kind: 'stored', event: inserted });
        }
      }, reject);
    });
  }

  private enqueue(events: IngestEvent[], inbound: NewInboundRequest | null, origin: IngestOrigin, resolve: (o: JobOutcome) => void, reject: (err: unknown) => void): void {
    this.queue.push({ events, origin, inbound, resolve, reject });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.running >= this.maxParallelCommits) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private takeGroup(): Job[] {
    const group: Job[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next === undefined || (group.length > 0 && size + next.events.length > MAX_EVENTS_PER_COMMIT)) break;
      this.queue.shift();
      group.push(next);
      size += next.events.length;
    }
    return group;
  }

  private async flush(): Promise<void> {
    const group = this.takeGroup();
    if (group.length === 0) return;
    this.running += 1;
    try {
      const now = this.clock.now();
      const { outcomes, work } = await this.store.transaction((tx) => commitGroup(tx, group, now));
      for (let i = 0; i < group.length; i++) group[i]?.resolve(outcomes[i] ?? { kind: 'ok', results: [] });
      if (work.webhookIds.length > 0 || work.events > 0) this.onCommitted(work);
    } catch (err) {
      this.log.error({ err, requests: group.length }, 'ingest commit failed');
      for (const job of group) job.reject(err);
    } finally {
      this.running -= 1;
      this.schedule();
    }
  }
}

async function commitGroup(tx: StoreOps, group: readonly Job[], now: number): Promise<{ outcomes: JobOutcome[]; work: CommittedWork }> {
  const tenantStatus = new Map<string, 'enabled' | 'disabled' | 'missing'>();
  const targets = new Map<string, FanoutTarget[]>();
  const outcomes: (JobOutcome | null)[] = [];
  const accepted: { job: number; from: number; count: number }[] = [];
  const rows: NewEvent[] = [];

  for (const job of group) {
    let refused: IngestOutcome | null = null;
    for (const tenantId of new Set(job.events.map((e) => e.tenantId))) {
      let status = tenantStatus.get(tenantId);
      if (status === undefined) {
        status = await tx.tenants.tenantStatus(tenantId);
        tenantStatus.set(tenantId, status);
      }
      if (status !== 'enabled') {
        refused = { kind: 'tenant_unavailable', tenantId, status };
        break;
      }
    }
    outcomes.push(refused);
  }

  // Inbound requests of the accepted jobs, in one batch: a repeat keeps its events out.
  const inbound = group.flatMap((job, index) => (job.inbound !== null && outcomes[index] === null ? [{ index, row: job.inbound }] : []));
  const stored = await tx.sources.insertRequests(inbound.map((i) => i.row));
  for (const [k, result] of stored.entries()) {
    const index = inbound[k]?.index;
    if (index === undefined || result.status === 'created') continue;
    outcomes[index] = result.status === 'duplicate' ? { kind: 'duplicate', original: { id: result.id, eventId: result.eventId } } : { kind: 'source_gone' };
  }

  for (const [index, job] of group.entries()) {
    if (outcomes[index] !== null) continue;
    accepted.push({ job: index, from: rows.length, count: job.events.length });
    for (const e of job.events) {
      let candidates = targets.get(e.tenantId);
      if (candidates === undefined) {
        candidates = await tx.webhooks.fanoutTargets(e.tenantId);
        targets.set(e.tenantId, candidates);
      }
      // A webhook receives only events that arrive once it is active (activationDelaySeconds).
      const webhookIds = e.deliver ? candidates.filter((w) => w.activeFrom <= now && subscribes(w.eventTypes, e.type)).map((w) => w.id) : [];
      rows.push({ id: e.id, tenantId: e.tenantId, type: e.type, timestamp: e.timestamp, data: e.data, sourceId: e.sourceId, webhookIds });
    }
  }

  const inserted = rows.length === 0 ? [] : await tx.events.insertEvents(rows, now);
  const webhookIds = new Set<string>();
  let deliveries = 0;
  let created = 0;
  const byOrigin: Record<IngestOrigin, number> = { api: 0, inbound: 0, ops: 0 };
  for (const a of accepted) {
    const origin = group[a.job]?.origin ?? 'api';
    for (let i = a.from; i < a.from + a.count; i++) {
      const r = inserted[i];
      if (r === undefined || !r.created) continue;
      created += 1;
      byOrigin[origin] += 1;
      deliveries += r.deliveries;
      for (const id of rows[i]?.webhookIds ?? []) webhookIds.add(id);
    }
  }
  await tx.dispatch.bumpDue([...webhookIds], now);

  for (const a of accepted) outcomes[a.job] = { kind: 'ok', results: inserted.slice(a.from, a.from + a.count) };
  return {
    outcomes: outcomes.map((o) => o ?? { kind: 'ok', results: [] }),
    work: { webhookIds: [...webhookIds], events: created, deliveries, byOrigin },
  };
}
