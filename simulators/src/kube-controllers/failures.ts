/**
 * Failure injection: which objects the simulated controllers must never bring to ready, and why.
 * Pure.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';

export interface FailureRules {
  /** Image tags that never become ready: `['bad']` fails any container image ending in `:bad`. */
  imageTags?: string[];
  /** Objects with this annotation fail, its value being the reason. Default `sim.edge-fleet.dev/fail`. */
  annotation?: string;
  /**
   * How long a failing Deployment takes to report `ProgressDeadlineExceeded`, at most; its own
   * `spec.progressDeadlineSeconds` (default 600 s) applies when that is shorter.
   */
  progressDeadlineMs?: number;
}

export const DEFAULT_FAIL_ANNOTATION = 'sim.edge-fleet.dev/fail';

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The images of an object's pod template (workloads and Jobs) or pod spec. */
export function imagesOf(object: KubeObject): string[] {
  const spec = record(object['spec']);
  const podSpec = 'template' in spec ? record(record(spec['template'])['spec']) : spec;
  return ['initContainers', 'containers']
    .flatMap((field) => (Array.isArray(podSpec[field]) ? (podSpec[field] as unknown[]) : []))
    .map((container) => record(container)['image'])
    .filter((image): image is string => typeof image === 'string');
}

/** Why `object` fails, or `undefined` when it may become ready. */
export function failureOf(object: KubeObject, rules: FailureRules = {}): string | undefined {
  const annotation = object.metadata.annotations?.[rules.annotation ?? DEFAULT_FAIL_ANNOTATION];
  if (annotation !== undefined) return annotation === '' ? 'SimulatedFailure' : annotation;
  for (const image of imagesOf(object)) {
    const tag = (rules.imageTags ?? []).find((t) => image.endsWith(`:${t}`));
    if (tag !== undefined) return `image ${JSON.stringify(image)} cannot start (simulated failure for tag ${JSON.stringify(tag)})`;
  }
  return undefined;
}
