/**
 * Errors that carry the `details` of a Kubernetes `Status` (the kind and name concerned, and the
 * causes, one per invalid or conflicting field), so that the HTTP simulator can answer with the
 * same Status the real API server would.
 */
import { KubeApiError } from '../../../agent/src/ports/kube.js';
import type { ResourceType } from './catalogue.js';
import { isObject } from './field-path.js';

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

/** `deployments.apps "web"`, as the API server names an object in its messages. */
export const qualifiedName = (type: ResourceType, name: string): string =>
  `${type.plural}${type.group === '' ? '' : `.${type.group}`} ${JSON.stringify(name)}`;

export const notFoundError = (type: ResourceType, name: string): KubeStatusError =>
  new KubeStatusError(404, StatusReason.notFound, `${qualifiedName(type, name)} not found`, { name, group: type.group, kind: type.plural });

/** 422 with the API server's wording: `Deployment.apps "x" is invalid: metadata.name: …`. */
export function invalidError(type: ResourceType | undefined, object: unknown, causes: StatusCause[]): KubeStatusError {
  const metadata = isObject(object) && isObject(object['metadata']) ? object['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const kind = type?.kind ?? (isObject(object) && typeof object['kind'] === 'string' ? object['kind'] : 'Object');
  const what = type === undefined || type.group === '' ? kind : `${kind}.${type.group}`;
  const list = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`));
  const message = `${what} ${JSON.stringify(name)} is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  return new KubeStatusError(422, StatusReason.invalid, message, { name, group: type?.group ?? '', kind, causes });
}
