/**
 * What each simulated controller does with one version of an object: the status to write as soon
 * as it sees it, and the outcome to write later (ready, complete, failed), if any. Pure.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import {
  claimStatus,
  daemonSetStatus,
  DeploymentPhase,
  deploymentStatus,
  fieldsOf,
  isLoadBalancer,
  JobPhase,
  jobStatus,
  loadBalancerStatus,
  progressDeadlineMs,
  statefulSetStatus,
} from './status-builders.js';
import type { Fields, StatusContext } from './status-builders.js';

export interface Timing {
  readyAfterMs: number;
  /** Cap on how long a failing Deployment takes to report ProgressDeadlineExceeded. */
  progressDeadlineMs: number | undefined;
}

export interface KindController {
  apiVersion: string;
  kind: string;
  /** The status to write at once, or `undefined` to leave the status as it is. */
  start(object: KubeObject, context: StatusContext): Fields | undefined;
  /** The outcome and when to write it, or `undefined` when the object stays as it is. */
  outcome(object: KubeObject, context: StatusContext, timing: Timing): { afterMs: number; status: (object: KubeObject, context: StatusContext) => Fields } | undefined;
}

const statusOf = (object: KubeObject): Fields => fieldsOf(object['status']);
const observedCurrent = (object: KubeObject): boolean => statusOf(object)['observedGeneration'] === (object.metadata.generation ?? 1);
const hasCondition = (object: KubeObject, type: string): boolean =>
  Array.isArray(statusOf(object)['conditions']) &&
  (statusOf(object)['conditions'] as unknown[]).some((c) => fieldsOf(c)['type'] === type && fieldsOf(c)['status'] === 'True');

const deployments: KindController = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  // A controller that already reported this generation (say, before a restart) does not roll back its status.
  start: (object, context) => (observedCurrent(object) ? undefined : deploymentStatus(object, DeploymentPhase.progressing, context)),
  outcome: (object, context, timing) =>
    context.failure === undefined
      ? { afterMs: timing.readyAfterMs, status: (live, now) => deploymentStatus(live, DeploymentPhase.ready, now) }
      : {
          afterMs: Math.min(progressDeadlineMs(object), timing.progressDeadlineMs ?? Number.POSITIVE_INFINITY),
          status: (live, now) => deploymentStatus(live, DeploymentPhase.failed, now),
        },
};

const statefulSets: KindController = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  start: (object) => (observedCurrent(object) ? undefined : statefulSetStatus(object, false)),
  // StatefulSets have no progress deadline: a failing one just never gets ready.
  outcome: (_object, context, timing) =>
    context.failure === undefined ? { afterMs: timing.readyAfterMs, status: (live) => statefulSetStatus(live, true) } : undefined,
};

const daemonSets: KindController = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  start: (object, context) => (observedCurrent(object) ? undefined : daemonSetStatus(object, false, context)),
  outcome: (_object, context, timing) =>
    context.failure === undefined ? { afterMs: timing.readyAfterMs, status: (live, now) => daemonSetStatus(live, true, now) } : undefined,
};

const finished = (object: KubeObject): boolean => hasCondition(object, 'Complete') || hasCondition(object, 'Failed');

const jobs: KindController = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  start: (object, context) => (finished(object) || statusOf(object)['startTime'] !== undefined ? undefined : jobStatus(object, JobPhase.running, context)),
  outcome: (object, context, timing) =>
    finished(object)
      ? undefined
      : { afterMs: timing.readyAfterMs, status: (live, now) => jobStatus(live, now.failure === undefined ? JobPhase.complete : JobPhase.failed, now) },
};

const claims: KindController = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  start: (object) => (statusOf(object)['phase'] === 'Bound' ? undefined : claimStatus(object, false)),
  outcome: (object, context, timing) =>
    statusOf(object)['phase'] === 'Bound' || context.failure !== undefined ? undefined : { afterMs: timing.readyAfterMs, status: (live) => claimStatus(live, true) },
};

/** Services other than LoadBalancers have nothing to wait for. The address comes from the shell. */
export function serviceController(addressOf: (object: KubeObject) => string): KindController {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    start: (object) => (isLoadBalancer(object) && statusOf(object)['loadBalancer'] === undefined ? loadBalancerStatus(undefined) : undefined),
    outcome: (object, context, timing) =>
      !isLoadBalancer(object) || context.failure !== undefined ? undefined : { afterMs: timing.readyAfterMs, status: (live) => loadBalancerStatus(addressOf(live)) },
  };
}

export const WORKLOAD_CONTROLLERS: readonly KindController[] = [deployments, statefulSets, daemonSets, jobs, claims];
