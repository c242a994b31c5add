// JSON Schema (as the server's /openapi.json has it) to TypeScript type text, and the contract
// file that makes the TypeScript compiler compare every SDK operation with the server's schema.
// Only what the server's schemas use is supported; anything else becomes `unknown` (lenient).

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const union = (parts: string[]): string => (parts.length === 0 ? 'never' : parts.map((p) => `(${p})`).join(' | '));

export function toTs(schema: unknown): string {
  if (!isObject(schema)) return 'unknown';
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return union((schema.enum as unknown[]).map((v) => JSON.stringify(v)));
  if (Array.isArray(schema.anyOf)) return union(schema.anyOf.map(toTs));
  if (Array.isArray(schema.oneOf)) return union(schema.oneOf.map(toTs));
  if (Array.isArray(schema.allOf)) return schema.allOf.map((s) => `(${toTs(s)})`).join(' & ');
  const type = schema.type;
  if (Array.isArray(type)) return union((type as unknown[]).map((t) => toTs({ ...schema, type: t })));
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${toTs(schema.items)}>`;
    case 'object':
      return objectTs(schema);
    default:
      return isObject(schema.properties) ? objectTs(schema) : 'unknown';
  }
}

function objectTs(schema: Json): string {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const members = Object.entries(properties).map(([name, s]) => `${JSON.stringify(name)}${required.includes(name) ? '' : '?'}: ${toTs(s)};`);
  const extra = isObject(schema.additionalProperties) ? toTs(schema.additionalProperties) : isObject(schema.patternProperties) ? union(Object.values(schema.patternProperties).map(toTs)) : null;
  const shape = `{ ${members.join(' ')} }`;
  if (extra === null) return members.length === 0 && schema.additionalProperties !== false ? '{ [key: string]: unknown }' : shape;
  return members.length === 0 ? `{ [key: string]: ${extra} }` : `${shape} & { [key: string]: ${extra} }`;
}

export interface SpecOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** The request body, query and first 2xx answer of an operation, as TypeScript. */
export function operationTypes(op: SpecOperation): { body: string; query: string; response: string } {
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => `${JSON.stringify(p.name)}${p.required === true ? '' : '?'}: ${toTs(p.schema)};`);
  const ok = Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s)).sort()[0];
  const responseSchema = ok === undefined ? undefined : op.responses?.[ok]?.content?.['application/json']?.schema;
  return {
    body: bodySchema === undefined ? 'undefined' : toTs(bodySchema),
    query: `{ ${query.join(' ')} }`,
    response: responseSchema === undefined ? 'undefined' : toTs(responseSchema),
  };
}

/**
 * A module the compiler accepts only if every listed operation agrees with the server:
 * - the SDK's body and query are accepted by the server's schema (some member of a union),
 *   with no top-level field the server does not know;
 * - some answer the server's schema allows fits the SDK's response type;
 * - the SDK's path parameters are exactly the path's placeholders.
 */
export function contractModule(operationsModule: string, checks: { name: string; path: string; op: SpecOperation }[]): string {
  const lines = [
    `import type { Operations } from ${JSON.stringify(operationsModule)};`,
    'type Is<T extends true> = T;',
    // Named keys only: an index signature (the SDK's "no parameters") names none.
    'type Known<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };',
    'type Fits<Sdk, M> = [Sdk] extends [M] ? ([Exclude<Known<Sdk>, keyof M>] extends [never] ? true : false) : false;',
    'type Sends<Sdk, Spec> = true extends (Spec extends unknown ? Fits<Sdk, Spec> : never) ? true : false;',
    'type Reads<Spec, Sdk> = [Extract<Spec, Sdk>] extends [never] ? false : true;',
    'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
  ];
  checks.forEach(({ name, path, op }, i) => {
    const t = operationTypes(op);
    const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => JSON.stringify(m[1]));
    const sdk = `Operations[${JSON.stringify(name)}]`;
    lines.push(
      `// ${name}`,
      `type Body${i} = ${t.body};`,
      `type Query${i} = ${t.query};`,
      `type Response${i} = ${t.response};`,
      `export type Check${i} = [`,
      `  Is<Sends<${sdk}['body'], Body${i}>>, // ${name}: body`,
      `  Is<Sends<${sdk}['query'], Query${i}>>, // ${name}: query`,
      `  Is<Reads<Response${i}, ${sdk}['response']>>, // ${name}: response`,
      `  Is<Same<Known<${sdk}['params']>, ${placeholders.length === 0 ? 'never' : placeholders.join(' | ')}>>, // ${name}: path parameters`,
      '];',
    );
  });
  return `${lines.join('\n')}\n`;
}
