/**
 * The statuses the simulated controllers write, shaped like kube-controller-manager's: what a
 * workload reports while it rolls out, once it is ready, and when it has failed. Pure: the object
 * and the moment go in, a status comes out. Zero counts are left out, as the API's `omitempty`
 * does.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';

export type Fields = Record<string, unknown>;

export interface StatusContext {
  /** `2025-01-01T00:00:00Z`. */
  time: string;
  /** Why the object fails (failure injection), if it does. */
  failure: string | undefined;
  /** Nodes a DaemonSet runs on. */
  nodes: number;
}

export const fieldsOf = (value: unknown): Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : {};

const countOf = (value: unknown, fallback = 0): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback);

const withoutZeros = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));

const specOf = (object: KubeObject): Fields => fieldsOf(object['spec']);
const previousOf = (object: KubeObject): Fields => fieldsOf(object['status']);
const desiredReplicas = (object: KubeObject): number => countOf(specOf(object)['replicas'], 1);

/** A revision name like the controllers' `web-7d4b9c8f6d`: the name and a hash of the pod template. */
export function revisionName(object: KubeObject): string {
  const hash = createHash('sha256').update(JSON.stringify(specOf(object)['template'] ?? {})).digest('hex').slice(0, 10);
  return `${object.metadata.name}-${hash}`;
}

/**
 * A condition; `lastTransitionTime` (and `lastUpdateTime`, where the kind has one) stay as they
 * were when the condition's status and reason did not change.
 */
function condition(previous: Fields, type: string, status: 'True' | 'False', reason: string, message: string, time: string, withUpdateTime: boolean): Fields {
  const conditions = Array.isArray(previous['conditions']) ? previous['conditions'].map(fieldsOf) : [];
  const before = conditions.find((c) => c['type'] === type);
  const transition = before !== undefined && before['status'] === status ? before['lastTransitionTime'] : time;
  const update = before !== undefined && before['status'] === status && before['reason'] === reason ? before['lastUpdateTime'] : time;
  return { type, status, ...(withUpdateTime ? { lastUpdateTime: update ?? time } : {}), lastTransitionTime: transition ?? time, reason, message };
}

export const DeploymentPhase = { progressing: 'progressing', ready: 'ready', failed: 'failed' } as const;
export type DeploymentPhase = (typeof DeploymentPhase)[keyof typeof DeploymentPhase];

