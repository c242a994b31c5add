import type { SqlExecutor } from './db.js';
import { fromBool, toBool, Where } from './db.js';
import { decodeCursor, toPage } from './page.js';
import type { EventType, Page, PageRequest } from './records.js';

// Event types are a global catalogue: readable by every key, so no tenant scope here.

interface EventTypeRow {
  name: string;
  description: string;
  enabled: number;
  schema: string | null;
  created_at: number;
  updated_at: number;
}

const toEventType = (r: EventTypeRow): EventType => ({
  name: r.name,
  description: r.description,
  enabled: toBool(r.enabled),
  schema: r.schema === null ? null : (JSON.parse(r.schema) as Record<string, unknown>),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertEventType(db: SqlExecutor, t: EventType): Promise<boolean> {
  const res = await db.run(
    'INSERT INTO event_types (name, description, enabled, schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    [t.name, t.description, fromBool(t.enabled), t.schema === null ? null : JSON.stringify(t.schema), t.createdAt, t.updatedAt],
  );
  return res.changes === 1;
}

export async function getEventType(db: SqlExecutor, name: string): Promise<EventType | undefined> {
  const row = await db.get<EventTypeRow>('SELECT * FROM event_types WHERE name = ?', [name]);
  return row && toEventType(row);
}

export async function getEventTypes(db: SqlExecutor, names: readonly string[]): Promise<Map<string, EventType>> {
  const out = new Map<string, EventType>();
  if (names.length === 0) return out;
  const unique = [...new Set(names)];
  const rows = await db.all<EventTypeRow>(`SELECT * FROM event_types WHERE name IN (${unique.map(() => '?').join(', ')})`, unique);
  for (const r of rows) out.set(r.name, toEventType(r));
  return out;
}

export async function listEventTypes(db: SqlExecutor, page: PageRequest, filter: { enabled?: boolean | undefined } = {}): Promise<Page<EventType>> {
  const w = new Where()
    .when('name > ?', decodeCursor(page.cursor, 'string'))
    .when('enabled = ?', filter.enabled === undefined ? undefined : fromBool(filter.enabled));
  const rows = await db.all<EventTypeRow>(`SELECT * FROM event_types ${w.sql} ORDER BY name LIMIT ?`, [...w.params, page.limit + 1]);
  return toPage(rows, page.limit, toEventType, (r) => r.name);
}

export async function updateEventType(db: SqlExecutor, next: EventType): Promise<void> {
  await db.run('UPDATE event_types SET description = ?, enabled = ?, schema = ?, updated_at = ? WHERE name = ?', [
    next.description,
    fromBool(next.enabled),
    next.schema === null ? null : JSON.stringify(next.schema),
    next.updatedAt,
    next.name,
  ]);
}

export async function deleteEventType(db: SqlExecutor, name: string): Promise<boolean> {
  const res = await db.run('DELETE FROM event_types WHERE name = ?', [name]);
  return res.changes === 1;
}

export const eventTypeOps = { insertEventType, getEventType, getEventTypes, listEventTypes, updateEventType, deleteEventType };
