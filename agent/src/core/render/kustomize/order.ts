/**
 * kustomize's "legacy" output order (the default of `kubectl kustomize`): kinds that others
 * depend on first, webhooks last, everything else by group_version_kind, then namespace and name.
 */
import type { KubeObject } from '../../kube-object.js';
import { gvkOf } from './field-specs.js';

const FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service',
  'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob',
  'PodDisruptionBudget',
];
const LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

const RANK: ReadonlyMap<string, number> = new Map([
  ...FIRST.map((kind, i) => [kind, i - FIRST.length] as const),
  ...LAST.map((kind, i) => [kind, i + 1] as const),
]);

function gvkString(object: KubeObject): string {
  const { group, version, kind } = gvkOf(object);
  return `${group || '~G'}_${version || '~V'}_${kind || '~K'}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareLegacy(a: KubeObject, b: KubeObject): number {
  const ga = gvkString(a);
  const gb = gvkString(b);
  if (ga !== gb) {
    const ra = RANK.get(a.kind) ?? 0;
    const rb = RANK.get(b.kind) ?? 0;
    return ra !== rb ? ra - rb : compareText(ga, gb);
  }
  const sa = `${ga}|${a.metadata.namespace ?? ''}|${a.metadata.name}`;
  const sb = `${gb}|${b.metadata.namespace ?? ''}|${b.metadata.name}`;
  return compareText(sa, sb);
}

export function sortLegacy<T extends { object: KubeObject }>(items: readonly T[]): T[] {
  // compareLegacy's keys, computed once per item rather than once per comparison.
  const keyed = items.map((item) => {
    const gvk = gvkString(item.object);
    return { item, gvk, rank: RANK.get(item.object.kind) ?? 0, id: `${gvk}|${item.object.metadata.namespace ?? ''}|${item.object.metadata.name}` };
  });
  keyed.sort((a, b) => (a.gvk !== b.gvk ? (a.rank !== b.rank ? a.rank - b.rank : compareText(a.gvk, b.gvk)) : compareText(a.id, b.id)));
  return keyed.map(({ item }) => item);
}
