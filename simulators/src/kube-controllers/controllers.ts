/**
 * Simulated controllers for one MemoryKube cluster: they follow Deployments, StatefulSets,
 * DaemonSets, Jobs, PersistentVolumeClaims and Services through the in-process watch and write
 * their status the way kube-controller-manager would: in progress as soon as a new generation
 * appears, ready (or failed, when a failure is injected) after a delay on an injectable clock.
 */
import { formatTime, isDeleting } from '../memory-kube/index.js';
import type { MemoryKube } from '../memory-kube/index.js';
import { KubeApiError } from '../../../agent/src/ports/kube.js';
import { refOf } from '../../../agent/src/core/kube-object.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { backgroundClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { failureOf } from './failures.js';
import type { FailureRules } from './failures.js';
import { serviceController, WORKLOAD_CONTROLLERS } from './kinds.js';
import type { KindController, Timing } from './kinds.js';
import type { Fields, StatusContext } from './status-builders.js';

export interface ControllerOptions {
  clock?: Clock;
  /** How long workloads take to become ready, Jobs to complete, claims to bind. Default 1000. */
  readyAfterMs?: number;
  failures?: FailureRules;
  /** Nodes in the simulated cluster: how many pods a DaemonSet runs. Default 1. */
  nodes?: number;
  /**
   * Called with a status write that failed for another reason than the object having gone away.
   * By default such an error is thrown (it is a bug in the simulator).
   */
  onError?: (error: unknown) => void;
}

export interface Controllers {
  /** Resolves once every status write started so far (and any it led to) is done. */
  settled(): Promise<void>;
  stop(): void;
}

/** The field manager of status writes, as on a real cluster. */
export const CONTROLLER_MANAGER = 'kube-controller-manager';

export const DEFAULT_READY_AFTER_MS = 1000;

interface Tracked {
  /** Which version of the object the controller works on: uid, generation and injected failure. */
  token: string;
  timer?: unknown;
}

export function startControllers(kube: MemoryKube, options: ControllerOptions = {}): Controllers {
  // Pending status writes do not hold the process: a simulator ends when its server closes.
  const clock = options.clock ?? backgroundClock;
  const rules = options.failures ?? {};
  const timing: Timing = { readyAfterMs: options.readyAfterMs ?? DEFAULT_READY_AFTER_MS, progressDeadlineMs: rules.progressDeadlineMs };
  const nodes = options.nodes ?? 1;
  const onError =
    options.onError ??
    ((error: unknown) => {
      throw error;
    });
  const tracked = new Map<string, Tracked>();
  const inFlight = new Set<Promise<void>>();
  const addresses = new Map<string, string>();

  const contextFor = (object: KubeObject): StatusContext => ({ time: formatTime(new Date(clock.now())), failure: failureOf(object, rules), nodes });
  const tokenOf = (object: KubeObject): string => `${object.metadata.uid ?? ''}|${object.metadata.generation ?? 1}|${failureOf(object, rules) ?? ''}`;
  const keyOf = (object: KubeObject): string => `${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;

  const run = (work: () => Promise<void>): void => {
    const done: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        // The object went away between the event and the write: nothing left to report on.
        if (!(error instanceof KubeApiError && error.code === 404)) onError(error);
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  /** Writes a status computed from the live object, unless it has moved on to another version. */
  const write = (ref: ObjectRef, token: string, status: (live: KubeObject, context: StatusContext) => Fields | undefined): void =>
    run(async () => {
      const live = await kube.get(ref);
      if (live === undefined || isDeleting(live) || tokenOf(live) !== token) return;
      const next = status(live, contextFor(live));
      if (next !== undefined) await kube.updateStatus(ref, next, { fieldManager: CONTROLLER_MANAGER });
    });

  const forget = (key: string): void => {
    const entry = tracked.get(key);
    if (entry?.timer !== undefined) clock.clearTimeout(entry.timer);
    tracked.delete(key);
  };

  const react = (controller: KindController, object: KubeObject): void => {
    const key = keyOf(object);
    if (isDeleting(object)) return forget(key);
    const token = tokenOf(object);
    // Its own status writes come back as events too; only a new version starts new work.
    if (tracked.get(key)?.token === token) return;
    forget(key);
    const entry: Tracked = { token };
    tracked.set(key, entry);
    const ref = refOf(object);
    const context = contextFor(object);
    if (controller.start(object, context) !== undefined) write(ref, token, (live, now) => controller.start(live, now));
    const outcome = controller.outcome(object, context, timing);
    if (outcome !== undefined) {
      entry.timer = clock.setTimeout(() => {
        entry.timer = undefined;
        write(ref, token, outcome.status);
      }, outcome.afterMs);
    }
  };

  const addressOf = (object: KubeObject): string => {
    const key = keyOf(object);
    const known = addresses.get(key);
    if (known !== undefined) return known;
    const n = addresses.size;
    const address = `172.18.${255 - Math.floor(n / 50)}.${200 + (n % 50)}`;
    addresses.set(key, address);
    return address;
  };

  const controllers = [...WORKLOAD_CONTROLLERS, serviceController(addressOf)];
  const unsubscribes = controllers.map((controller) =>
    kube.watch(controller.apiVersion, controller.kind, {}, (event) => {
      if (event.type === 'ERROR') return onError(new Error(`controller watch failed: ${event.object.message}`));
      if (event.type === 'DELETED') return forget(keyOf(event.object));
      react(controller, event.object);
    }),
  );

  return {
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      for (const key of [...tracked.keys()]) forget(key);
    },
  };
}
