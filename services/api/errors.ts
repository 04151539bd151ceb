import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { toValidationIssues, ValidationFailed, type ValidationIssue } from '../../schemas';
import { ErrorBody } from '../../schemas/http';
import { RETRY_AFTER_SECONDS, unavailableDependency } from '../../adapters/dependencies';
import { IdempotencyKeyReused } from '../../store/idempotency';

// One error handler for the whole API: known failures become their status codes, everything
// else a bare 500 whose details stay in the log.

/** A failure the API answers with a status and a stable code. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** A stable reason beside the code (`enterprise_not_eligible` on a 409). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'not found'): ApiError => new ApiError(404, 'not_found', what);
export const conflict = (message: string, reason?: string): ApiError => new ApiError(409, 'conflict', message, {}, reason);

/** A 400 whose issues did not come from a route schema (a cursor, a workflow's own validation). */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '));
  }
}

function validationIssues(error: FastifyError): ValidationIssue[] {
  const where = error.validationContext;
  // Body paths are bare ("termSheet.amountCny"); the others say where they are ("query.limit").
  const base = where && where !== 'body' ? (where === 'querystring' ? 'query' : where) : '';
  const join = (...parts: string[]): string => parts.filter((part) => part !== '').join('.');
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.flatMap((issue) => {
      const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
      // A stray field is reported at its own path, so a client sees which one to drop.
      const keys = (issue.params as { keys?: unknown }).keys;
      if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
        return keys.map((key) => ({ path: join(base, path, String(key)), message: `unknown field "${String(key)}"` }));
      }
      return [{ path: join(base, path), message: issue.message ?? 'invalid' }];
    });
  }
  return [{ path: base, message: error.message }];
}

type ErrorAnswer = { status: number; body: ErrorBody | ValidationFailed; headers?: Record<string, string> };

function answerFor(error: FastifyError | Error, request: FastifyRequest): ErrorAnswer | null {
  if (error instanceof ApiError) {
    return { status: error.statusCode, body: { error: error.code, ...(error.reason ? { reason: error.reason } : {}), message: error.message }, headers: error.headers };
  }
  if (error instanceof InvalidInput) return { status: 400, body: { error: 'validation_failed', issues: error.issues } };
  if (error instanceof IdempotencyKeyReused) return { status: 409, body: { error: 'conflict', message: error.message } };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return { status: 400, body: { error: 'validation_failed', issues: validationIssues(fastifyError) } };
  // Unparseable JSON, an empty JSON body and the like: the body as a whole is the bad input.
  if (fastifyError.statusCode === 400) {
    return { status: 400, body: { error: 'validation_failed', issues: [{ path: '', message: error.message }] } };
  }
  const dependency = unavailableDependency(error);
  if (dependency) {
    request.log.warn({ err: error, dependency }, 'dependency unavailable');
    return {
      status: 503,
      body: { error: 'unavailable', message: `${dependency} is not answering; retry later` },
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && !isResponseSerializationError(error)) {
    const codes: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'rate_limited', 404: 'not_found', 405: 'method_not_allowed' };
    return { status, body: { error: codes[status] ?? 'bad_request', message: error.message } };
  }
  return null;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply: FastifyReply) => {
    const answer = answerFor(error, request);
    if (answer) {
      reply.headers(answer.headers ?? {});
      return reply.code(answer.status).send(answer.body);
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal' });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: 'not_found', message: 'no such route' }));
}

/** Turns a zod failure the route schema could not catch (e.g. a decoded cursor) into a 400. */
export function invalid(error: z.ZodError, prefix = ''): InvalidInput {
  return new InvalidInput(toValidationIssues(error).map((i) => ({ ...i, path: `${prefix}${i.path}` })));
}

/** The error answers every route declares besides its own, so OpenAPI lists them and the serializer checks them. */
export function errorResponses(...extra: (404 | 409)[]) {
  const described = <T extends z.ZodType>(schema: T, description: string) => schema.describe(description);
  const base = {
    400: described(ValidationFailed, 'Bad input; nothing was stored'),
    401: described(ErrorBody, 'Missing or invalid bearer token'),
    403: described(ErrorBody, 'The caller\'s role may not use this route'),
    429: described(ErrorBody, 'Too many requests from this caller'),
    500: described(ErrorBody, 'Unexpected failure; details are in the server log'),
    503: described(ErrorBody, 'A dependency (Temporal, MongoDB, Kafka) is down; see Retry-After'),
  };
  return {
    ...base,
    ...(extra.includes(404) ? { 404: described(ErrorBody, 'No such object, or it belongs to another party') } : {}),
    ...(extra.includes(409) ? { 409: described(ErrorBody, 'The object\'s state does not allow this, or the Idempotency-Key was used for another body') } : {}),
  };
}
