/**
 * Applies `patches`, `patchesStrategicMerge` and `patchesJson6902` (already read into
 * `PatchSpec`s, see `patch-specs.ts`) to a build's resources, in the order given.
 *
 * A patch that matches nothing is an error. kubectl agrees for a strategic merge patch without a
 * target but silently skips a `target` that selects nothing; we refuse it too, because a patch
 * that quietly stops applying (a renamed Deployment, a typo in a label) is how a store ends up
 * running the wrong thing.
 */
import type { KubeObject } from '../../kube-object.js';
import { withOriginal } from './resource-id.js';
import { applyJsonPatch, JsonPatchError, parseJsonPatch } from './json-patch.js';
import { applyStrategicMerge, StrategicMergeError } from './strategic-merge.js';
import { compileSelector, describeId, SelectorError } from './target-selector.js';
import { KustomizeError, type PatchSpec, type Resource, type TargetSelector } from './types.js';

export function applyPatches(resources: readonly Resource[], patches: readonly PatchSpec[]): Resource[] {
  let result = [...resources];
  for (const spec of patches) {
    try {
      result = spec.kind === 'json6902' ? applyJson6902(result, spec) : applyStrategicMergeSpec(result, spec);
    } catch (error) {
      if (error instanceof StrategicMergeError || error instanceof JsonPatchError || error instanceof SelectorError) {
        throw new KustomizeError(spec.origin, error.message);
      }
      throw error;
    }
  }
  return result;
}

function applyJson6902(resources: Resource[], spec: PatchSpec): Resource[] {
  if (!spec.target) throw new KustomizeError(spec.origin, 'a JSON 6902 patch needs a target');
  const operations = parseJsonPatch(spec.patch);
  const matches = selectTargets(resources, spec.target, spec.origin);
  return resources.map((resource) => {
    if (!matches.has(resource)) return resource;
    let patched: unknown;
    try {
      patched = applyJsonPatch(withAnnotations(resource.object), operations);
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      throw new KustomizeError(spec.origin, `patching ${describeId(resource.object)}: ${error.message}`);
    }
    return withOriginal(resource, withoutEmptyAnnotations(checkObject(patched, spec.origin, resource.object), resource.object));
  });
}

/**
 * kustomize keeps bookkeeping annotations on every object while it builds, so a JSON patch can
 * always add under /metadata/annotations; an annotations map that only they filled disappears.
 */
function withAnnotations(object: KubeObject): KubeObject {
  return object.metadata.annotations ? object : { ...object, metadata: { ...object.metadata, annotations: {} } };
}

function withoutEmptyAnnotations(patched: KubeObject, before: KubeObject): KubeObject {
  const { annotations, ...metadata } = patched.metadata;
  const empty = isMap(annotations) && Object.keys(annotations).length === 0;
  return empty && before.metadata.annotations === undefined ? { ...patched, metadata } as KubeObject : patched;
}

function applyStrategicMergeSpec(resources: Resource[], spec: PatchSpec): Resource[] {
  let result = resources;
  for (const document of Array.isArray(spec.patch) ? spec.patch : [spec.patch]) {
    if (!isMap(document)) throw new KustomizeError(spec.origin, 'a strategic merge patch must be a mapping (or a list of JSON 6902 operations)');
    // kubectl needs both even when a target chooses the objects (it then ignores them).
    if (typeof document['kind'] !== 'string' || !isMap(document['metadata']) || typeof document['metadata']['name'] !== 'string') {
      throw new KustomizeError(spec.origin, 'a strategic merge patch needs kind and metadata.name, even with a target');
    }
    const matches = spec.target ? selectTargets(result, spec.target, spec.origin) : new Set([identifyTarget(result, document, spec.origin)]);
    result = result.flatMap((resource) => {
      if (!matches.has(resource)) return [resource];
      let patched: KubeObject | undefined;
      try {
        patched = applyStrategicMerge(resource.object, document);
      } catch (error) {
        if (!(error instanceof StrategicMergeError)) throw error;
        throw new KustomizeError(spec.origin, `patching ${describeId(resource.object)}: ${error.message}`);
      }
      return patched === undefined ? [] : [withOriginal(resource, patched)];
    });
  }
  return result;
}

function selectTargets(resources: readonly Resource[], target: TargetSelector, origin: string): Set<Resource> {
  const selects = compileSelector(target);
  const matches = new Set(resources.filter(selects));
  if (matches.size === 0) {
    throw new KustomizeError(origin, `patch target ${JSON.stringify(target)} matches no resource; fix the target or remove the patch`);
  }
  return matches;
}

/** A patch without a target names its object: same apiVersion, kind, name and namespace. */
function identifyTarget(resources: readonly Resource[], patch: Record<string, unknown>, origin: string): Resource {
  const metadata = patch['metadata'] as Record<string, unknown>;
  const kind = patch['kind'] as string;
  const name = metadata['name'] as string;
  const apiVersion = typeof patch['apiVersion'] === 'string' ? patch['apiVersion'] : '';
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const matches = resources.filter(({ object, original }) =>
    object.apiVersion === apiVersion && object.kind === kind &&
    [object.metadata, ...(original ? [original] : [])].some((id) => id.name === name && (id.namespace ?? '') === namespace));
  const id = describeId({ apiVersion, kind, metadata: { name, namespace } });
  if (matches.length === 0) throw new KustomizeError(origin, `no resource matches strategic merge patch ${id}`);
  if (matches.length > 1) throw new KustomizeError(origin, `strategic merge patch ${id} matches ${matches.length} resources; add a namespace`);
  return matches[0]!;
}

function checkObject(value: unknown, origin: string, before: KubeObject): KubeObject {
  const object = value as KubeObject;
  if (!isMap(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' ||
    !isMap(object.metadata) || typeof object.metadata.name !== 'string' || object.metadata.name === '') {
    throw new KustomizeError(origin, `patching ${describeId(before)} left it without apiVersion, kind or metadata.name`);
  }
  return object;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
