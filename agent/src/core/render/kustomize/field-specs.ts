/**
 * kustomize's field specs: "this path, in objects of this group/version/kind". A path is
 * slash-separated; a list met on the way is entered element by element (`[]` may say so
 * explicitly), as kustomize's fieldspec walker does.
 */
import type { KubeObject } from '../../kube-object.js';

export interface FieldSpec {
  group?: string;
  version?: string;
  kind?: string;
  path: string;
  /** Create missing maps on the way (and the last one) instead of skipping the object. */
  create?: boolean;
}

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export function gvkOf(object: KubeObject): Gvk {
  const apiVersion = object.apiVersion;
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: object.kind,
  };
}

export function specMatches(spec: Pick<FieldSpec, 'group' | 'version' | 'kind'>, object: KubeObject): boolean {
  // Called for every spec on every object: compares without building the object's Gvk.
  if (spec.kind !== undefined && spec.kind !== object.kind) return false;
  if (spec.group === undefined && spec.version === undefined) return true;
  const gvk = gvkOf(object);
  return (spec.group === undefined || spec.group === gvk.group) && (spec.version === undefined || spec.version === gvk.version);
}

export type Container = Record<string, unknown>;

/** One step of a field spec's path: a key, and whether the path says a list is entered there. */
export interface PathSegment {
  key: string;
  list: boolean;
}

/** A field spec with its path split once, for specs visited on many objects. */
export type CompiledFieldSpec<T extends FieldSpec = FieldSpec> = T & { segments: readonly PathSegment[] };

export function compileFieldSpec<T extends FieldSpec>(spec: T): CompiledFieldSpec<T> {
  const segments = spec.path.split('/').map((head) => (head.endsWith('[]') ? { key: head.slice(0, -2), list: true } : { key: head, list: false }));
  return { ...spec, segments };
}

/**
 * Calls `visit(parent, key)` for every place `spec.path` names in `object` whose parent exists
 * (or was created). The visitor decides what to do with `parent[key]`, present or not.
 */
export function visitFieldSpec(object: KubeObject, spec: FieldSpec | CompiledFieldSpec, visit: (parent: Container, key: string) => void): void {
  if (!specMatches(spec, object)) return;
  const segments = 'segments' in spec ? spec.segments : compileFieldSpec(spec).segments;
  walk(object, segments, 0, spec.create === true, visit);
}

function walk(node: unknown, segments: readonly PathSegment[], index: number, create: boolean, visit: (parent: Container, key: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, segments, index, create, visit);
    return;
  }
  const segment = segments[index];
  if (!isContainer(node) || segment === undefined) return;
  if (index === segments.length - 1) {
    visit(node, segment.key);
    return;
  }
  let next = node[segment.key];
  if ((next === undefined || next === null) && create && !segment.list) {
    next = {};
    node[segment.key] = next;
  }
  if (next === undefined || next === null) return;
  walk(next, segments, index + 1, create, visit);
}

/**
 * `visitFieldSpec` on a copy of `object`: each container on the way is copied before it is
 * entered (once: `owned` holds the copies made so far), so the visitor may change `parent`
 * in place; everything off the path stays shared with `object`.
 */
export function visitFieldSpecCopying(
  object: KubeObject,
  spec: CompiledFieldSpec,
  owned: Set<unknown>,
  visit: (parent: Container, key: string) => void,
): KubeObject {
  if (!specMatches(spec, object)) return object;
  return walkCopying(object, spec.segments, 0, spec.create === true, owned, visit) as KubeObject;
}

function walkCopying(
  node: unknown,
  segments: readonly PathSegment[],
  index: number,
  create: boolean,
  owned: Set<unknown>,
  visit: (parent: Container, key: string) => void,
): unknown {
  if (Array.isArray(node)) {
    const list = own(node, owned);
    for (let i = 0; i < list.length; i++) list[i] = walkCopying(list[i], segments, index, create, owned, visit);
    return list;
  }
  const segment = segments[index];
  if (!isContainer(node) || segment === undefined) return node;
  const copy = own(node, owned);
  if (index === segments.length - 1) {
    visit(copy, segment.key);
    return copy;
  }
  const next = copy[segment.key];
  if ((next === undefined || next === null) && create && !segment.list) {
    copy[segment.key] = walkCopying(own({}, owned), segments, index + 1, create, owned, visit);
  } else if (next !== undefined && next !== null) {
    copy[segment.key] = walkCopying(next, segments, index + 1, create, owned, visit);
  }
  return copy;
}

function own<T extends object>(value: T, owned: Set<unknown>): T {
  if (owned.has(value)) return value;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as T;
  owned.add(copy);
  return copy;
}

export function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Kinds kustomize treats as cluster-scoped (from its built-in Kubernetes schema); anything else,
 * custom resources included, is namespaced.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'APIService', 'CSIDriver', 'CSINode', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding',
  'ComponentStatus', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding', 'MutatingWebhookConfiguration', 'Namespace', 'Node', 'PersistentVolume',
  'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration', 'RuntimeClass', 'SelfSubjectAccessReview',
  'SelfSubjectReview', 'SelfSubjectRulesReview', 'StorageClass', 'StorageVersion', 'SubjectAccessReview',
  'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration',
  'VolumeAttachment', 'VolumeAttributesClass', 'ClusterTrustBundle', 'IPAddress', 'ServiceCIDR', 'DeviceClass',
]);

export function isClusterScoped(object: KubeObject): boolean {
  return CLUSTER_SCOPED_KINDS.has(object.kind);
}
