/**
 * Where objects name other objects, after kustomize's default `nameReference` configuration for
 * the core kinds: when a referred object is renamed (prefix, suffix, hash) or moved, these
 * fields follow it.
 */

export interface Referrer {
  kind?: string;
  group?: string;
  path: string;
  /** The field's map names the kind it refers to (`roleRef`, `scaleTargetRef`, `subjects`). */
  kindField?: boolean;
  /** The field's map also carries the referred object's namespace (subjects, service references). */
  namespaceField?: boolean;
}

export interface ReferralRule {
  kind: string;
  group?: string;
  referrers: Referrer[];
}

const POD_SPECS: { kind: string; group?: string; prefix: string }[] = [
  { kind: 'Pod', prefix: 'spec' },
  { kind: 'Deployment', prefix: 'spec/template/spec' },
  { kind: 'ReplicaSet', prefix: 'spec/template/spec' },
  { kind: 'DaemonSet', prefix: 'spec/template/spec' },
  { kind: 'StatefulSet', prefix: 'spec/template/spec' },
  { kind: 'Job', prefix: 'spec/template/spec' },
  { kind: 'ReplicationController', prefix: 'spec/template/spec' },
  { kind: 'CronJob', prefix: 'spec/jobTemplate/spec/template/spec' },
];

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

function inPodSpecs(paths: string[]): Referrer[] {
  return POD_SPECS.flatMap(({ kind, prefix }) => paths.map((path) => ({ kind, path: `${prefix}/${path}` })));
}

function inContainers(paths: string[]): string[] {
  return CONTAINER_LISTS.flatMap((list) => paths.map((path) => `${list}/${path}`));
}

const INGRESS_KINDS = [{ kind: 'Ingress' }];

export const NAME_REFERENCES: ReferralRule[] = [
  {
    kind: 'ConfigMap',
    referrers: inPodSpecs([
      'volumes/configMap/name',
      'volumes/projected/sources/configMap/name',
      ...inContainers(['env/valueFrom/configMapKeyRef/name', 'envFrom/configMapRef/name']),
    ]),
  },
  {
    kind: 'Secret',
    referrers: [
      ...inPodSpecs([
        'volumes/secret/secretName',
        'volumes/projected/sources/secret/name',
        'imagePullSecrets/name',
        ...inContainers(['env/valueFrom/secretKeyRef/name', 'envFrom/secretRef/name']),
      ]),
      { kind: 'ServiceAccount', path: 'imagePullSecrets/name' },
      { kind: 'ServiceAccount', path: 'secrets/name' },
      ...INGRESS_KINDS.map(({ kind }) => ({ kind, path: 'spec/tls/secretName' })),
    ],
  },
  {
    kind: 'Service',
    referrers: [
      ...INGRESS_KINDS.flatMap(({ kind }) => [
        { kind, path: 'spec/rules/http/paths/backend/serviceName' },
        { kind, path: 'spec/rules/http/paths/backend/service/name' },
        { kind, path: 'spec/backend/serviceName' },
        { kind, path: 'spec/defaultBackend/service/name' },
      ]),
      { kind: 'StatefulSet', path: 'spec/serviceName' },
      { kind: 'APIService', path: 'spec/service/name', namespaceField: true },
      { kind: 'ValidatingWebhookConfiguration', path: 'webhooks/clientConfig/service/name', namespaceField: true },
      { kind: 'MutatingWebhookConfiguration', path: 'webhooks/clientConfig/service/name', namespaceField: true },
    ],
  },
  {
    kind: 'ServiceAccount',
    referrers: [
      ...inPodSpecs(['serviceAccountName']),
      { kind: 'RoleBinding', path: 'subjects/name', kindField: true, namespaceField: true },
      { kind: 'ClusterRoleBinding', path: 'subjects/name', kindField: true, namespaceField: true },
    ],
  },
  {
    kind: 'Role',
    referrers: [{ kind: 'RoleBinding', path: 'roleRef/name', kindField: true }],
  },
  {
    kind: 'ClusterRole',
    referrers: [
      { kind: 'RoleBinding', path: 'roleRef/name', kindField: true },
      { kind: 'ClusterRoleBinding', path: 'roleRef/name', kindField: true },
    ],
  },
  {
    kind: 'PersistentVolumeClaim',
    referrers: inPodSpecs(['volumes/persistentVolumeClaim/claimName']),
  },
  {
    kind: 'PersistentVolume',
    referrers: [{ kind: 'PersistentVolumeClaim', path: 'spec/volumeName' }],
  },
  {
    kind: 'StorageClass',
    referrers: [
      { kind: 'PersistentVolumeClaim', path: 'spec/storageClassName' },
      { kind: 'PersistentVolume', path: 'spec/storageClassName' },
      { kind: 'StatefulSet', path: 'spec/volumeClaimTemplates/spec/storageClassName' },
    ],
  },
  {
    kind: 'PriorityClass',
    referrers: inPodSpecs(['priorityClassName']),
  },
  {
    kind: 'IngressClass',
    referrers: [{ kind: 'Ingress', path: 'spec/ingressClassName' }],
  },
  ...['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].map((kind) => ({
    kind,
    referrers: [{ kind: 'HorizontalPodAutoscaler', path: 'spec/scaleTargetRef/name', kindField: true }],
  })),
];
