import { describe, expect, it } from 'vitest';
import { assessHealth, formatDuration, summarizeHealth } from './health.js';
import type { ObjectHealth, ObjectHealthStatus } from './health.js';
import type { KubeObject } from '../kube-object.js';

type Fields = Record<string, unknown>;

function object(apiVersion: string, kind: string, parts: { spec?: Fields; status?: unknown; generation?: number; metadata?: Fields } = {}): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name: 'x', namespace: 'shop', ...(parts.generation !== undefined ? { generation: parts.generation } : {}), ...parts.metadata },
    ...(parts.spec ? { spec: parts.spec } : {}),
    ...(parts.status !== undefined ? { status: parts.status } : {}),
  };
}
const condition = (type: string, status: string, reason = '', message = '') => ({ type, status, reason, message });

const deployment = (status: Fields | undefined, spec: Fields = { replicas: 3 }) =>
  object('apps/v1', 'Deployment', { spec, status: status && { observedGeneration: 2, ...status }, generation: 2 });
const rolledOut = { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };
const available = condition('Available', 'True', 'MinimumReplicasAvailable');
const progressed = condition('Progressing', 'True', 'NewReplicaSetAvailable');

const statefulSet = (status: Fields, spec: Fields = { replicas: 2 }) =>
  object('apps/v1', 'StatefulSet', { spec, status: { observedGeneration: 1, ...status }, generation: 1 });
const ssReady = { replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: 'web-1', updateRevision: 'web-1' };

const daemonSet = (status: Fields | undefined, spec: Fields = {}) => object('apps/v1', 'DaemonSet', { spec, ...(status ? { status } : {}) });
const dsReady = { desiredNumberScheduled: 4, currentNumberScheduled: 4, updatedNumberScheduled: 4, numberReady: 4, numberAvailable: 4 };

const job = (status: Fields) => object('batch/v1', 'Job', { status });
const claim = (phase?: string) => object('v1', 'PersistentVolumeClaim', { status: phase ? { phase } : {} });
const service = (type: string | undefined, ingress?: Fields[]) =>
  object('v1', 'Service', { spec: type ? { type } : {}, status: { loadBalancer: ingress ? { ingress } : {} } });
const crd = (...conditions: Fields[]) => object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', { status: { conditions } });
const pod = (phase: string, ...conditions: Fields[]) => object('v1', 'Pod', { status: { phase, conditions } });
const custom = (status?: unknown, generation?: number) =>
  object('example.com/v1', 'Widget', { ...(status !== undefined ? { status } : {}), ...(generation !== undefined ? { generation } : {}) });

interface Case { name: string; live: KubeObject; status: ObjectHealthStatus; reason: string; message?: RegExp }

