/**
 * `commonLabels`, `labels` and `commonAnnotations`, with the field specs of kustomize's default
 * configuration: labels also go into selectors and pod templates where kustomize puts them, so
 * a Service or workload keeps selecting its own pods.
 */
import { compileFieldSpec, isContainer, specMatches, visitFieldSpecCopying, type FieldSpec } from './field-specs.js';
import type { LabelRule } from './kustomization.js';
import type { Resource } from './types.js';

const METADATA_LABELS: FieldSpec = { path: 'metadata/labels', create: true };

const AFFINITY_PATHS = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

/** Pod-template (and claim-template) label locations: `includeTemplates`. */
export const TEMPLATE_LABELS: FieldSpec[] = [
  { version: 'v1', kind: 'ReplicationController', path: 'spec/template/metadata/labels', create: true },
  { kind: 'Deployment', path: 'spec/template/metadata/labels', create: true },
  { kind: 'ReplicaSet', path: 'spec/template/metadata/labels', create: true },
  { kind: 'DaemonSet', path: 'spec/template/metadata/labels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/template/metadata/labels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true },
  { group: 'batch', kind: 'Job', path: 'spec/template/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/template/metadata/labels', create: true },
];

/** Everywhere `commonLabels` (and `labels` with `includeSelectors`) writes. */
export const COMMON_LABELS: FieldSpec[] = [
  METADATA_LABELS,
  { version: 'v1', kind: 'ReplicationController', path: 'spec/selector', create: true },
  { version: 'v1', kind: 'ReplicationController', path: 'spec/template/metadata/labels', create: true },
  { version: 'v1', kind: 'Service', path: 'spec/selector', create: true },
  { kind: 'Deployment', path: 'spec/selector/matchLabels', create: true },
  { kind: 'Deployment', path: 'spec/template/metadata/labels', create: true },
  ...AFFINITY_PATHS.map((path) => ({ group: 'apps', kind: 'Deployment', path })),
  { kind: 'ReplicaSet', path: 'spec/selector/matchLabels', create: true },
  { kind: 'ReplicaSet', path: 'spec/template/metadata/labels', create: true },
  { kind: 'DaemonSet', path: 'spec/selector/matchLabels', create: true },
  { kind: 'DaemonSet', path: 'spec/template/metadata/labels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/selector/matchLabels', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/template/metadata/labels', create: true },
  ...AFFINITY_PATHS.map((path) => ({ group: 'apps', kind: 'StatefulSet', path })),
  { group: 'apps', kind: 'StatefulSet', path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true },
  { group: 'batch', kind: 'Job', path: 'spec/selector/matchLabels' },
  { group: 'batch', kind: 'Job', path: 'spec/template/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/selector/matchLabels' },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/metadata/labels', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/template/metadata/labels', create: true },
  { group: 'policy', kind: 'PodDisruptionBudget', path: 'spec/selector/matchLabels' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy', path: 'spec/podSelector/matchLabels' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy', path: 'spec/ingress/from/podSelector/matchLabels' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy', path: 'spec/egress/to/podSelector/matchLabels' },
];

export const COMMON_ANNOTATIONS: FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  { version: 'v1', kind: 'ReplicationController', path: 'spec/template/metadata/annotations', create: true },
  { kind: 'Deployment', path: 'spec/template/metadata/annotations', create: true },
  { kind: 'ReplicaSet', path: 'spec/template/metadata/annotations', create: true },
  { kind: 'DaemonSet', path: 'spec/template/metadata/annotations', create: true },
  { group: 'apps', kind: 'StatefulSet', path: 'spec/template/metadata/annotations', create: true },
  { group: 'batch', kind: 'Job', path: 'spec/template/metadata/annotations', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/metadata/annotations', create: true },
  { group: 'batch', kind: 'CronJob', path: 'spec/jobTemplate/spec/template/metadata/annotations', create: true },
];

/** Adds `pairs` to the maps the specs name (creating them where a spec says so). */
export function addToMaps(resources: readonly Resource[], pairs: Record<string, string>, specs: readonly FieldSpec[]): Resource[] {
  if (Object.keys(pairs).length === 0) return [...resources];
  const compiled = specs.map(compileFieldSpec);
  // The specs matching each apiVersion and kind, found once rather than once per object.
  const matchingByType = new Map<string, typeof compiled>();
  // Copy-on-write: the maps written and the containers on the way to them are copied, once.
  const owned = new Set<unknown>();
  return resources.map((resource) => {
    const type = `${resource.object.apiVersion} ${resource.object.kind}`;
    let matching = matchingByType.get(type);
    if (!matching) {
      matching = compiled.filter((spec) => specMatches(spec, resource.object));
      matchingByType.set(type, matching);
    }
    let object = resource.object;
    for (const spec of matching) {
      object = visitFieldSpecCopying(object, spec, owned, (parent, key) => {
        const map = parent[key];
        if (map === undefined || map === null) {
          if (spec.create) parent[key] = { ...pairs };
        } else if (isContainer(map)) {
          parent[key] = Object.assign(owned.has(map) ? map : { ...map }, pairs);
        }
      });
    }
    return { ...resource, object };
  });
}

export function labelSpecs(rule: LabelRule): FieldSpec[] {
  if (rule.includeSelectors) return COMMON_LABELS;
  return rule.includeTemplates ? [...TEMPLATE_LABELS, METADATA_LABELS] : [METADATA_LABELS];
}
