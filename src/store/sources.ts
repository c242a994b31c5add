// Inbound sources and the requests they received. A request row is written by the ingest
// group commit (insertRequests), in the same transaction as the event it became; reads take
// the tenant scope, so a restricted key cannot reach another tenant's sources or requests.
import type { SqlExecutor, SqlValue } from './db.js';
import { chunks, fromBool, placeholders, toBool, valuesList, Where } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { Page, PageRequest, Scope } from './records.js';

/** How a source authenticates its callers. Credentials are write-only through the API. */
export type SourceAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'header'; headerName: string; token: string }
  | { type: 'hmac'; secret: string }
  | { type: 'oauth2'; jwksUrl: string; issuer: string; audience: string };

export interface SourceSettings {
  description: string;
  /** The event type of every request, or the fallback when the pointer finds none. */
  eventType: string | null;
  /** JSON pointer (RFC 6901) to the event type inside a JSON body, e.g. `/type`. */
  eventTypePointer: string | null;
  /** What an accepted request is answered with; body null = no body, a string = text, else JSON. */
  response: { status: 200 | 202 | 204; body: unknown };
  /** Accepted media types (`application/json`, `text/*`, `*\/*`). */
  contentTypes: string[];
  maxBodyBytes: number;
  /** Stored for the protection layer, which enforces it; null = unlimited. */
  rateLimitPerSecond: number | null;
}

