// The one place errors become responses: RFC 9457 problem+json, 4xx logged at info and 5xx
// at error, and nothing internal (stack, SQL, driver message) ever sent to the client.
import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem } from '../errors.js';
import { toFieldErrors } from './validation.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Maps Fastify's own client errors to catalogue errors with actionable detail. */
function fromFastify(err: FastifyError, request: FastifyRequest): AppError | null {
  const validation = (err as FastifyError & { validation?: ErrorObject[] }).validation;
  if (Array.isArray(validation)) {
    const part = (err as FastifyError & { validationContext?: string }).validationContext ?? 'body';
    const errors = toFieldErrors(part, validation);
    const first = errors[0];
    const detail = errors.length === 1 && first !== undefined ? first.message : `${errors.length} fields are not valid; see errors.`;
    return new AppError('validation_failed', detail, { errors });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('malformed_json', 'The body could not be parsed as JSON; send a valid JSON document.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'The body is empty but content-type is application/json; send a JSON document or no content-type.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', `The body is larger than the ${request.routeOptions.bodyLimit ?? 1048576} byte limit; split it into smaller requests.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('unsupported_media_type', `Content-type '${request.headers['content-type'] ?? ''}' is not accepted here; send application/json.`);
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_PARSER') {
    return new AppError('malformed_json', 'The body could not be parsed as JSON; send a valid JSON document.');
  }
  if (err.statusCode === 413) return new AppError('payload_too_large', 'The body is too large.');
  if (err.statusCode === 415) return new AppError('unsupported_media_type', 'The content type is not accepted here.');
  return null;
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) void reply.header(name, value);
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(err, reply.request.id));
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = error instanceof AppError ? error : fromFastify(error, request);
    if (appError !== null) {
      request.log.info({ code: appError.code, status: appError.status }, 'request rejected');
      return sendProblem(reply, appError);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, new AppError('internal', 'Something went wrong on our side; the request id identifies it in the server log.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}; see /docs for the API.`)),
  );
}
