/**
 * `namePrefix` and `nameSuffix`. kustomize leaves CustomResourceDefinitions, APIServices and
 * Namespaces alone: their names are fixed by what they define.
 */
import { withOriginal } from './resource-id.js';
import type { Resource } from './types.js';

const SKIPPED_KINDS = new Set(['CustomResourceDefinition', 'APIService', 'Namespace']);

export function addNameAffixes(resources: readonly Resource[], prefix: string, suffix: string): Resource[] {
  if (prefix === '' && suffix === '') return [...resources];
  return resources.map((resource) => {
    if (SKIPPED_KINDS.has(resource.object.kind)) return resource;
    const { metadata } = resource.object;
    return withOriginal(resource, { ...resource.object, metadata: { ...metadata, name: `${prefix}${metadata.name}${suffix}` } });
  });
}
