/**
 * What the API server itself writes into objects it stores, where the rest of the system relies
 * on it: a Namespace is `Active`, a CustomResourceDefinition is `Established` at once (there is
 * no controller here to take its time).
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { isObject } from './field-path.js';

export function serverStatus(object: KubeObject, time: string): unknown {
  if (object.apiVersion === 'v1' && object.kind === 'Namespace') return { phase: 'Active' };
  if (object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/')) {
    const spec = isObject(object['spec']) ? object['spec'] : {};
    const versions = Array.isArray(spec['versions']) ? spec['versions'] : [];
    const storage = versions.find((v) => isObject(v) && v['storage'] === true);
    const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({
      type,
      status: 'True',
      lastTransitionTime: time,
      reason,
      message,
    });
    return {
      acceptedNames: spec['names'] ?? {},
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      storedVersions: isObject(storage) && typeof storage['name'] === 'string' ? [storage['name']] : [],
    };
  }
  return object['status'];
}
