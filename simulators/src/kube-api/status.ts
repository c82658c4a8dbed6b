/** Kubernetes `Status` objects: how the API server reports failures (and some successes). */
import { KubeApiError } from '../../../agent/src/ports/kube.js';
import { KubeStatusError, StatusReason } from '../memory-kube/index.js';
import type { StatusDetails } from '../memory-kube/index.js';

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails & { uid?: string };
  code: number;
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details !== undefined ? { details } : {}),
    code,
  };
}

export const success = (details: StatusDetails & { uid?: string }): StatusObject => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details,
  code: 200,
});

/** The Status for a thrown error; anything that is not an API error is an internal error. */
export function statusOf(error: unknown): StatusObject {
  if (error instanceof KubeStatusError) return failure(error.code, error.reason, error.message, error.details);
  if (error instanceof KubeApiError) return failure(error.code, error.reason, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return failure(500, StatusReason.internalError, `an error on the server has prevented the request from succeeding: ${message}`);
}

export const notFoundPath = (): StatusObject =>
  failure(404, StatusReason.notFound, 'the server could not find the requested resource', {});
