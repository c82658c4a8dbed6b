/**
 * Errors as the API answers them: `{ error: { kind, message } }` with a status that says what
 * the caller should do. FleetError kinds map onto statuses; the API adds its own few kinds.
 */
import type { FastifyError, FastifyReply } from 'fastify';
import type { ApiErrorBody, ApiErrorKind } from '../../../../shared/src/api/common.js';
import { describeError, isFleetError } from '../../../../shared/src/errors.js';

const STATUS: Record<ApiErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  stalled: 409,
  transient: 503,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The kind and message of any error a handler threw, fastify's own included. */
export function toErrorBody(error: unknown): { status: number; body: ApiErrorBody } {
  let kind: ApiErrorKind;
  let message: string;
  if (error instanceof ApiError) {
    kind = error.kind;
    message = error.message;
  } else if (isFleetError(error)) {
    kind = error.kind;
    message = describeError(error);
  } else {
    const status = (error as Partial<FastifyError>).statusCode;
    // Fastify's own 4xx (a body that is not JSON, too large, a bad content type) are the caller's to fix.
    if (status !== undefined && status >= 400 && status < 500) {
      return { status, body: { error: { kind: status === 404 ? 'not-found' : 'validation', message: (error as Error).message } } };
    }
    kind = 'internal';
    message = 'internal error; the hub log has the details';
  }
  return { status: STATUS[kind], body: { error: { kind, message } } };
}

export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = toErrorBody(error);
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(body);
}
