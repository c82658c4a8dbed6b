/**
 * Health of one live object, in the manner of kstatus: Current when the object has reached what
 * its spec asks for, InProgress while a controller works on it, Failed when it will not get there
 * without someone changing something, Unknown when its status cannot be read. Knows the rollout
 * fields of the built-in workload kinds and otherwise reads the `Ready`/`Stalled`/`Reconciling`
 * conditions most controllers write. Pure; the shell reads objects and calls it again later.
 */
import type { Health } from '../../../../shared/src/protocol/protocol.js';
import type { KubeObject } from '../kube-object.js';
import { groupOf } from './change-set.js';

export type ObjectHealthStatus = 'Current' | 'InProgress' | 'Failed' | 'Unknown';

export interface ObjectHealth {
  status: ObjectHealthStatus;
  reason: string;
  message: string;
}

/** How long objects may stay InProgress after an apply before the revision counts as Degraded. */
export const DEFAULT_HEALTH_DEADLINE_MS = 5 * 60_000;

export interface HealthSummary {
  health: Health;
  reason: string;
  message: string;
  /** Every object not Current: Failed first, then InProgress, then Unknown, each in input order. */
  notReady: { ref: string; status: ObjectHealthStatus; message: string }[];
}

export interface HealthTiming {
  /** Epoch ms of the apply the objects are measured against. */
  appliedAt: number;
  now: number;
  deadlineMs?: number;
}

type Fields = Record<string, unknown>;
type Assess = (live: KubeObject, spec: Fields, status: Fields) => ObjectHealth;

export function assessHealth(live: KubeObject): ObjectHealth {
  const deletion = live.metadata.deletionTimestamp;
  if (deletion !== undefined && deletion !== null) return inProgress('Terminating', `being deleted since ${String(deletion)}`);
  if (live.status !== undefined && !isRecord(live.status)) return unknown('MalformedStatus', 'status is not an object');
  const status = live.status ?? {};
  // Until the controller has seen the latest spec, whatever the status says is about an older one.
  const generation = live.metadata.generation;
  const observed = status.observedGeneration;
  if (typeof generation === 'number' && typeof observed === 'number' && observed !== generation) {
    return inProgress('LatestGenerationNotObserved', `generation ${generation} not observed yet (controller is at ${observed})`);
  }
  const assess = BY_KIND[`${groupOf(live.apiVersion)}/${live.kind}`] ?? assessByConditions;
  return assess(live, (isRecord(live.spec) ? live.spec : {}), status);
}

/**
 * The revision's health from its objects': any Failed decides, then InProgress (Progressing
 * within the deadline, Degraded past it), then Unknown; all Current is Healthy.
 */
export function summarizeHealth(objects: readonly { ref: string; health: ObjectHealth }[], timing: HealthTiming): HealthSummary {
  const notReady = objects
    .filter(({ health }) => health.status !== 'Current')
    .map(({ ref, health }) => ({ ref, status: health.status, message: health.message }))
    .sort((a, b) => SEVERITY[a.status] - SEVERITY[b.status]);
  const total = objects.length;
  const of = (status: ObjectHealthStatus) => notReady.filter((entry) => entry.status === status);
  const first = (entries: typeof notReady) => `first: ${entries[0]!.ref}: ${entries[0]!.message}`;
  const failedOnes = of('Failed');
  if (failedOnes.length > 0) {
    return { health: 'Failed', reason: 'ObjectFailed', message: `${failedOnes.length} of ${total} objects failed; ${first(failedOnes)}`, notReady };
  }
  const waiting = of('InProgress');
  if (waiting.length > 0) {
    const deadline = timing.deadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS;
    const elapsed = Math.max(0, timing.now - timing.appliedAt);
    return elapsed >= deadline
      ? {
          health: 'Degraded',
          reason: 'HealthCheckTimeout',
          message: `${waiting.length} of ${total} objects not ready after ${formatDuration(deadline)}; ${first(waiting)}`,
          notReady,
        }
      : {
          health: 'Progressing',
          reason: 'ObjectsProgressing',
          message: `${waiting.length} of ${total} objects not ready yet (${formatDuration(elapsed)} of ${formatDuration(deadline)}); ${first(waiting)}`,
          notReady,
        };
  }
  const unassessed = of('Unknown');
  if (unassessed.length > 0) {
    return { health: 'Unknown', reason: 'HealthUnknown', message: `${unassessed.length} of ${total} objects could not be assessed; ${first(unassessed)}`, notReady };
  }
  return { health: 'Healthy', reason: 'AllObjectsReady', message: total === 0 ? 'no objects to assess' : `all ${total} objects ready`, notReady };
}

