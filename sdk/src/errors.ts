// Errors the client throws: ProblemError for any answer the server refused (it carries the RFC
// 9457 problem, so callers can branch on `code` and show `errors` per field), and
// ConnectionError when no answer came at all.

export interface FieldError {
  /** JSON pointer into the request, e.g. /body/retry/maxDelayMs. */
  field: string;
  rule: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable code: validation_failed, not_found, rate_limited, backpressure, … */
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** Seconds the server asked to wait (Retry-After), on 429 and 503. */
  readonly retryAfterSeconds: number | null;

  constructor(readonly problem: Problem, retryAfterSeconds: number | null = null) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class ConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** The problem in an error answer; a synthetic one when the body is not problem+json (a proxy's page). */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  if (typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'number' && typeof (body as { code?: unknown }).code === 'string') {
    return body as Problem;
  }
  return { type: 'about:blank', title: statusText === '' ? 'Error' : statusText, status, detail: typeof body === 'string' ? body.slice(0, 500) : '', code: 'http_error' };
}
