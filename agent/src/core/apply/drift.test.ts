import { describe, expect, it } from 'vitest';
import { DRIFT_ANNOTATION, DriftPolicy, driftPaths, driftPolicyFor, normalizeForCompare } from './drift.js';
import type { KubeObject } from '../kube-object.js';

interface Container { name: string; image: string; [field: string]: unknown }

/** A Deployment as the API server returns it: server metadata, defaults filled in, a status. */
function liveDeployment(over: { replicas?: number; containers?: Container[]; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: '6a1f',
      resourceVersion: '1042',
      generation: 3,
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: over.labels ?? { app: 'web', 'edge-fleet.dev/owner': 'edge-agent' },
      annotations: over.annotations ?? { 'deployment.kubernetes.io/revision': '3' },
      managedFields: [{ manager: 'edge-agent', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    spec: {
      replicas: over.replicas ?? 2,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'web' } },
        spec: {
          containers: over.containers ?? [
            { name: 'web', image: 'shop/web:1.0', terminationMessagePath: '/dev/termination-log', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
            { name: 'proxy', image: 'envoy:1.30', args: ['--config', '/etc/envoy.yaml'] },
          ],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
    status: { observedGeneration: 3, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 },
  };
}

/** What a dry-run apply returns for an unchanged object: same content, fresh server metadata. */
function asDryRun(live: KubeObject, changes: (object: KubeObject) => void = () => {}): KubeObject {
  const object = structuredClone(live);
  object.metadata.resourceVersion = '1043';
  object.metadata.generation = 4;
  object.metadata.managedFields = [{ manager: 'edge-agent', operation: 'Apply', apiVersion: 'apps/v1', time: '2024-05-02T08:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
  changes(object);
  return object;
}

const web = (image: string, extra: Partial<Container> = {}): Container => ({ name: 'web', image, ...extra });

describe('driftPaths', () => {
  it.each<{ name: string; live: KubeObject; dryRun: KubeObject; paths: string[] }>([
    { name: 'identical', live: liveDeployment(), dryRun: liveDeployment(), paths: [] },
    {
      name: 'only server metadata differs',
      live: liveDeployment(),
      dryRun: asDryRun(liveDeployment()),
      paths: [],
    },
    {
      name: 'only status differs',
      live: liveDeployment(),
      dryRun: asDryRun(liveDeployment(), (o) => {
        o.status = { observedGeneration: 4, replicas: 0 };
      }),
      paths: [],
    },
    {
      name: 'kubectl last-applied annotation on one side only',
      live: liveDeployment({ annotations: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }),
      dryRun: asDryRun(liveDeployment()),
      paths: [],
    },
    {
      name: 'empty annotations against none',
      live: liveDeployment({ annotations: {} }),
      dryRun: asDryRun(liveDeployment(), (o) => {
        delete o.metadata.annotations;
      }),
      paths: [],
    },
    {
      // A label set by hand on a field we do not own survives the apply, so the dry run shows it too.
      name: 'a foreign label present in both',
      live: liveDeployment({ labels: { app: 'web', team: 'ops' } }),
      dryRun: asDryRun(liveDeployment({ labels: { app: 'web', team: 'ops' } })),
      paths: [],
    },
    {
      name: 'replicas scaled by hand',
      live: liveDeployment({ replicas: 5 }),
      dryRun: asDryRun(liveDeployment({ replicas: 2 })),
      paths: ['.spec.replicas'],
    },
    {
      name: 'a container image changed by hand',
      live: liveDeployment({ containers: [web('shop/web:hotfix'), { name: 'proxy', image: 'envoy:1.30' }] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('shop/web:1.0'), { name: 'proxy', image: 'envoy:1.30' }] })),
      paths: ['.spec.template.spec.containers[name=web].image'],
    },
    {
      name: 'an annotation we set was removed by hand',
      live: liveDeployment({ annotations: {} }),
      dryRun: asDryRun(liveDeployment({ annotations: { 'example.com/team': 'shop' } })),
      paths: ['.metadata.annotations["example.com/team"]'],
    },
    {
      name: 'a container added by hand, another removed',
      live: liveDeployment({ containers: [web('a'), { name: 'debug', image: 'busybox' }] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a'), { name: 'proxy', image: 'envoy' }] })),
      paths: ['.spec.template.spec.containers[name=debug]', '.spec.template.spec.containers[name=proxy]'],
    },
    {
      name: 'keyed list in another order is not drift',
      live: liveDeployment({ containers: [{ name: 'proxy', image: 'envoy' }, web('a')] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a'), { name: 'proxy', image: 'envoy' }] })),
      paths: [],
    },
    {
      name: 'args in another order is drift, by index',
      live: liveDeployment({ containers: [web('a', { args: ['--b', '--a'] })] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a', { args: ['--a', '--b'] })] })),
      paths: ['.spec.template.spec.containers[name=web].args[0]', '.spec.template.spec.containers[name=web].args[1]'],
    },
    {
      name: 'an argument appended',
      live: liveDeployment({ containers: [web('a', { args: ['--a', '--verbose'] })] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a', { args: ['--a'] })] })),
      paths: ['.spec.template.spec.containers[name=web].args[1]'],
    },
    {
      name: 'env keyed by name, ports by containerPort',
      live: liveDeployment({ containers: [web('a', { env: [{ name: 'LOG', value: 'debug' }], ports: [{ containerPort: 8080, protocol: 'UDP' }] })] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a', { env: [{ name: 'LOG', value: 'info' }], ports: [{ containerPort: 8080, protocol: 'TCP' }] })] })),
      paths: [
        '.spec.template.spec.containers[name=web].env[name=LOG].value',
        '.spec.template.spec.containers[name=web].ports[containerPort=8080].protocol',
      ],
    },
    {
      name: 'volume mounts sharing a name are keyed by mountPath',
      live: liveDeployment({ containers: [web('a', { volumeMounts: [{ name: 'data', mountPath: '/a', subPath: 'x' }, { name: 'data', mountPath: '/b' }] })] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a', { volumeMounts: [{ name: 'data', mountPath: '/a' }, { name: 'data', mountPath: '/b' }] })] })),
      paths: ['.spec.template.spec.containers[name=web].volumeMounts[mountPath=/a].subPath'],
    },
    {
      name: 'a value of another type',
      live: liveDeployment({ containers: [web('a', { args: 'oops' })] }),
      dryRun: asDryRun(liveDeployment({ containers: [web('a', { args: ['--a'] })] })),
      paths: ['.spec.template.spec.containers[name=web].args'],
    },
    {
      name: 'several differences come sorted',
      live: liveDeployment({ replicas: 1, labels: { app: 'x' }, containers: [web('b')] }),
      dryRun: asDryRun(liveDeployment({ replicas: 2, labels: { app: 'web' }, containers: [web('a')] })),
      paths: ['.metadata.labels.app', '.spec.replicas', '.spec.template.spec.containers[name=web].image'],
    },
  ])('$name', ({ live, dryRun, paths }) => {
    expect(driftPaths(dryRun, live)).toEqual(paths);
  });

  it('compares items of a list response that come without apiVersion and kind', () => {
    const { apiVersion: _a, kind: _k, ...item } = liveDeployment();
    expect(driftPaths(asDryRun(liveDeployment()), item as KubeObject)).toEqual([]);
  });

  it('compares top-level fields other than spec', () => {
    const configMap = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
    expect(driftPaths(configMap({ mode: 'a', 'app.conf': 'x' }), configMap({ mode: 'b', 'app.conf': 'y' }))).toEqual(['.data.mode', '.data["app.conf"]']);
  });
});

describe('normalizeForCompare', () => {
  it('keeps content and user metadata, drops what the server sets, and leaves its input alone', () => {
    const live = liveDeployment({ annotations: { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    live.metadata.deletionTimestamp = '2024-05-03T00:00:00Z';
    live.metadata.finalizers = ['example.com/keep'];
    const before = structuredClone(live);
    expect(normalizeForCompare(live)).toEqual({
      metadata: { name: 'web', namespace: 'shop', labels: live.metadata.labels, annotations: { a: '1' }, finalizers: ['example.com/keep'] },
      spec: live.spec,
    });
    expect(live).toEqual(before);
  });
});

describe('driftPolicyFor', () => {
  const withAnnotation = (value?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', ...(value === undefined ? {} : { annotations: { [DRIFT_ANNOTATION]: value } }) },
  });
  it.each([
    { name: 'no annotation: cluster default', value: undefined, clusterDefault: DriftPolicy.remediate, policy: 'remediate' },
    { name: 'no annotation: cluster default alert', value: undefined, clusterDefault: DriftPolicy.alert, policy: 'alert' },
    { name: 'annotation overrides to alert', value: 'alert', clusterDefault: DriftPolicy.remediate, policy: 'alert' },
    { name: 'annotation overrides to remediate', value: ' remediate ', clusterDefault: DriftPolicy.alert, policy: 'remediate' },
    { name: 'unknown value: cluster default', value: 'ignore', clusterDefault: DriftPolicy.alert, policy: 'alert' },
  ])('$name', ({ value, clusterDefault, policy }) => {
    expect(driftPolicyFor(withAnnotation(value), clusterDefault)).toBe(policy);
  });
});
