// Request validation: one Ajv for bodies, params and headers (no type coercion, unknown fields
// are errors, every error reported at once) and one for query strings (strings coerced to the
// declared types). Ajv errors become field errors that name the field, the rule and the fix.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.js';

// ajv-formats is CommonJS: under NodeNext its function is the `default` property.
const applyFormats = (ajv: Ajv): void => {
  addFormatsModule.default(ajv);
};

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes: coerce ? 'array' : false, removeAdditional: false, useDefaults: false, verbose: true, strict: false });
  applyFormats(ajv);
  return ajv;
}

const strictAjv = makeAjv(false);
const queryAjv = makeAjv(true);
const cache = new WeakMap<object, ValidateFunction>();

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'querystring' ? queryAjv : strictAjv;
  const key = schema as object;
  let fn = cache.get(key);
  if (fn === undefined) {
    fn = ajv.compile(schema as object);
    cache.set(key, fn);
  }
  const validate = fn;
  return (data: unknown) => (validate(data) ? { value: data } : { error: Object.assign(new Error('validation failed'), { validation: validate.errors ?? [] }) });
};

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Turns Ajv errors for one request part (`body`, `querystring`, …) into field errors. */
export function toFieldErrors(part: string, errors: readonly ErrorObject[]): FieldError[] {
  const prefix = `/${part === 'querystring' ? 'query' : part}`;
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf explains itself through its branches; keep the branch errors only when there is
    // nothing more specific for that field.
    let field = `${prefix}${e.instancePath}`;
    let message: string;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required':
        field = `${field}/${String(p.missingProperty)}`;
        message = `${field} is required.`;
        break;
      case 'additionalProperties': {
        field = `${field}/${String(p.additionalProperty)}`;
        const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        message = `${field} is not a known field; remove it${known.length ? ` (known fields: ${known.join(', ')})` : ''}.`;
        break;
      }
      case 'type':
        message = `${field} must be of type ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)} (got ${describe(e.data)}).`;
        break;
      case 'enum':
        message = `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${describe(e.data)}).`;
        break;
      case 'const':
        message = `${field} must be ${JSON.stringify(p.allowedValue)} (got ${describe(e.data)}).`;
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        message = `${field} must be ${String(p.comparison)} ${String(p.limit)} (got ${describe(e.data)}).`;
        break;
      case 'minLength':
      case 'maxLength':
        message = `${field} must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters.`;
        break;
      case 'minItems':
      case 'maxItems':
        message = `${field} must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items (got ${Array.isArray(e.data) ? e.data.length : '?'}).`;
        break;
      case 'minProperties':
      case 'maxProperties':
        message = `${field} must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(p.limit)} entries.`;
        break;
      case 'pattern':
        message = `${field} must match ${String(p.pattern)} (got ${describe(e.data)}).`;
        break;
      case 'format':
        message = `${field} must be a valid ${String(p.format)} (got ${describe(e.data)}).`;
        break;
      case 'uniqueItems':
        message = `${field} must not contain duplicates.`;
        break;
      default:
        message = `${field} ${e.message ?? 'is not valid'}.`;
    }
    const key = `${field}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, rule: e.keyword, message });
  }
  // An anyOf failure adds a summary error beside its branch errors; drop the summary when the
  // branches already explain the same field.
  return out.filter((f) => f.rule !== 'anyOf' || !out.some((g) => g !== f && g.field === f.field));
}