export function deploymentStatus(object: KubeObject, phase: DeploymentPhase, context: StatusContext): Fields {
  const previous = previousOf(object);
  const want = desiredReplicas(object);
  const replicaSet = revisionName(object);
  const cond = (type: string, status: 'True' | 'False', reason: string, message: string): Fields =>
    condition(previous, type, status, reason, message, context.time, true);
  if (phase === DeploymentPhase.ready) {
    return {
      observedGeneration: object.metadata.generation ?? 1,
      ...withoutZeros({ replicas: want, updatedReplicas: want, readyReplicas: want, availableReplicas: want }),
      conditions: [
        cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
        cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${replicaSet}" has successfully progressed.`),
      ],
    };
  }
  // While rolling out, the old pods still serve (as many as there were); a failing rollout keeps none.
  const available = phase === DeploymentPhase.failed ? 0 : Math.min(want, countOf(previous['availableReplicas']));
  const ready = phase === DeploymentPhase.failed ? 0 : Math.min(want, countOf(previous['readyReplicas']));
  const availability =
    available >= want
      ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
  const progressing =
    phase === DeploymentPhase.failed
      ? cond('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${replicaSet}" has timed out progressing. ${context.failure ?? ''}`.trim())
      : cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${replicaSet}" is progressing.`);
  return {
    observedGeneration: object.metadata.generation ?? 1,
    ...withoutZeros({
      replicas: want,
      updatedReplicas: phase === DeploymentPhase.failed ? want : 0,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: want - available,
    }),
    conditions: [availability, progressing],
  };
}

export function statefulSetStatus(object: KubeObject, ready: boolean): Fields {
  const previous = previousOf(object);
  const want = desiredReplicas(object);
  const update = revisionName(object);
  const current = ready ? update : typeof previous['currentRevision'] === 'string' ? previous['currentRevision'] : update;
  const readyCount = ready ? want : Math.min(want, countOf(previous['readyReplicas']));
  return {
    observedGeneration: object.metadata.generation ?? 1,
    ...withoutZeros({
      replicas: want,
      readyReplicas: readyCount,
      currentReplicas: ready ? want : Math.min(want, countOf(previous['currentReplicas'])),
      updatedReplicas: ready ? want : 0,
      availableReplicas: readyCount,
    }),
    currentRevision: current,
    updateRevision: update,
    collisionCount: 0,
  };
}

export function daemonSetStatus(object: KubeObject, ready: boolean, context: StatusContext): Fields {
  const previous = previousOf(object);
  const nodes = context.nodes;
  const available = ready ? nodes : Math.min(nodes, countOf(previous['numberAvailable']));
  return {
    observedGeneration: object.metadata.generation ?? 1,
    currentNumberScheduled: nodes,
    desiredNumberScheduled: nodes,
    numberMisscheduled: 0,
    numberReady: ready ? nodes : Math.min(nodes, countOf(previous['numberReady'])),
    ...withoutZeros({ updatedNumberScheduled: ready ? nodes : 0, numberAvailable: available, numberUnavailable: nodes - available }),
  };
}

export const JobPhase = { running: 'running', complete: 'complete', failed: 'failed' } as const;
export type JobPhase = (typeof JobPhase)[keyof typeof JobPhase];

export function jobStatus(object: KubeObject, phase: JobPhase, context: StatusContext): Fields {
  const spec = specOf(object);
  const previous = previousOf(object);
  const startTime = typeof previous['startTime'] === 'string' ? previous['startTime'] : context.time;
  const base = { startTime, terminating: 0, uncountedTerminatedPods: {} };
  const cond = (type: string, reason: string, message: string): Fields => ({
    type,
    status: 'True',
    lastProbeTime: context.time,
    lastTransitionTime: context.time,
    reason,
    message,
  });
  if (phase === JobPhase.running) return { ...base, active: countOf(spec['parallelism'], 1), ready: 0 };
  if (phase === JobPhase.complete) {
    const done = 'Reached expected number of succeeded pods';
    return {
      ...base,
      completionTime: context.time,
      succeeded: countOf(spec['completions'], 1),
      ready: 0,
      conditions: [cond('SuccessCriteriaMet', 'CompletionsReached', done), cond('Complete', 'CompletionsReached', done)],
    };
  }
  const limit = 'Job has reached the specified backoff limit';
  const message = context.failure === undefined ? limit : `${limit}: ${context.failure}`;
  return {
    ...base,
    failed: countOf(spec['backoffLimit'], 6) + 1,
    ready: 0,
    conditions: [cond('FailureTarget', 'BackoffLimitExceeded', message), cond('Failed', 'BackoffLimitExceeded', message)],
  };
}

export function claimStatus(object: KubeObject, bound: boolean): Fields {
  if (!bound) return { phase: 'Pending' };
  const spec = specOf(object);
  const storage = fieldsOf(fieldsOf(spec['resources'])['requests'])['storage'];
  return {
    phase: 'Bound',
    ...(Array.isArray(spec['accessModes']) ? { accessModes: spec['accessModes'] } : {}),
    ...(typeof storage === 'string' ? { capacity: { storage } } : {}),
  };
}

export const loadBalancerStatus = (ip: string | undefined): Fields => ({ loadBalancer: ip === undefined ? {} : { ingress: [{ ip, ipMode: 'VIP' }] } });

export const isLoadBalancer = (object: KubeObject): boolean => specOf(object)['type'] === 'LoadBalancer';

export const progressDeadlineMs = (object: KubeObject): number => countOf(specOf(object)['progressDeadlineSeconds'], 600) * 1000;
