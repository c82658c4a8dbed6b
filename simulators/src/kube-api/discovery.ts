/**
 * Discovery documents in their legacy JSON form (APIVersions, APIGroupList, APIResourceList),
 * built from a cluster's resource catalogue. kubectl asks for aggregated discovery first and
 * falls back to these when the answer is plain JSON. Pure.
 */
import type { ResourceCatalogue, ResourceType } from '../memory-kube/index.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-edge-fleet-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

export const apiVersions = (): Record<string, unknown> => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
});

export function apiGroupList(catalogue: ResourceCatalogue): Record<string, unknown> {
  const groups = catalogue
    .groupVersions()
    .filter(({ group }) => group !== '')
    .map(({ group, versions }) => {
      const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
      return { name: group, versions: entries, preferredVersion: entries[0] };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `undefined` when the group version is not served. */
export function apiResourceList(catalogue: ResourceCatalogue, group: string, version: string): Record<string, unknown> | undefined {
  const types = catalogue.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: types.flatMap((type) => [mainResource(type), ...type.subresources.map((sub) => subresource(type, sub))]),
  };
}

const mainResource = (type: ResourceType): Record<string, unknown> => ({
  name: type.plural,
  singularName: type.singular,
  namespaced: type.namespaced,
  kind: type.kind,
  verbs: type.verbs,
  ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
});

function subresource(type: ResourceType, sub: string): Record<string, unknown> {
  // The scale subresource speaks autoscaling/v1 Scale, which is how kubectl scale finds it.
  if (sub === 'scale') {
    return { name: `${type.plural}/scale`, singularName: '', namespaced: type.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  }
  return { name: `${type.plural}/${sub}`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] };
}
