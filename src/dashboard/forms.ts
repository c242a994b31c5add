// Reading HTML form posts. Browsers send every field as text; Form turns them into the
// numbers, booleans and lists the API's request shapes expect, and `validateAs` then checks the
// result against the API's own TypeBox schema with the API's Ajv settings and error wording,
// so the dashboard accepts exactly what the API accepts.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRequest } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { AppError, type FieldError } from '../errors.js';
import { toFieldErrors } from '../http/validation.js';

// Same options as the API's body validator (src/http/validation.ts): no coercion, no defaults.
const ajv = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, verbose: true, strict: false });
addFormatsModule.default(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

/** Checks `data` against an API schema; throws the API's validation problem when it does not fit. */
export function validateAs<T extends TSchema>(schema: T, data: unknown): Static<T> {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return data as Static<T>;
  const errors = toFieldErrors('body', validate.errors ?? []);
  const first = errors[0];
  throw new AppError('validation_failed', errors.length === 1 && first !== undefined ? first.message : `${errors.length} fields are not valid.`, { errors });
}

export function throwFieldErrors(errors: FieldError[]): void {
  const first = errors[0];
  if (first === undefined) return;
  throw new AppError('validation_failed', errors.length === 1 ? first.message : `${errors.length} fields are not valid.`, { errors });
}

export class Form {
  /** Problems found while converting text (a number that is not one); reported with schema errors. */
  readonly errors: FieldError[] = [];

  constructor(private readonly body: Readonly<Record<string, unknown>>) {}

  static of(request: FastifyRequest): Form {
    const body = request.body;
    return new Form(typeof body === 'object' && body !== null ? { ...body } : {});
  }

  /** All values of a field (checkbox groups and repeated names). */
  all(name: string): string[] {
    const v = this.body[name];
    if (typeof v === 'string') return [v];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The field's text, trimmed; '' when absent. */
  text(name: string): string {
    return (this.all(name)[0] ?? '').trim();
  }

  /** The text, or undefined when left blank. */
  optional(name: string): string | undefined {
    const t = this.text(name);
    return t === '' ? undefined : t;
  }

  /** The text exactly as typed (secrets: surrounding spaces may matter), undefined when blank. */
  secret(name: string): string | undefined {
    const t = this.all(name)[0] ?? '';
    return t === '' ? undefined : t;
  }

  checked(name: string): boolean {
    return this.all(name).some((v) => v === 'on' || v === 'true' || v === '1');
  }

  /** A number field: undefined when blank; a conversion error (named after the field) when not a number. */
  number(name: string, integer = true): number | undefined {
    const t = this.text(name);
    if (t === '') return undefined;
    const n = Number(t);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      this.errors.push({ field: `/body/${name.split('.').join('/')}`, rule: 'type', message: `${name} must be ${integer ? 'a whole number' : 'a number'} (got "${t}").` });
      return undefined;
    }
    return n;
  }

  /** A list typed one per line or separated by commas. */
  list(name: string): string[] {
    return this.text(name).split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== '');
  }

  /** `Name: value` lines → a header map; a line without a colon is a conversion error. */
  headers(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.text(name).split('\n')) {
      if (line.trim() === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.errors.push({ field: `/body/${name}`, rule: 'format', message: `${name}: "${line.trim()}" is not "Name: value".` });
        continue;
      }
      out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    return out;
  }
}

/** Runs a service call; an AppError (a problem to show the user) comes back as a value. */
export async function settle<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err };
    throw err;
  }
}
