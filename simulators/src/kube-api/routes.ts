/**
 * The REST paths of the Kubernetes API, parsed into what a request addresses. Pure.
 * Many clusters share one server: `/clusters/{id}/…` addresses cluster `id`, anything else the
 * default cluster.
 */

export const DEFAULT_CLUSTER = 'default';

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'openapi' }
  | { type: 'apiVersions' }
  | { type: 'groupList' }
  | { type: 'resourceList'; group: string; version: string }
  | {
      type: 'resource';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { type: 'unknown' };

export function splitCluster(pathname: string): { clusterId: string; path: string } {
  const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(pathname);
  if (match === null) return { clusterId: DEFAULT_CLUSTER, path: pathname };
  return { clusterId: decodeURIComponent(match[1] ?? ''), path: match[2] ?? '/' };
}

/** Routes a path within one cluster (the `/clusters/{id}` prefix already removed). */
export function parseRoute(path: string): Route {
  const segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  const [first, ...rest] = segments;
  if (first === 'version' && rest.length === 0) return { type: 'version' };
  if ((first === 'healthz' || first === 'readyz' || first === 'livez') && rest.length === 0) return { type: 'health' };
  if (first === 'openapi') return { type: 'openapi' };
  if (first === 'api') {
    const [version, ...tail] = rest;
    if (version === undefined) return { type: 'apiVersions' };
    return resourceRoute('', version, tail);
  }
  if (first === 'apis') {
    const [group, version, ...tail] = rest;
    if (group === undefined) return { type: 'groupList' };
    // `/apis/{group}` alone is a group document; clients here never need it.
    if (version === undefined) return { type: 'unknown' };
    return resourceRoute(group, version, tail);
  }
  return { type: 'unknown' };
}

function resourceRoute(group: string, version: string, tail: string[]): Route {
  if (tail.length === 0) return { type: 'resourceList', group, version };
  const base = { type: 'resource' as const, group, version };
  const [a, b, c, d, e, ...extra] = tail;
  // `namespaces/{ns}/{plural}/…` is inside a namespace; `namespaces` and `namespaces/{name}[/{sub}]`
  // address Namespace objects themselves.
  if (a === 'namespaces' && b !== undefined && c !== undefined && !(d === undefined && isNamespaceSubresource(c))) {
    if (extra.length > 0) return { type: 'unknown' };
    return withOptional({ ...base, plural: c, namespace: b }, d, e);
  }
  if (a === undefined || d !== undefined) return { type: 'unknown' };
  return withOptional({ ...base, plural: a }, b, c);
}

const isNamespaceSubresource = (segment: string): boolean => segment === 'status' || segment === 'finalize';

function withOptional<T extends object>(route: T, name: string | undefined, subresource: string | undefined): T & Route {
  return {
    ...route,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  } as T & Route;
}