export interface Source {
  id: string;
  tenantId: string;
  name: string;
  enabled: boolean;
  auth: SourceAuth;
  settings: SourceSettings;
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface SourceRow {
  id: string;
  tenant_id: string;
  name: string;
  enabled: number;
  auth: string;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const toSource = (r: SourceRow): Source => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  enabled: toBool(r.enabled),
  auth: JSON.parse(r.auth) as SourceAuth,
  settings: JSON.parse(r.settings) as SourceSettings,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertSource(db: SqlExecutor, s: Source): Promise<void> {
  await db.run(
    `INSERT INTO sources (id, tenant_id, name, enabled, auth, settings, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [s.id, s.tenantId, s.name, fromBool(s.enabled), JSON.stringify(s.auth), JSON.stringify(s.settings), s.version, s.createdAt, s.updatedAt],
  );
}

export async function getSource(db: SqlExecutor, scope: Scope, id: string): Promise<Source | undefined> {
  const row = await db.get<SourceRow>(
    scope.tenantId === null ? 'SELECT * FROM sources WHERE id = ?' : 'SELECT * FROM sources WHERE id = ? AND tenant_id = ?',
    scope.tenantId === null ? [id] : [id, scope.tenantId],
  );
  return row && toSource(row);
}

/** The source behind /in/{id}, with whether its tenant is enabled (one read per cache miss). */
export async function findInboundSource(db: SqlExecutor, id: string): Promise<{ source: Source; tenantEnabled: boolean } | undefined> {
  const row = await db.get<SourceRow & { tenant_enabled: number }>(
    'SELECT s.*, t.enabled AS tenant_enabled FROM sources s JOIN tenants t ON t.id = s.tenant_id WHERE s.id = ?',
    [id],
  );
  return row && { source: toSource(row), tenantEnabled: toBool(row.tenant_enabled) };
}

export interface SourceFilter {
  tenantId?: string | undefined;
  enabled?: boolean | undefined;
}

export async function listSources(db: SqlExecutor, scope: Scope, filter: SourceFilter, page: PageRequest): Promise<Page<Source>> {
  const w = new Where()
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('tenant_id = ?', filter.tenantId)
    .when('enabled = ?', filter.enabled === undefined ? undefined : fromBool(filter.enabled))
    .when('id < ?', decodeCursor(page.cursor, 'string'));
  const rows = await db.all<SourceRow>(`SELECT * FROM sources ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toSource, (r) => r.id);
}

/** Writes a new version if nobody changed the source since `expectedVersion`; false on a lost race. */
export async function saveSource(db: SqlExecutor, s: Source, expectedVersion: number): Promise<boolean> {
  const res = await db.run(
    `UPDATE sources SET name = ?, enabled = ?, auth = ?, settings = ?, version = ?, updated_at = ?
     WHERE id = ? AND tenant_id = ? AND version = ?`,
    [s.name, fromBool(s.enabled), JSON.stringify(s.auth), JSON.stringify(s.settings), s.version, s.updatedAt, s.id, s.tenantId, expectedVersion],
  );
  return res.changes === 1;
}

/** Deletes a source and (by cascade) its received requests; the events they became stay. */
export async function deleteSource(db: SqlExecutor, scope: Scope, id: string): Promise<boolean> {
  const res = await db.run(
    scope.tenantId === null ? 'DELETE FROM sources WHERE id = ?' : 'DELETE FROM sources WHERE id = ? AND tenant_id = ?',
    scope.tenantId === null ? [id] : [id, scope.tenantId],
  );
  return res.changes === 1;
}

/** A received request to store, exactly as committed before its answer. */
export interface NewInboundRequest {
  id: string;
  sourceId: string;
  tenantId: string;
  /** `webhook-id:<value>` or `idempotency-key:<value>`; null when the sender gave neither. */
  dedupKey: string | null;
  method: string;
  query: string;
  /** Header values with credentials already replaced by `[redacted]`. */
  headers: Record<string, string>;
  contentType: string | null;
  body: Buffer;
  remoteAddress: string | null;
  receivedAt: number;
  eventId: string;
}

export interface InboundRequest extends NewInboundRequest {
  bodyBytes: number;
  eventId: string;
}

export type InboundRequestSummary = Omit<InboundRequest, 'headers' | 'body'>;

export type RequestInsert =
  | { status: 'created' }
  | { status: 'duplicate'; id: string; eventId: string | null }
  /** The source was deleted after the request was checked. */
  | { status: 'source_gone' };

const REQUEST_COLUMNS = 'id, source_id, tenant_id, dedup_key, method, query, headers, content_type, body, body_bytes, remote_address, received_at, event_id';
const SUMMARY_COLUMNS = 'id, source_id, tenant_id, dedup_key, method, query, content_type, body_bytes, remote_address, received_at, event_id';
const REQUEST_CHUNK = 100;

/**
 * Inserts received requests; a request repeating a dedup key of its source (stored earlier,
 * or earlier in `rows`) is not stored and reports the original. Runs inside the ingest
 * transaction. On PostgreSQL the sources are key-share locked, so a concurrent delete waits
 * for this commit instead of failing it with a foreign-key error.
 */
export async function insertRequests(db: SqlExecutor, rows: readonly NewInboundRequest[]): Promise<RequestInsert[]> {
  if (rows.length === 0) return [];
  const sourceIds = [...new Set(rows.map((r) => r.sourceId))];
  const live = new Set<string>();
  for (const part of chunks(sourceIds, 500)) {
    const found = await db.all<{ id: string }>(`SELECT id FROM sources WHERE id IN ${placeholders(part.length)}${db.dialect === 'postgres' ? ' FOR KEY SHARE' : ''}`, part);
    for (const r of found) live.add(r.id);
  }
  const candidates = rows.filter((r) => live.has(r.sourceId));
  const created = new Set<string>();
  for (const part of chunks(candidates, REQUEST_CHUNK)) {
    const params: SqlValue[] = [];
    for (const r of part) {
      params.push(r.id, r.sourceId, r.tenantId, r.dedupKey, r.method, r.query, JSON.stringify(r.headers), r.contentType, r.body, r.body.length, r.remoteAddress, r.receivedAt, r.eventId);
    }
    const inserted = await db.all<{ id: string }>(`INSERT INTO inbound_requests (${REQUEST_COLUMNS}) VALUES ${valuesList(13, part.length)} ON CONFLICT DO NOTHING RETURNING id`, params);
    for (const r of inserted) created.add(r.id);
  }
  const repeats = candidates.filter((r) => !created.has(r.id));
  const originals = new Map<string, { id: string; eventId: string | null }>();
  for (const part of chunks(repeats, REQUEST_CHUNK)) {
    const found = await db.all<{ id: string; source_id: string; dedup_key: string; event_id: string | null }>(
      `SELECT id, source_id, dedup_key, event_id FROM inbound_requests WHERE ${part.map(() => '(source_id = ? AND dedup_key = ?)').join(' OR ')}`,
      part.flatMap((r) => [r.sourceId, r.dedupKey ?? '']),
    );
    for (const f of found) originals.set(`${f.source_id}\u0000${f.dedup_key}`, { id: f.id, eventId: f.event_id });
  }
  return rows.map((r): RequestInsert => {
    if (!live.has(r.sourceId)) return { status: 'source_gone' };
    if (created.has(r.id)) return { status: 'created' };
    const original = originals.get(`${r.sourceId}\u0000${r.dedupKey ?? ''}`);
    if (original === undefined) throw new Error(`inbound request ${r.id} neither inserted nor a repeat`);
    return { status: 'duplicate', ...original };
  });
}

interface RequestRow {
  id: string;
  source_id: string;
  tenant_id: string;
  dedup_key: string | null;
  method: string;
  query: string;
  headers?: string;
  content_type: string | null;
  body?: Buffer;
  body_bytes: number;
  remote_address: string | null;
  received_at: number;
  event_id: string;
}

const toSummary = (r: RequestRow): InboundRequestSummary => ({
  id: r.id,
  sourceId: r.source_id,
  tenantId: r.tenant_id,
  dedupKey: r.dedup_key,
  method: r.method,
  query: r.query,
  contentType: r.content_type,
  bodyBytes: r.body_bytes,
  remoteAddress: r.remote_address,
  receivedAt: r.received_at,
  eventId: r.event_id,
});

/** Requests a source received, newest first (without headers and bodies). */
export async function listRequests(db: SqlExecutor, scope: Scope, sourceId: string, page: PageRequest): Promise<Page<InboundRequestSummary>> {
  const w = new Where()
    .add('source_id = ?', sourceId)
    .when('tenant_id = ?', scope.tenantId ?? undefined)
    .when('id < ?', decodeCursor(page.cursor, 'string'));
  const rows = await db.all<RequestRow>(`SELECT ${SUMMARY_COLUMNS} FROM inbound_requests ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toSummary, (r) => r.id);
}

export async function getRequest(db: SqlExecutor, scope: Scope, sourceId: string, id: string): Promise<InboundRequest | undefined> {
  const row = await db.get<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM inbound_requests WHERE id = ? AND source_id = ?${scope.tenantId === null ? '' : ' AND tenant_id = ?'}`,
    scope.tenantId === null ? [id, sourceId] : [id, sourceId, scope.tenantId],
  );
  if (row === undefined) return undefined;
  return { ...toSummary(row), headers: JSON.parse(row.headers ?? '{}') as Record<string, string>, body: row.body ?? Buffer.alloc(0) };
}

/** Deletes up to `limit` requests received before `before`, oldest first; returns how many. For retention. */
export async function purgeRequests(db: SqlExecutor, before: number, limit: number): Promise<number> {
  const rows = await db.all<{ id: string }>('SELECT id FROM inbound_requests WHERE received_at < ? ORDER BY received_at LIMIT ?', [before, limit]);
  if (rows.length === 0) return 0;
  const res = await db.run(`DELETE FROM inbound_requests WHERE id IN ${placeholders(rows.length)}`, rows.map((r) => r.id));
  return res.changes;
}

export const sourceOps = { insertSource, getSource, findInboundSource, listSources, saveSource, deleteSource, insertRequests, listRequests, getRequest, purgeRequests };
