/**
 * Drift: does the live object differ from what a server-side apply of the desired object would
 * make of it? The shell asks the API server for that would-be object (a dry-run apply) and this
 * module compares the two after dropping what the server or controllers set on their own, the
 * way Flux's ssa package does. Fields other managers own appear in both and so never count.
 * Pure.
 */
import type { KubeObject } from '../kube-object.js';

export const DriftPolicy = { remediate: 'remediate', alert: 'alert' } as const;
export type DriftPolicy = (typeof DriftPolicy)[keyof typeof DriftPolicy];

/** Per-object override of the cluster's drift policy: `remediate` or `alert`. */
export const DRIFT_ANNOTATION = 'edge-fleet.dev/drift';

const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata the API server writes on every change; it differs between a dry run and the live object without meaning anything. */
const SERVER_METADATA = new Set([
  'managedFields',
  'resourceVersion',
  'generation',
  'uid',
  'creationTimestamp',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
]);

/**
 * The object as far as drift is concerned: without `status`, server-set metadata and kubectl's
 * last-applied annotation. `apiVersion` and `kind` go too: they name the object rather than
 * describe it, and items of a list response may come without them. Does not modify its input;
 * the result shares nested values with it.
 */
export function normalizeForCompare(object: KubeObject): unknown {
  const { apiVersion: _apiVersion, kind: _kind, status: _status, metadata, ...content } = object;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!SERVER_METADATA.has(key)) kept[key] = value;
  }
  // Absent and empty maps are the same to the API server; `{}` lets a removed entry show by its key.
  kept.annotations = withoutKey(metadata.annotations ?? {}, LAST_APPLIED_ANNOTATION);
  kept.labels = metadata.labels ?? {};
  return { ...content, metadata: kept };
}

/**
 * Sorted JSON paths at which `live` differs from `dryRun` after normalization; `[]` means no
 * drift. Lists of objects with a unique key (`name`, `mountPath`, …) are compared by that key, so
 * `.spec.template.spec.containers[name=web].image` names the container, and reordering such a
 * list is not drift; other lists are compared by index.
 */
export function driftPaths(dryRun: KubeObject, live: KubeObject): string[] {
  const paths: string[] = [];
  diffValues(normalizeForCompare(dryRun), normalizeForCompare(live), '', paths);
  return paths.sort();
}

/** The object's own annotation if it is a valid policy, else the cluster's default. */
export function driftPolicyFor(object: KubeObject, clusterDefault: DriftPolicy): DriftPolicy {
  const value = object.metadata.annotations?.[DRIFT_ANNOTATION]?.trim();
  return isDriftPolicy(value) ? value : clusterDefault;
}

export const isDriftPolicy = (value: unknown): value is DriftPolicy =>
  value === DriftPolicy.remediate || value === DriftPolicy.alert;

/** Strategic-merge keys of common Kubernetes lists, tried in order. */
const LIST_KEYS = ['name', 'mountPath', 'containerPort', 'port', 'devicePath', 'ip'] as const;

function diffValues(a: unknown, b: unknown, path: string, out: string[]): void {
  // The API server omits nulls in some places and writes them in others (`creationTimestamp: null`).
  const left = a ?? undefined;
  const right = b ?? undefined;
  if (isRecord(left) && isRecord(right)) {
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      diffValues(left[key], right[key], path + fieldSegment(key), out);
    }
  } else if (Array.isArray(left) && Array.isArray(right)) {
    diffLists(left, right, path, out);
  } else if (left !== right) {
    out.push(path || '.');
  }
}

function diffLists(left: readonly unknown[], right: readonly unknown[], path: string, out: string[]): void {
  const key = listKey(left, right);
  if (key === undefined) {
    for (let i = 0; i < Math.max(left.length, right.length); i += 1) diffValues(left[i], right[i], `${path}[${i}]`, out);
    return;
  }
  const byKey = (items: readonly unknown[]) => new Map(items.map((item) => [String((item as Record<string, unknown>)[key]), item]));
  const leftItems = byKey(left);
  const rightItems = byKey(right);
  for (const value of new Set([...leftItems.keys(), ...rightItems.keys()])) {
    diffValues(leftItems.get(value), rightItems.get(value), `${path}[${key}=${value}]`, out);
  }
}

/** The first key every item of both lists has, with a scalar value unique within each list. */
function listKey(left: readonly unknown[], right: readonly unknown[]): string | undefined {
  if (left.length + right.length === 0 || ![...left, ...right].every(isRecord)) return undefined;
  return LIST_KEYS.find((key) => uniqueScalars(left, key) && uniqueScalars(right, key));
}

function uniqueScalars(items: readonly unknown[], key: string): boolean {
  const values = items.map((item) => (item as Record<string, unknown>)[key]);
  return (
    values.every((value) => typeof value === 'string' || typeof value === 'number') &&
    new Set(values.map(String)).size === values.length
  );
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const fieldSegment = (key: string): string => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function withoutKey(map: Record<string, string>, key: string): Record<string, string> {
  if (!(key in map)) return map;
  const { [key]: _dropped, ...rest } = map;
  return rest;
}
