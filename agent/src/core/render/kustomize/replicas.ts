/**
 * The `replicas` field: sets `spec.replicas` of the workloads with that name (current, as
 * written, or as a base named it). Like kustomize, a name that matches no Deployment,
 * ReplicaSet, ReplicationController or StatefulSet is an error rather than a no-op.
 */
import type { ReplicaRule } from './kustomization.js';
import { cloneJson } from './json-value.js';
import { KustomizeError, type Resource } from './types.js';

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet']);

export function setReplicas(
  resources: readonly Resource[],
  rules: readonly ReplicaRule[],
  file: string,
  formerNames: (resource: Resource) => ReadonlySet<string>,
): Resource[] {
  let out = [...resources];
  for (const rule of rules) {
    let matched = false;
    out = out.map((resource) => {
      const { object } = resource;
      if (object.metadata.name !== rule.name && !formerNames(resource).has(rule.name)) return resource;
      if (!SCALABLE.has(object.kind)) return resource;
      matched = true;
      const copy = cloneJson(object);
      const spec = typeof copy['spec'] === 'object' && copy['spec'] !== null ? copy['spec'] as Record<string, unknown> : {};
      spec['replicas'] = rule.count;
      copy['spec'] = spec;
      return { ...resource, object: copy };
    });
    if (!matched) {
      throw new KustomizeError(file, `replicas: no Deployment, ReplicaSet, ReplicationController or StatefulSet is named ${rule.name}`);
    }
  }
  return out;
}