const SEVERITY: Readonly<Record<ObjectHealthStatus, number>> = { Failed: 0, InProgress: 1, Unknown: 2, Current: 3 };

/** Go's `time.Duration` style ("5m0s"), the way Kubernetes tools print deadlines. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const assessDeployment: Assess = (_live, spec, status) => {
  const progressing = conditionOf(status, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return failed('ProgressDeadlineExceeded', progressing.message || 'the rollout made no progress within spec.progressDeadlineSeconds');
  }
  const want = count(spec.replicas, 1);
  const replicas = count(status.replicas);
  const updated = count(status.updatedReplicas);
  const rollout =
    replicaShortfall(want, replicas, 'LessReplicas', 'created') ??
    replicaShortfall(want, updated, 'LessUpdated', 'updated') ??
    (replicas > updated ? inProgress('ExtraPods', `${replicas - updated} old replicas pending termination`) : undefined) ??
    replicaShortfall(want, count(status.availableReplicas), 'LessAvailable', 'available') ??
    replicaShortfall(want, count(status.readyReplicas), 'LessReady', 'ready');
  if (rollout) return rollout;
  const available = conditionOf(status, 'Available');
  if (available?.status === 'False') return inProgress('NotAvailable', available.message || 'Available condition is False');
  return current('Available', `${want} of ${want} replicas available`);
};

const assessStatefulSet: Assess = (_live, spec, status) => {
  const want = count(spec.replicas, 1);
  const readiness =
    replicaShortfall(want, count(status.replicas), 'LessReplicas', 'created') ??
    replicaShortfall(want, count(status.readyReplicas), 'LessReady', 'ready');
  if (readiness) return readiness;
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  // With OnDelete the controller never replaces pods itself, so revisions converge only when someone deletes pods.
  if (strategy.type === 'OnDelete') return current('OnDelete', `${want} of ${want} replicas ready; update strategy OnDelete`);
  const updated = count(status.updatedReplicas);
  const partition = isRecord(strategy.rollingUpdate) ? count(strategy.rollingUpdate.partition) : 0;
  if (partition > 0) {
    const target = Math.max(0, want - partition);
    if (updated < target) return inProgress('LessUpdated', `partitioned rollout: ${updated} of ${target} replicas updated`);
    return current('PartitionRolledOut', `partitioned rollout complete: ${updated} replicas updated, ${partition} held back`);
  }
  const shortfall = replicaShortfall(want, updated, 'LessUpdated', 'updated');
  if (shortfall) return shortfall;
  if (status.currentRevision !== status.updateRevision) {
    return inProgress('RevisionPending', `revision ${String(status.updateRevision)} is rolling out (current ${String(status.currentRevision)})`);
  }
  return current('RolledOut', `${want} of ${want} replicas ready at revision ${String(status.currentRevision)}`);
};

const assessDaemonSet: Assess = (_live, spec, status) => {
  if (typeof status.desiredNumberScheduled !== 'number') return inProgress('NotScheduled', 'desiredNumberScheduled not reported yet');
  const want = status.desiredNumberScheduled;
  const onDelete = isRecord(spec.updateStrategy) && spec.updateStrategy.type === 'OnDelete';
  const shortfall = (have: unknown, reason: string, what: string) => replicaShortfall(want, count(have), reason, what, 'pods');
  const rollout =
    shortfall(status.currentNumberScheduled, 'LessScheduled', 'scheduled') ??
    (onDelete ? undefined : shortfall(status.updatedNumberScheduled, 'LessUpdated', 'updated')) ??
    shortfall(status.numberAvailable, 'LessAvailable', 'available') ??
    shortfall(status.numberReady, 'LessReady', 'ready');
  return rollout ?? current('RolledOut', `${want} of ${want} pods ready`);
};

const assessJob: Assess = (_live, _spec, status) => {
  const tally = `${count(status.active)} active, ${count(status.succeeded)} succeeded, ${count(status.failed)} failed`;
  const jobFailed = conditionOf(status, 'Failed');
  if (jobFailed?.status === 'True') return failed(jobFailed.reason || 'JobFailed', jobFailed.message || tally);
  if (conditionOf(status, 'Complete')?.status === 'True') return current('Complete', tally);
  // A suspended Job waits on purpose; calling it progressing would only run into the deadline.
  if (conditionOf(status, 'Suspended')?.status === 'True') return current('Suspended', 'job is suspended');
  return inProgress('JobRunning', tally);
};

const assessClaim: Assess = (_live, _spec, status) => {
  switch (status.phase) {
    case 'Bound':
      return current('Bound', 'claim is bound');
    case 'Lost':
      return failed('ClaimLost', 'the bound volume is lost');
    default:
      return inProgress('NotBound', `claim is ${typeof status.phase === 'string' ? status.phase : 'not bound yet'}`);
  }
};

const assessService: Assess = (_live, spec, status) => {
  if (spec.type !== 'LoadBalancer') return current('ServiceReady', `service of type ${typeof spec.type === 'string' ? spec.type : 'ClusterIP'}`);
  const loadBalancer = isRecord(status.loadBalancer) ? status.loadBalancer : {};
  const ingress = Array.isArray(loadBalancer.ingress) ? loadBalancer.ingress.filter(isRecord) : [];
  if (ingress.length === 0) return inProgress('LoadBalancerPending', 'waiting for a load balancer address');
  const addresses = ingress.map((entry) => String(entry.ip ?? entry.hostname ?? '?')).join(', ');
  return current('LoadBalancerReady', `load balancer at ${addresses}`);
};

const assessCrd: Assess = (_live, _spec, status) => {
  const names = conditionOf(status, 'NamesAccepted');
  if (names?.status === 'False') return failed('NamesNotAccepted', names.message || 'names conflict with another definition');
  const established = conditionOf(status, 'Established');
  if (established?.status === 'True') return current('Established', 'the API serves the new kind');
  return inProgress('NotEstablished', established?.message || 'waiting for the API to serve the new kind');
};

const assessPod: Assess = (live, spec, status) => {
  switch (status.phase) {
    case 'Succeeded':
      return current('PodSucceeded', 'pod ran to completion');
    case 'Failed':
      return failed('PodFailed', typeof status.message === 'string' ? status.message : 'pod failed');
    case 'Running':
      return assessByConditions(live, spec, status);
    default:
      return inProgress('PodPending', `pod is ${typeof status.phase === 'string' ? status.phase : 'not scheduled yet'}`);
  }
};

/** Any other kind: the conditions most controllers write, and Current when there is nothing to wait for. */
const assessByConditions: Assess = (_live, _spec, status) => {
  const stalled = conditionOf(status, 'Stalled');
  if (stalled?.status === 'True') return failed(stalled.reason || 'Stalled', stalled.message || 'Stalled condition is True');
  const reconciling = conditionOf(status, 'Reconciling');
  if (reconciling?.status === 'True') return inProgress(reconciling.reason || 'Reconciling', reconciling.message || 'Reconciling condition is True');
  const ready = conditionOf(status, 'Ready');
  if (ready === undefined) return current('NoReadiness', 'no Ready condition to wait for');
  if (ready.status === 'True') return current(ready.reason || 'Ready', ready.message || 'Ready condition is True');
  return inProgress(ready.reason || 'NotReady', ready.message || `Ready condition is ${ready.status}`);
};

