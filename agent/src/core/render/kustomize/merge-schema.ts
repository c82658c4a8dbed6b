/**
 * The strategic-merge schema of the core kinds: which lists merge, and by which keys, from the
 * `patchMergeKey` / `x-kubernetes-list-map-keys` of the Kubernetes API types. A list not named
 * here is atomic (the patch replaces it), as are all lists of kinds not named here (custom
 * resources), which is what kubectl kustomize does without an OpenAPI schema for them.
 */

/** How one field merges: `merge` lists by their keys, `union` primitive lists, or a nested type. */
export type FieldRule =
  | { list: 'merge'; keys: readonly string[]; item?: TypeName }
  | { list: 'union' }
  | { type: TypeName };

export type TypeName =
  | 'ObjectMeta' | 'PodTemplateSpec' | 'PodSpec' | 'Container' | 'WorkloadSpec' | 'JobTemplateSpec' | 'CronJobSpec'
  | 'ServiceSpec' | 'Workload' | 'Pod' | 'PodTemplate' | 'CronJob' | 'Service';

const keyed = (keys: readonly string[], item?: TypeName): FieldRule => (item ? { list: 'merge', keys, item } : { list: 'merge', keys });
const nested = (type: TypeName): FieldRule => ({ type });

const TYPES: Record<TypeName, Record<string, FieldRule>> = {
  ObjectMeta: {
    finalizers: { list: 'union' },
    ownerReferences: keyed(['uid']),
  },
  PodTemplateSpec: { metadata: nested('ObjectMeta'), spec: nested('PodSpec') },
  PodSpec: {
    containers: keyed(['name'], 'Container'),
    initContainers: keyed(['name'], 'Container'),
    ephemeralContainers: keyed(['name'], 'Container'),
    volumes: keyed(['name']),
    imagePullSecrets: keyed(['name']),
    hostAliases: keyed(['ip']),
    topologySpreadConstraints: keyed(['topologyKey', 'whenUnsatisfiable']),
    resourceClaims: keyed(['name']),
    schedulingGates: keyed(['name']),
  },
  Container: {
    ports: keyed(['containerPort', 'protocol']),
    env: keyed(['name']),
    volumeMounts: keyed(['mountPath']),
    volumeDevices: keyed(['devicePath']),
  },
  WorkloadSpec: { template: nested('PodTemplateSpec') },
  JobTemplateSpec: { metadata: nested('ObjectMeta'), spec: nested('WorkloadSpec') },
  CronJobSpec: { jobTemplate: nested('JobTemplateSpec') },
  ServiceSpec: { ports: keyed(['port', 'protocol']) },
  Workload: { metadata: nested('ObjectMeta'), spec: nested('WorkloadSpec') },
  Pod: { metadata: nested('ObjectMeta'), spec: nested('PodSpec') },
  PodTemplate: { metadata: nested('ObjectMeta'), template: nested('PodTemplateSpec') },
  CronJob: { metadata: nested('ObjectMeta'), spec: nested('CronJobSpec') },
  Service: { metadata: nested('ObjectMeta'), spec: nested('ServiceSpec') },
};

/** `group/kind` (core group empty) of the built-in kinds whose lists merge. */
const KINDS: Record<string, TypeName> = {
  '/Pod': 'Pod',
  '/PodTemplate': 'PodTemplate',
  '/ReplicationController': 'Workload',
  '/Service': 'Service',
  'apps/Deployment': 'Workload',
  'apps/StatefulSet': 'Workload',
  'apps/DaemonSet': 'Workload',
  'apps/ReplicaSet': 'Workload',
  'extensions/Deployment': 'Workload',
  'extensions/DaemonSet': 'Workload',
  'extensions/ReplicaSet': 'Workload',
  'batch/Job': 'Workload',
  'batch/CronJob': 'CronJob',
};

/** The schema type of an object of `apiVersion`/`kind`; `undefined` for kinds without one. */
export function schemaTypeOf(apiVersion: string, kind: string): TypeName | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return KINDS[`${group}/${kind}`];
}

export function fieldRule(type: TypeName | undefined, field: string): FieldRule | undefined {
  if (type === undefined) return undefined;
  const fields = TYPES[type];
  return Object.hasOwn(fields, field) ? fields[field] : undefined;
}
