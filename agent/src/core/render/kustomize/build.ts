/**
 * `kubectl kustomize DIR`, as a pure function of the repository tree. Each kustomization
 * accumulates its resources (files, and folders built recursively), then its components (which
 * act on everything accumulated so far), then runs its generators and its transformers in
 * kustomize's fixed order; references by name are fixed at the end of each kustomization. Only
 * the top-level build appends generated names' hash suffixes and orders the output.
 */
import type { FileTree } from '../../../../../shared/src/git/file-tree.js';
import { treePath } from '../../../../../shared/src/git/tree-path.js';
import type { KubeObject } from '../../kube-object.js';
import { generateResources } from './generators.js';
import type { Kustomization } from './kustomization.js';
import { loadKustomization, readResourceFile, resolveEntry, type LoadedKustomization } from './load.js';
import { COMMON_ANNOTATIONS, COMMON_LABELS, addToMaps, labelSpecs } from './metadata-fields.js';
import { applyHashSuffixes } from './name-hash.js';
import { fixNameReferences, formerNames, snapshotIds } from './name-reference.js';
import { setNamespace } from './namespace.js';
import { sortLegacy } from './order.js';
import { readJson6902Patches, readPatches, readStrategicMergePatches } from './patch-specs.js';
import { applyPatches } from './patches.js';
import { addNameAffixes } from './prefix-suffix.js';
import { setReplicas } from './replicas.js';
import { describeId, idKey } from './resource-id.js';
import { setImages } from './images.js';
import { KustomizeError, type BuildInput, type Resource } from './types.js';

export function buildKustomization(input: BuildInput): KubeObject[] {
  const dir = treePath(input.dir);
  const root = loadKustomization(input.tree, dir, 'Kustomization', dir || '/');
  const built = accumulate(input.tree, root, [], [dir]);
  // kustomize hashes generated objects only now, after every transformer, then fixes references again.
  const hashed = fixNameReferences(applyHashSuffixes(built), snapshotIds(built));
  const ordered = root.kustomization.sortOptions?.order === 'fifo' ? hashed : sortLegacy(hashed);
  return ordered.map((resource) => resource.object);
}

function accumulate(tree: FileTree, loaded: LoadedKustomization, existing: readonly Resource[], stack: readonly string[]): Resource[] {
  const { kustomization: k, file } = loaded;
  let resources = [...existing];
  const entries = [
    ...(k.resources ?? []).map((entry) => ({ entry, field: 'resources' })),
    ...(k.bases ?? []).map((entry) => ({ entry, field: 'bases' })),
  ];
  for (const { entry, field } of entries) {
    const target = resolveEntry(tree, loaded, entry, field);
    const added = target.type === 'file'
      ? readResourceFile(tree, target.path)
      : accumulate(tree, enter(tree, target.path, 'Kustomization', file, stack), [], [...stack, target.path]);
    resources.push(...added);
  }
  checkUnique(resources, file);
  for (const entry of k.components ?? []) {
    const target = resolveEntry(tree, loaded, entry, 'components');
    if (target.type === 'file') {
      throw new KustomizeError(file, `components: ${entry} is a file; a component is a folder with a kustomization of kind Component`);
    }
    resources = accumulate(tree, enter(tree, target.path, 'Component', file, stack), resources, [...stack, target.path]);
  }
  return transform(tree, loaded, resources);
}

function enter(tree: FileTree, dir: string, kind: 'Kustomization' | 'Component', from: string, stack: readonly string[]): LoadedKustomization {
  if (stack.includes(dir)) {
    throw new KustomizeError(from, `cycle: ${[...stack.slice(stack.indexOf(dir)), dir].map((d) => d || '/').join(' -> ')}`);
  }
  return loadKustomization(tree, dir, kind, from);
}

function transform(tree: FileTree, loaded: LoadedKustomization, accumulated: Resource[]): Resource[] {
  const { kustomization: k, file, dir } = loaded;
  const ctx = { tree, dir, file };
  const before = snapshotIds(accumulated);
  let resources = generateResources(generatorSpec(k), ctx, accumulated);
  const patches = [
    ...(k.patchesStrategicMerge ? readStrategicMergePatches(k.patchesStrategicMerge, ctx) : []),
    ...(k.patches ? readPatches(k.patches, ctx) : []),
  ];
  if (patches.length > 0) resources = applyPatches(resources, patches);
  if (k.namespace !== undefined && k.namespace !== '') resources = setNamespace(resources, k.namespace);
  resources = addNameAffixes(resources, k.namePrefix ?? '', k.nameSuffix ?? '');
  if (k.commonLabels) resources = addToMaps(resources, k.commonLabels, COMMON_LABELS);
  for (const rule of k.labels ?? []) resources = addToMaps(resources, rule.pairs ?? {}, labelSpecs(rule));
  if (k.commonAnnotations) resources = addToMaps(resources, k.commonAnnotations, COMMON_ANNOTATIONS);
  if (k.patchesJson6902) resources = applyPatches(resources, readJson6902Patches(k.patchesJson6902, ctx));
  if (k.replicas) resources = setReplicas(resources, k.replicas, file, (resource) => formerNames(resource, before));
  if (k.images) resources = setImages(resources, k.images);
  checkUnique(resources, file);
  return fixNameReferences(resources, before);
}

function generatorSpec(k: Kustomization): Parameters<typeof generateResources>[0] {
  const spec: Parameters<typeof generateResources>[0] = {};
  if (k.configMapGenerator) spec.configMapGenerator = k.configMapGenerator;
  if (k.secretGenerator) spec.secretGenerator = k.secretGenerator;
  if (k.generatorOptions) spec.generatorOptions = k.generatorOptions;
  return spec;
}

/** kustomize refuses two resources with one identity (group, version, kind, namespace, name). */
function checkUnique(resources: readonly Resource[], file: string): void {
  // By name first: comparing the few objects sharing a name is cheaper than building a key for each.
  const byName = new Map<string, KubeObject[]>();
  for (const resource of resources) {
    const { object } = resource;
    const sameName = byName.get(object.metadata.name);
    if (!sameName) {
      byName.set(object.metadata.name, [object]);
      continue;
    }
    if (sameName.some((other) => idKey(other) === idKey(object))) {
      throw new KustomizeError(file, `${describeId(object)} is defined more than once (again in ${resource.origin}); each object may appear once`);
    }
    sameName.push(object);
  }
}