const cases: Case[] = [
  // Deployment
  { name: 'Deployment rolled out', live: deployment({ ...rolledOut, conditions: [available, progressed] }), status: 'Current', reason: 'Available', message: /3 of 3/ },
  { name: 'Deployment without conditions, rolled out', live: deployment(rolledOut), status: 'Current', reason: 'Available' },
  { name: 'Deployment with no status yet', live: deployment(undefined), status: 'InProgress', reason: 'LessReplicas', message: /0 of 3 replicas created/ },
  { name: 'Deployment replicas default to 1', live: deployment({ replicas: 0 }, {}), status: 'InProgress', reason: 'LessReplicas', message: /0 of 1/ },
  { name: 'Deployment scaled to zero', live: deployment({}, { replicas: 0 }), status: 'Current', reason: 'Available' },
  { name: 'Deployment spec not observed', live: deployment({ ...rolledOut, observedGeneration: 1 }), status: 'InProgress', reason: 'LatestGenerationNotObserved', message: /generation 2/ },
  { name: 'Deployment updating', live: deployment({ ...rolledOut, updatedReplicas: 1 }), status: 'InProgress', reason: 'LessUpdated', message: /1 of 3 replicas updated/ },
  { name: 'Deployment old pods terminating', live: deployment({ ...rolledOut, replicas: 4 }), status: 'InProgress', reason: 'ExtraPods', message: /1 old replicas/ },
  { name: 'Deployment not available', live: deployment({ ...rolledOut, availableReplicas: 2 }), status: 'InProgress', reason: 'LessAvailable' },
  { name: 'Deployment not ready', live: deployment({ ...rolledOut, readyReplicas: 0 }), status: 'InProgress', reason: 'LessReady' },
  {
    name: 'Deployment Available=False',
    live: deployment({ ...rolledOut, conditions: [condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.')] }),
    status: 'InProgress',
    reason: 'NotAvailable',
    message: /minimum availability/,
  },
  {
    name: 'Deployment past its progress deadline',
    live: deployment({ replicas: 4, updatedReplicas: 1, conditions: [condition('Progressing', 'False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-7f" has timed out progressing.')] }),
    status: 'Failed',
    reason: 'ProgressDeadlineExceeded',
    message: /timed out/,
  },
  // StatefulSet
  { name: 'StatefulSet rolled out', live: statefulSet(ssReady), status: 'Current', reason: 'RolledOut', message: /web-1/ },
  { name: 'StatefulSet creating pods', live: statefulSet({ ...ssReady, replicas: 1 }), status: 'InProgress', reason: 'LessReplicas' },
  { name: 'StatefulSet not ready', live: statefulSet({ ...ssReady, readyReplicas: 1 }), status: 'InProgress', reason: 'LessReady' },
  { name: 'StatefulSet updating', live: statefulSet({ ...ssReady, updatedReplicas: 1, updateRevision: 'web-2' }), status: 'InProgress', reason: 'LessUpdated' },
  { name: 'StatefulSet revisions not converged', live: statefulSet({ ...ssReady, updateRevision: 'web-2' }), status: 'InProgress', reason: 'RevisionPending', message: /web-2/ },
  {
    name: 'StatefulSet OnDelete with an old revision',
    live: statefulSet({ ...ssReady, updatedReplicas: 0, updateRevision: 'web-2' }, { replicas: 2, updateStrategy: { type: 'OnDelete' } }),
    status: 'Current',
    reason: 'OnDelete',
  },
  { name: 'StatefulSet OnDelete still needs ready pods', live: statefulSet({ ...ssReady, readyReplicas: 1 }, { replicas: 2, updateStrategy: { type: 'OnDelete' } }), status: 'InProgress', reason: 'LessReady' },
  {
    name: 'StatefulSet partitioned rollout done',
    live: statefulSet({ replicas: 3, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' }, { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    status: 'Current',
    reason: 'PartitionRolledOut',
  },
  {
    name: 'StatefulSet partitioned rollout under way',
    live: statefulSet({ replicas: 3, readyReplicas: 3, updatedReplicas: 0, currentRevision: 'a', updateRevision: 'b' }, { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    status: 'InProgress',
    reason: 'LessUpdated',
    message: /0 of 1/,
  },
  // DaemonSet
  { name: 'DaemonSet rolled out', live: daemonSet(dsReady), status: 'Current', reason: 'RolledOut', message: /4 of 4 pods/ },
  { name: 'DaemonSet on no nodes', live: daemonSet({ desiredNumberScheduled: 0, currentNumberScheduled: 0 }), status: 'Current', reason: 'RolledOut' },
  { name: 'DaemonSet with no status yet', live: daemonSet(undefined), status: 'InProgress', reason: 'NotScheduled' },
  { name: 'DaemonSet scheduling', live: daemonSet({ ...dsReady, currentNumberScheduled: 3 }), status: 'InProgress', reason: 'LessScheduled' },
  { name: 'DaemonSet updating', live: daemonSet({ ...dsReady, updatedNumberScheduled: 2 }), status: 'InProgress', reason: 'LessUpdated', message: /2 of 4 pods updated/ },
  { name: 'DaemonSet OnDelete ignores updates', live: daemonSet({ ...dsReady, updatedNumberScheduled: 0 }, { updateStrategy: { type: 'OnDelete' } }), status: 'Current', reason: 'RolledOut' },
  { name: 'DaemonSet not available', live: daemonSet({ ...dsReady, numberAvailable: 3 }), status: 'InProgress', reason: 'LessAvailable' },
  { name: 'DaemonSet not ready', live: daemonSet({ ...dsReady, numberReady: 3 }), status: 'InProgress', reason: 'LessReady' },
  // Job
  { name: 'Job complete', live: job({ succeeded: 1, conditions: [condition('Complete', 'True')] }), status: 'Current', reason: 'Complete', message: /1 succeeded/ },
  { name: 'Job running', live: job({ active: 1 }), status: 'InProgress', reason: 'JobRunning', message: /1 active/ },
  { name: 'Job failed', live: job({ failed: 6, conditions: [condition('Failed', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] }), status: 'Failed', reason: 'BackoffLimitExceeded', message: /backoff limit/ },
  { name: 'Job suspended', live: job({ conditions: [condition('Suspended', 'True')] }), status: 'Current', reason: 'Suspended' },
  // PersistentVolumeClaim
  { name: 'PVC bound', live: claim('Bound'), status: 'Current', reason: 'Bound' },
  { name: 'PVC pending', live: claim('Pending'), status: 'InProgress', reason: 'NotBound', message: /Pending/ },
  { name: 'PVC with no phase', live: claim(), status: 'InProgress', reason: 'NotBound' },
  { name: 'PVC lost', live: claim('Lost'), status: 'Failed', reason: 'ClaimLost' },
  // Service
  { name: 'Service ClusterIP', live: service(undefined), status: 'Current', reason: 'ServiceReady' },
  { name: 'Service LoadBalancer with an address', live: service('LoadBalancer', [{ ip: '10.0.0.5' }]), status: 'Current', reason: 'LoadBalancerReady', message: /10\.0\.0\.5/ },
  { name: 'Service LoadBalancer pending', live: service('LoadBalancer'), status: 'InProgress', reason: 'LoadBalancerPending' },
  { name: 'Service LoadBalancer, empty ingress', live: service('LoadBalancer', []), status: 'InProgress', reason: 'LoadBalancerPending' },
  // CustomResourceDefinition
  { name: 'CRD established', live: crd(condition('NamesAccepted', 'True'), condition('Established', 'True')), status: 'Current', reason: 'Established' },
  { name: 'CRD not yet established', live: crd(condition('NamesAccepted', 'True'), condition('Established', 'False')), status: 'InProgress', reason: 'NotEstablished' },
  { name: 'CRD with no status', live: crd(), status: 'InProgress', reason: 'NotEstablished' },
  { name: 'CRD names conflict', live: crd(condition('NamesAccepted', 'False', 'MultipleNamesNotAllowed', '"widgets" is already in use')), status: 'Failed', reason: 'NamesNotAccepted', message: /already in use/ },
  // Pod
  { name: 'Pod running and ready', live: pod('Running', condition('Ready', 'True')), status: 'Current', reason: 'Ready' },
  { name: 'Pod running, not ready', live: pod('Running', condition('Ready', 'False', 'ContainersNotReady')), status: 'InProgress', reason: 'ContainersNotReady' },
  { name: 'Pod pending', live: pod('Pending'), status: 'InProgress', reason: 'PodPending' },
  { name: 'Pod succeeded', live: pod('Succeeded', condition('Ready', 'False')), status: 'Current', reason: 'PodSucceeded' },
  { name: 'Pod failed', live: pod('Failed'), status: 'Failed', reason: 'PodFailed' },
  // Anything else
  { name: 'object without status', live: object('v1', 'ConfigMap'), status: 'Current', reason: 'NoReadiness' },
  { name: 'status without conditions', live: custom({ phase: 'whatever' }), status: 'Current', reason: 'NoReadiness' },
  { name: 'Ready=True', live: custom({ conditions: [condition('Ready', 'True', 'Synced')] }), status: 'Current', reason: 'Synced' },
  { name: 'Ready=False', live: custom({ conditions: [condition('Ready', 'False', 'Waiting', 'waiting for the broker')] }), status: 'InProgress', reason: 'Waiting', message: /broker/ },
  { name: 'Ready=Unknown, no reason', live: custom({ conditions: [condition('Ready', 'Unknown')] }), status: 'InProgress', reason: 'NotReady', message: /Unknown/ },
  { name: 'Reconciling=True', live: custom({ conditions: [condition('Ready', 'True'), condition('Reconciling', 'True', 'Progressing')] }), status: 'InProgress', reason: 'Progressing' },
  { name: 'Stalled=True', live: custom({ conditions: [condition('Ready', 'False'), condition('Stalled', 'True', 'InvalidSpec', 'bad')] }), status: 'Failed', reason: 'InvalidSpec' },
  { name: 'generation not observed', live: custom({ observedGeneration: 3, conditions: [condition('Ready', 'True')] }, 4), status: 'InProgress', reason: 'LatestGenerationNotObserved' },
  { name: 'a kind named Deployment in another group', live: object('example.com/v1', 'Deployment', { spec: { replicas: 3 }, status: {} }), status: 'Current', reason: 'NoReadiness' },
  { name: 'malformed status', live: custom('broken'), status: 'Unknown', reason: 'MalformedStatus' },
  { name: 'being deleted', live: object('v1', 'ConfigMap', { metadata: { deletionTimestamp: '2024-05-01T00:00:00Z' } }), status: 'InProgress', reason: 'Terminating' },
  { name: 'a rolled-out Deployment being deleted', live: { ...deployment(rolledOut), metadata: { name: 'x', deletionTimestamp: '2024-05-01T00:00:00Z' } }, status: 'InProgress', reason: 'Terminating' },
];

describe('assessHealth', () => {
  it.each(cases)('$name', ({ live, status, reason, message }) => {
    const health = assessHealth(live);
    expect(health).toMatchObject({ status, reason });
    if (message) expect(health.message).toMatch(message);
  });

  it('reads old API groups of Deployments too', () => {
    const old = { ...deployment({ replicas: 0 }), apiVersion: 'extensions/v1beta1' };
    expect(assessHealth(old).reason).toBe('LessReplicas');
  });
});

const entry = (ref: string, status: ObjectHealthStatus, message = `${ref} says ${status}`): { ref: string; health: ObjectHealth } => ({
  ref,
  health: { status, reason: status, message },
});
const minutes = (n: number) => n * 60_000;
const at = (elapsedMs: number, deadlineMs?: number) => ({ appliedAt: 1_000_000, now: 1_000_000 + elapsedMs, ...(deadlineMs ? { deadlineMs } : {}) });

describe('summarizeHealth', () => {
  it.each([
    { name: 'nothing to assess', objects: [], timing: at(0), health: 'Healthy', reason: 'AllObjectsReady', message: 'no objects to assess' },
    { name: 'all current', objects: [entry('a', 'Current'), entry('b', 'Current')], timing: at(minutes(9)), health: 'Healthy', reason: 'AllObjectsReady', message: 'all 2 objects ready' },
    {
      name: 'in progress within the deadline',
      objects: [entry('a', 'Current'), entry('Deployment/shop/web', 'InProgress', '1 of 3 replicas available')],
      timing: at(minutes(1) + 30_000),
      health: 'Progressing',
      reason: 'ObjectsProgressing',
      message: '1 of 2 objects not ready yet (1m30s of 5m0s); first: Deployment/shop/web: 1 of 3 replicas available',
    },
    {
      name: 'in progress at the deadline',
      objects: [entry('Deployment/shop/web', 'InProgress', '1 of 3 replicas available'), entry('b', 'InProgress'), entry('c', 'Current')],
      timing: at(minutes(5)),
      health: 'Degraded',
      reason: 'HealthCheckTimeout',
      message: '2 of 3 objects not ready after 5m0s; first: Deployment/shop/web: 1 of 3 replicas available',
    },
    { name: 'a custom deadline', objects: [entry('a', 'InProgress')], timing: at(minutes(2), minutes(1)), health: 'Degraded', reason: 'HealthCheckTimeout', message: '1 of 1 objects not ready after 1m0s; first: a: a says InProgress' },
    { name: 'a clock behind the apply', objects: [entry('a', 'InProgress')], timing: at(-minutes(10)), health: 'Progressing', reason: 'ObjectsProgressing', message: '1 of 1 objects not ready yet (0s of 5m0s); first: a: a says InProgress' },
    {
      name: 'a failure decides, even before the deadline',
      objects: [entry('a', 'InProgress'), entry('b', 'Unknown'), entry('Job/shop/migrate', 'Failed', 'backoff limit reached'), entry('d', 'Failed')],
      timing: at(0),
      health: 'Failed',
      reason: 'ObjectFailed',
      message: '2 of 4 objects failed; first: Job/shop/migrate: backoff limit reached',
    },
    { name: 'unknown when nothing else decides', objects: [entry('a', 'Current'), entry('b', 'Unknown')], timing: at(minutes(9)), health: 'Unknown', reason: 'HealthUnknown', message: '1 of 2 objects could not be assessed; first: b: b says Unknown' },
    { name: 'in progress outweighs unknown', objects: [entry('b', 'Unknown'), entry('a', 'InProgress')], timing: at(0), health: 'Progressing', reason: 'ObjectsProgressing', message: '1 of 2 objects not ready yet (0s of 5m0s); first: a: a says InProgress' },
  ])('$name', ({ objects, timing, health, reason, message }) => {
    expect(summarizeHealth(objects, timing)).toMatchObject({ health, reason, message });
  });

  it('lists every object not current, most severe first, input order within', () => {
    const summary = summarizeHealth([entry('a', 'Unknown'), entry('b', 'InProgress'), entry('c', 'Current'), entry('d', 'Failed'), entry('e', 'InProgress')], at(0));
    expect(summary.notReady.map(({ ref, status }) => `${status} ${ref}`)).toEqual(['Failed d', 'InProgress b', 'InProgress e', 'Unknown a']);
    expect(summary.notReady[0]).toEqual({ ref: 'd', status: 'Failed', message: 'd says Failed' });
  });

  it('follows an object from applied to ready, and to degraded when it never gets there', () => {
    const applied = object('apps/v1', 'Deployment', { spec: { replicas: 2 }, generation: 1 });
    const ready = deployment({ ...rolledOut, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }, { replicas: 2 });
    const summarize = (live: KubeObject, elapsed: number) => summarizeHealth([{ ref: 'Deployment/shop/x', health: assessHealth(live) }], at(elapsed)).health;
    expect([summarize(applied, 0), summarize(ready, minutes(1)), summarize(applied, minutes(6))]).toEqual(['Progressing', 'Healthy', 'Degraded']);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45_000, '45s'],
    [300_000, '5m0s'],
    [3_723_000, '1h2m3s'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
