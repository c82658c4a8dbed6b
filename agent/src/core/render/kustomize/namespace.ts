/**
 * The `namespace` field: every namespaced object moves to the namespace, a Namespace object is
 * renamed to it, and RoleBinding subjects named `default` follow it (kustomize's "defaultOnly").
 * Subjects and webhook or APIService service references that name an object of the build are
 * moved by the name-reference pass, as in kustomize.
 */
import type { KubeObject } from '../../kube-object.js';
import { isClusterScoped, isContainer } from './field-specs.js';
import { withOriginal } from './resource-id.js';
import type { Resource } from './types.js';

export function setNamespace(resources: readonly Resource[], namespace: string): Resource[] {
  return resources.map((resource) => {
    // A copy of what changes (the object, its metadata, a binding's subjects); the rest is shared.
    const object: KubeObject = { ...resource.object, metadata: { ...resource.object.metadata } };
    if (object.kind === 'Namespace') {
      object.metadata.name = namespace;
    } else if (!isClusterScoped(object)) {
      object.metadata.namespace = namespace;
    }
    if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') setDefaultSubjects(object, namespace);
    return withOriginal(resource, object);
  });
}

function setDefaultSubjects(object: KubeObject, namespace: string): void {
  const subjects = object['subjects'];
  if (!Array.isArray(subjects)) return;
  object['subjects'] = subjects.map((subject: unknown) =>
    isContainer(subject) && subject['name'] === 'default' ? { ...subject, namespace } : subject);
}
