/**
 * The resource catalogue: which kinds a cluster serves, under which REST names. It is what
 * discovery documents are made of, and how a `(apiVersion, kind)` pair becomes a path.
 */

export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Subresources served under `{plural}/{name}/{sub}`, e.g. `status`, `scale`. */
  subresources: string[];
  /**
   * Built-in kinds have known schemas, so their keyed lists (`containers` by `name`) merge item by
   * item; custom kinds are schemaless here and every list is atomic.
   */
  builtIn: boolean;
}

/**
 * Whether `.status` is written only through the status subresource, so that writes to the main
 * resource leave it alone. Built-in kinds without one have no status field at all; only custom
 * kinds whose definition declares no status subresource keep status in the main resource.
 */
export const statusIsSubresource = (type: ResourceType): boolean => type.builtIn || type.subresources.includes('status');

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const groupVersionOf = (type: Pick<ResourceType, 'group' | 'version'>): string =>
  type.group === '' ? type.version : `${type.group}/${type.version}`;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

type Row = [group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames?: string[], subresources?: string[]];

const BUILT_IN: Row[] = [
  ['', 'v1', 'Namespace', 'namespaces', false, ['ns'], ['status', 'finalize']],
  ['', 'v1', 'ConfigMap', 'configmaps', true, ['cm']],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'Service', 'services', true, ['svc'], ['status']],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']],
  ['', 'v1', 'Pod', 'pods', true, ['po'], ['status']],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']],
  ['', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']],
  ['', 'v1', 'Endpoints', 'endpoints', true, ['ep']],
  ['', 'v1', 'Event', 'events', true, ['ev']],
  ['', 'v1', 'Node', 'nodes', false, ['no'], ['status']],
  ['', 'v1', 'ResourceQuota', 'resourcequotas', true, ['quota'], ['status']],
  ['', 'v1', 'LimitRange', 'limitranges', true, ['limits']],
  ['apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['status', 'scale']],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale']],
  ['apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status']],
  ['apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale']],
  ['batch', 'v1', 'Job', 'jobs', true, [], ['status']],
  ['batch', 'v1', 'CronJob', 'cronjobs', true, ['cj'], ['status']],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing'], ['status']],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']],
  ['networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds'], ['status']],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status']],
  ['storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']],
  ['scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, ['pc']],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false],
  ['admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false],
  ['coordination.k8s.io', 'v1', 'Lease', 'leases', true],
];

export const builtInResourceTypes = (): ResourceType[] =>
  BUILT_IN.map(([group, version, kind, plural, namespaced, shortNames = [], subresources = []]) => ({
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    verbs: [...ALL_VERBS],
    subresources,
    builtIn: true,
  }));

/** A mutable set of served types: built-ins plus whatever CustomResourceDefinitions add. */
export class ResourceCatalogue {
  private readonly types: ResourceType[];

  constructor(types: ResourceType[] = builtInResourceTypes()) {
    this.types = [...types];
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** Group versions in discovery order: the core group first, then groups as registered. */
  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }

  /** Replaces every type of `(group, kind)` with `types`; an empty list unregisters the kind. */
  replaceKind(group: string, kind: string, types: ResourceType[]): void {
    for (let i = this.types.length - 1; i >= 0; i--) {
      const t = this.types[i];
      if (t !== undefined && t.group === group && t.kind === kind && !t.builtIn) this.types.splice(i, 1);
    }
    this.types.push(...types);
  }
}

/**
 * The types a CustomResourceDefinition serves, or an empty list when it is not well formed enough
 * to serve anything (the API server would have rejected it; the simulator just serves nothing).
 */
export function typesFromCrd(crd: Record<string, unknown>): ResourceType[] {
  const spec = crd['spec'] as Record<string, unknown> | undefined;
  const names = spec?.['names'] as Record<string, unknown> | undefined;
  const group = spec?.['group'];
  const kind = names?.['kind'];
  const plural = names?.['plural'];
  const versions = spec?.['versions'];
  if (typeof group !== 'string' || typeof kind !== 'string' || typeof plural !== 'string') return [];
  if (!Array.isArray(versions)) return [];
  const singular = typeof names?.['singular'] === 'string' ? (names['singular'] as string) : kind.toLowerCase();
  const shortNames = Array.isArray(names?.['shortNames']) ? (names['shortNames'] as unknown[]).map(String) : [];
  return versions
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && v['served'] !== false)
    .filter((v) => typeof v['name'] === 'string')
    .map((v) => ({
      group,
      version: v['name'] as string,
      kind,
      plural,
      singular,
      namespaced: spec?.['scope'] !== 'Cluster',
      shortNames,
      verbs: [...ALL_VERBS],
      subresources: subresourcesOf(v['subresources']),
      builtIn: false,
    }));
}

function subresourcesOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return ['status', 'scale'].filter((name) => name in value);
}
