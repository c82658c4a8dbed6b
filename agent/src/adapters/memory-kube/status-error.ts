/**
 * Errors that carry the `details` of a Kubernetes `Status` (the kind and name concerned, and the
 * causes, one per invalid or conflicting field), so that the HTTP simulator can answer with the
 * same Status the real API server would.
 */
import { KubeApiError } from '../../ports/kube.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

export class KubeStatusError extends KubeApiError {
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(code, reason, message);
    this.details = details;
  }
}

export const StatusReason = {
  badRequest: 'BadRequest',
  notFound: 'NotFound',
  alreadyExists: 'AlreadyExists',
  conflict: 'Conflict',
  invalid: 'Invalid',
  forbidden: 'Forbidden',
  methodNotAllowed: 'MethodNotAllowed',
  unsupportedMediaType: 'UnsupportedMediaType',
  requestEntityTooLarge: 'RequestEntityTooLarge',
  notAcceptable: 'NotAcceptable',
  timeout: 'Timeout',
  internalError: 'InternalError',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export const badRequest = (message: string): KubeStatusError => new KubeStatusError(400, StatusReason.badRequest, message);
