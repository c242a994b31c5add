import type { SqlExecutor, SqlValue } from './db.js';
import { chunks, placeholders, valuesList, Where } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { EventPayload, Page, PageRequest, Scope, StoredEvent } from './records.js';

interface EventRow {
  seq: number;
  id: string;
  tenant_id: string;
  type: string;
  timestamp: number;
  data: string;
  received_at: number;
  deliveries: number;
  source_id: string | null;
}

const toEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  id: r.id,
  tenantId: r.tenant_id,
  type: r.type,
  timestamp: r.timestamp,
  data: r.data,
  receivedAt: r.received_at,
  deliveries: r.deliveries,
  sourceId: r.source_id,
});

/** One event to store, with the webhooks fan-out chose for it. */
export interface NewEvent {
  id: string;
  tenantId: string;
  type: string;
  timestamp: number;
  data: string;
  sourceId: string | null;
  webhookIds: readonly string[];
}

export interface NewDelivery {
  id: string;
  webhookId: string;
}

export interface InsertedEvent {
  id: string;
  tenantId: string;
  seq: number;
  deliveries: number;
  /** False when an event with this id already existed for the tenant (an idempotent repeat). */
  created: boolean;
}

const EVENT_CHUNK = 200;
const DELIVERY_CHUNK = 200;

/**
 * Inserts events and their deliveries, skipping ids the tenant already used (those return
 * the stored result). Must run inside a transaction together with the due-time bump.
 */
export async function insertEvents(db: SqlExecutor, events: readonly NewEvent[], now: number): Promise<InsertedEvent[]> {
  const key = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;
  const inserted = new Map<string, number>();
  for (let from = 0; from < events.length; from += EVENT_CHUNK) {
    const count = Math.min(EVENT_CHUNK, events.length - from);
    const params: SqlValue[] = [];
    for (let i = from; i < from + count; i++) {
      const e = events[i];
      if (e !== undefined) params.push(e.id, e.tenantId, e.type, e.timestamp, e.data, now, e.webhookIds.length, e.sourceId);
    }
    const rows = await db.all<{ seq: number; id: string; tenant_id: string }>(
      `INSERT INTO events (id, tenant_id, type, timestamp, data, received_at, deliveries, source_id)
       VALUES ${valuesList(8, count)} ON CONFLICT (tenant_id, id) DO NOTHING RETURNING seq, id, tenant_id`,
      params,
    );
    for (const r of rows) inserted.set(key(r.tenant_id, r.id), r.seq);
  }

  // Deliveries for the events that were new; a repeated id inside one call counts once.
  const seen = new Set<string>();
  let params: SqlValue[] = [];
  const flush = async (): Promise<void> => {
    if (params.length === 0) return;
    await db.run(
      `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, event_id, event_type, state, occurred_at, created_at, next_attempt_at)
       VALUES ${valuesList(9, params.length / 9)}`,
      params,
    );
    params = [];
  };
  for (const e of events) {
    const k = key(e.tenantId, e.id);
    const seq = inserted.get(k);
    if (seq === undefined || seen.has(k)) continue;
    seen.add(k);
    for (const webhookId of e.webhookIds) {
      params.push(e.tenantId, webhookId, seq, e.id, e.type, 'pending', e.timestamp, now, now);
      if (params.length >= DELIVERY_CHUNK * 9) await flush();
    }
  }
  await flush();

  // Results for repeats come from the rows that were already there.
  const missing = events.filter((e) => !inserted.has(key(e.tenantId, e.id)));
  const existing = new Map<string, { seq: number; deliveries: number }>();
  for (const part of chunks(missing, EVENT_CHUNK)) {
    const rows = await db.all<{ seq: number; id: string; tenant_id: string; deliveries: number }>(
      `SELECT seq, id, tenant_id, deliveries FROM events WHERE ${part.map(() => '(tenant_id = ? AND id = ?)').join(' OR ')}`,
      part.flatMap((e) => [e.tenantId, e.id]),
    );
    for (const r of rows) existing.set(key(r.tenant_id, r.id), { seq: r.seq, deliveries: r.deliveries });
  }

  const first = new Map<string, NewEvent>();
  for (const e of events) if (!first.has(key(e.tenantId, e.id))) first.set(key(e.tenantId, e.id), e);
  const reported = new Set<string>();
  return events.map((e) => {
    const k = key(e.tenantId, e.id);
    const seq = inserted.get(k);
    if (seq !== undefined) {
      const created = !reported.has(k);
      reported.add(k);
      return { id: e.id, tenantId: e.tenantId, seq, deliveries: first.get(k)?.webhookIds.length ?? 0, created };
    }
    const prior = existing.get(k);
    if (prior === undefined) throw new Error(`event ${e.id} neither inserted nor found`);
    return { id: e.id, tenantId: e.tenantId, seq: prior.seq, deliveries: prior.deliveries, created: false };
  });
}

export async function getEvent(db: SqlExecutor, scope: Scope, id: string): Promise<StoredEvent | undefined> {
  // Event ids are unique per tenant; an unrestricted key asking for an id several tenants used
  // gets the most recent one (a tenant filter picks a specific one).
  const row = await db.get<EventRow>(
    scope.tenantId === null
      ? 'SELECT * FROM events WHERE id = ? ORDER BY seq DESC LIMIT 1'
      : 'SELECT * FROM events WHERE tenant_id = ? AND id = ?',
    scope.tenantId === null ? [id] : [scope.tenantId, id],
  );
  return row && toEvent(row);
}

/** The payloads of events by seq: only what a request carries. */
export async function getEventsBySeq(db: SqlExecutor, seqs: readonly number[]): Promise<Map<number, EventPayload>> {
  const out = new Map<number, EventPayload>();
  for (const part of chunks([...new Set(seqs)], 500)) {
    const rows = await db.all<Pick<EventRow, 'seq' | 'id' | 'tenant_id' | 'type' | 'timestamp' | 'data'>>(
      `SELECT seq, id, tenant_id, type, timestamp, data FROM events WHERE seq IN ${placeholders(part.length)}`,
      part,
    );
    for (const r of rows) out.set(r.seq, { seq: r.seq, id: r.id, tenantId: r.tenant_id, type: r.type, timestamp: r.timestamp, data: r.data });
  }
  return out;
}

export interface EventFilter {
  tenantId?: string | undefined;
  type?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export async function listEvents(db: SqlExecutor, scope: Scope, filter: EventFilter, page: PageRequest): Promise<Page<StoredEvent>> {
  const w = new Where()
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('tenant_id = ?', filter.tenantId)
    .when('type = ?', filter.type)
    .when('received_at >= ?', filter.since)
    .when('received_at < ?', filter.until)
    .when('seq < ?', decodeCursor(page.cursor, 'number'));
  const rows = await db.all<EventRow>(`SELECT * FROM events ${w.sql} ORDER BY seq DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toEvent, (r) => r.seq);
}

export const eventOps = { insertEvents, getEvent, getEventsBySeq, listEvents };
