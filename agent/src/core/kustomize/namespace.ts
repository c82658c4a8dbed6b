/**
 * The `namespace` field: every namespaced object moves to the namespace, a Namespace object is
 * renamed to it, RoleBinding subjects named `default` follow it (kustomize's "defaultOnly"), and
 * webhook and APIService service references move with it. Service-account subjects that name an
 * object of the build are moved by the name-reference pass, as in kustomize.
 */
import type { KubeObject } from '../../ports/kube.js';
import { isClusterScoped, isContainer, visitFieldSpec, type FieldSpec } from './field-specs.js';
import { withOriginal } from './resource-id.js';
import type { Resource } from './types.js';

const SERVICE_NAMESPACE_SPECS: FieldSpec[] = [
  { group: 'apiregistration.k8s.io', kind: 'APIService', path: 'spec/service/namespace' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', path: 'webhooks/clientConfig/service/namespace' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', path: 'webhooks/clientConfig/service/namespace' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', path: 'spec/conversion/webhook/clientConfig/service/namespace' },
];

export function setNamespace(resources: readonly Resource[], namespace: string): Resource[] {
  return resources.map((resource) => {
    const object = structuredClone(resource.object);
    if (object.kind === 'Namespace') {
      object.metadata.name = namespace;
    } else if (!isClusterScoped(object)) {
      object.metadata.namespace = namespace;
    }
    if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') setDefaultSubjects(object, namespace);
    for (const spec of SERVICE_NAMESPACE_SPECS) {
      visitFieldSpec(object, spec, (parent, key) => {
        if (key in parent) parent[key] = namespace;
      });
    }
    return withOriginal(resource, object);
  });
}

function setDefaultSubjects(object: KubeObject, namespace: string): void {
  const subjects = object['subjects'];
  if (!Array.isArray(subjects)) return;
  for (const subject of subjects) {
    if (isContainer(subject) && subject['name'] === 'default') subject['namespace'] = namespace;
  }
}
