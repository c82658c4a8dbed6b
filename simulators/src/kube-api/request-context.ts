/** What a resource handler needs to know about one request, decoded from HTTP. */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { MemoryKube, ResourceType } from '../memory-kube/index.js';
import { badRequest, KubeStatusError, PatchType, qualifiedName, StatusReason } from '../memory-kube/index.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { isObject } from '../memory-kube/field-path.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { Route } from './routes.js';

export type ResourceRoute = Extract<Route, { type: 'resource' }>;

export interface RequestContext {
  method: string;
  route: ResourceRoute;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body, read (with its size bound) only by handlers that need one. */
  body: () => Promise<Buffer>;
  kube: MemoryKube;
  now: Date;
  /** The time as it moves on, for answers that last (watches). */
  clock: () => Date;
  /** Timers for watch timeouts, so that tests can end a watch without waiting. */
  timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export interface Reply {
  status: number;
  body: unknown;
  /** A streamed answer (a watch): it writes the head and the body itself. */
  stream?: (response: ServerResponse) => void;
}

/** The media type of the body, without parameters. */
export const contentTypeOf = (headers: IncomingHttpHeaders): string =>
  (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * The writer's name: the `fieldManager` query parameter, else, as the API server does, the
 * User-Agent's program name (`kubectl/v1.32 (…)` → `kubectl`).
 */
export function fieldManagerOf(context: RequestContext): string | undefined {
  const given = context.query.get('fieldManager');
  if (given !== null) {
    if (given === '' || given.length > 128) throw badRequest('fieldManager must be between 1 and 128 characters long');
    return given;
  }
  const agent = context.headers['user-agent'];
  const program = agent?.split('/')[0]?.trim();
  return program === undefined || program === '' ? undefined : program;
}

export function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  const unknown = values.find((v) => v !== 'All');
  if (unknown !== undefined) throw badRequest(`unsupported dry run value ${JSON.stringify(unknown)}: only "All" is supported`);
  return values.length > 0;
}

/**
 * Checks a request body against the URL it was sent to, filling in the namespace (and name) the
 * URL gives when the body leaves them out, as the API server does.
 */
export function bindToRoute(body: unknown, type: ResourceType, route: ResourceRoute): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('the request body must be a JSON or YAML object');
  const object = structuredClone(body);
  const expected = type.group === '' ? type.version : `${type.group}/${type.version}`;
  if (object['apiVersion'] !== undefined && object['apiVersion'] !== expected) {
    throw badRequest(`the API version in the data (${String(object['apiVersion'])}) does not match the expected API version (${expected})`);
  }
  if (object['kind'] !== undefined && object['kind'] !== type.kind) {
    throw badRequest(`the kind in the data (${String(object['kind'])}) does not match the expected kind (${type.kind})`);
  }
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  object['metadata'] = metadata;
  if (type.namespaced && route.namespace !== undefined) {
    metadata['namespace'] ??= route.namespace;
    if (metadata['namespace'] !== route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }
  if (route.name !== undefined) {
    metadata['name'] ??= route.name;
    if (metadata['name'] !== route.name) {
      throw badRequest(`the name of the object (${String(metadata['name'])}) does not match the name on the URL (${route.name})`);
    }
  }
  return object;
}

export const unsupportedMediaType = (contentType: string): KubeStatusError =>
  new KubeStatusError(415, StatusReason.unsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${JSON.stringify(contentType)})`);

export const methodNotAllowed = (method: string): KubeStatusError =>
  new KubeStatusError(405, StatusReason.methodNotAllowed, `the server does not allow this method on the requested resource (${method})`);

export const PATCH_TYPES: Readonly<Record<string, PatchType | 'apply'>> = {
  'application/apply-patch+yaml': 'apply',
  'application/merge-patch+json': PatchType.merge,
  'application/strategic-merge-patch+json': PatchType.strategic,
  'application/json-patch+json': PatchType.json,
};

export function writeOptions(context: RequestContext): { fieldManager?: string; dryRun: boolean } {
  const fieldManager = fieldManagerOf(context);
  return { ...(fieldManager !== undefined ? { fieldManager } : {}), dryRun: dryRunOf(context.query) };
}

export async function existing(kube: MemoryKube, type: ResourceType, ref: ObjectRef): Promise<KubeObject> {
  const found = await kube.get(ref);
  if (found === undefined) throw notFound(type, ref.name);
  return found;
}

export const notFound = (type: ResourceType, name: string): KubeStatusError =>
  new KubeStatusError(404, StatusReason.notFound, `${qualifiedName(type, name)} not found`, {
    name,
    group: type.group,
    kind: type.plural,
  });

/**
 * Create and replace bodies must be JSON. kubectl sends protobuf for built-in kinds when it can;
 * a 415 makes client-go fall back to JSON, as it does against servers without protobuf.
 */
export function requireJson(context: RequestContext): void {
  const contentType = contentTypeOf(context.headers);
  if (contentType !== '' && contentType !== 'application/json' && contentType !== 'application/yaml') {
    throw unsupportedMediaType(contentType);
  }
}
