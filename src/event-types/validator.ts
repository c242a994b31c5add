// Compiled JSON Schemas of event types, cached briefly so ingest does not read the catalogue
// for every event. A change made on this node is seen at once (invalidate); one made on
// another node within CACHE_MS.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Clock } from '../clock.js';
import type { FieldError } from '../errors.js';
import type { EventType } from '../store/records.js';
import type { Store } from '../store/store.js';

const CACHE_MS = 2000;

const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
addFormatsModule.default(ajv);

/** Compiles a schema, or explains why it cannot be used. */
export function compileSchema(schema: Record<string, unknown>): { ok: true; validate: ValidateFunction } | { ok: false; message: string } {
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

export interface TypeInfo {
  type: EventType | null;
  validate: ValidateFunction | null;
}

export class EventTypeCache {
  private readonly entries = new Map<string, { info: TypeInfo; fetchedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async get(names: readonly string[]): Promise<Map<string, TypeInfo>> {
    const now = this.clock.now();
    const out = new Map<string, TypeInfo>();
    const missing: string[] = [];
    for (const name of new Set(names)) {
      const hit = this.entries.get(name);
      if (hit !== undefined && now - hit.fetchedAt < CACHE_MS) out.set(name, hit.info);
      else missing.push(name);
    }
    if (missing.length > 0) {
      const found = await this.store.eventTypes.getEventTypes(missing);
      for (const name of missing) {
        const type = found.get(name) ?? null;
        const compiled = type?.schema ? compileSchema(type.schema) : null;
        const info: TypeInfo = { type, validate: compiled?.ok === true ? compiled.validate : null };
        if (this.entries.size > 10_000) this.entries.clear();
        this.entries.set(name, { info, fetchedAt: now });
        out.set(name, info);
      }
    }
    return out;
  }

  invalidate(name: string): void {
    this.entries.delete(name);
  }
}

/** Field errors for data that fails its type's schema, with paths under `pointer`. */
export function schemaErrors(validate: ValidateFunction, data: unknown, pointer: string): FieldError[] | null {
  if (validate(data)) return null;
  return (validate.errors ?? []).slice(0, 20).map((e) => {
    const extra = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty)}` : '';
    const field = `${pointer}${e.instancePath}${extra}`;
    return { field, rule: e.keyword, message: `${field} ${e.message ?? 'is not valid'} (event type schema).` };
  });
}
