/**
 * A resource's identity as kustomize tracks it: the name and namespace it was written with
 * (`Resource.original`), kept when a transformer renames or moves it.
 */
import type { KubeObject } from '../../kube-object.js';
import type { Resource } from './types.js';

export interface NameAndNamespace {
  name: string;
  namespace?: string;
}

export function originalId(resource: Resource): NameAndNamespace {
  if (resource.original) return resource.original;
  const { name, namespace } = resource.object.metadata;
  return namespace === undefined ? { name } : { name, namespace };
}

/** The resource carrying `object` instead, remembering where it started if it moved. */
export function withOriginal(resource: Resource, object: KubeObject): Resource {
  const next: Resource = { ...resource, object };
  const before = resource.object.metadata;
  if (!resource.original && (before.name !== object.metadata.name || before.namespace !== object.metadata.namespace)) {
    next.original = originalId(resource);
  }
  return next;
}

/** `group/version/kind/namespace/name`, the key kustomize refuses to see twice. */
export function idKey(object: KubeObject): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}

export function describeId(object: KubeObject): string {
  const ns = object.metadata.namespace;
  return `${object.kind} ${ns === undefined ? '' : `${ns}/`}${object.metadata.name} (${object.apiVersion})`;
}