const BY_KIND: Readonly<Record<string, Assess>> = {
  'apps/Deployment': assessDeployment,
  'extensions/Deployment': assessDeployment,
  'apps/StatefulSet': assessStatefulSet,
  'apps/DaemonSet': assessDaemonSet,
  'extensions/DaemonSet': assessDaemonSet,
  'batch/Job': assessJob,
  '/PersistentVolumeClaim': assessClaim,
  '/Service': assessService,
  '/Pod': assessPod,
  'apiextensions.k8s.io/CustomResourceDefinition': assessCrd,
};

interface Condition {
  status: string;
  reason: string;
  message: string;
}

function conditionOf(status: Fields, type: string): Condition | undefined {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const found = conditions.find((c): c is Fields => isRecord(c) && c.type === type);
  if (!found) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { status: text(found.status) || 'Unknown', reason: text(found.reason), message: text(found.message) };
}

function replicaShortfall(want: number, have: number, reason: string, what: string, unit = 'replicas'): ObjectHealth | undefined {
  return have < want ? inProgress(reason, `${have} of ${want} ${unit} ${what}`) : undefined;
}

const count = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

const isRecord = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

const current = (reason: string, message: string): ObjectHealth => ({ status: 'Current', reason, message });
const inProgress = (reason: string, message: string): ObjectHealth => ({ status: 'InProgress', reason, message });
const failed = (reason: string, message: string): ObjectHealth => ({ status: 'Failed', reason, message });
const unknown = (reason: string, message: string): ObjectHealth => ({ status: 'Unknown', reason, message });
