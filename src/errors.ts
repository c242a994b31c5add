// One closed catalogue of error codes. Every error a client can see comes from here and is
// rendered as RFC 9457 problem+json by http/problem.ts; anything not in the catalogue is an
// internal error whose details stay in the log.

export const ERRORS = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  webhook_verification_failed: { status: 400, title: 'The endpoint did not accept the verification event' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The API key lacks a required permission' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The resource already exists or was changed' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  schema_mismatch: { status: 422, title: 'Event data does not match the event type schema' },
  tenant_unavailable: { status: 422, title: 'The tenant does not exist or is disabled' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  backpressure: { status: 503, title: 'The delivery backlog is full; retry later' },
  unavailable: { status: 503, title: 'The service is not ready' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** One problem with one field of the request: where, which rule, and how to fix it. */
export interface FieldError {
  /** JSON pointer into the request part, e.g. `/body/retry/maxDelayMs`. */
  field: string;
  /** The rule that failed, e.g. `maximum`, `required`, `additionalProperties`, `https`. */
  rule: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function notFound(kind: string, id: string): AppError {
  return new AppError('not_found', `No ${kind} with id '${id}' exists (or it belongs to a tenant this key cannot see).`);
}

/** A validation error about one field. */
export function invalidField(field: string, rule: string, message: string): AppError {
  return new AppError('validation_failed', message, { errors: [{ field, rule, message }] });
}

export function toProblem(err: AppError, instance?: string): Problem {
  const problem: Problem = {
    type: `https://hookrelay.dev/problems/${err.code.replace(/_/g, '-')}`,
    title: ERRORS[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...err.extensions,
  };
  if (instance !== undefined) problem.instance = instance;
  if (err.errors !== undefined) problem.errors = err.errors;
  return problem;
}
