/**
 * Shared vocabulary of the kustomize renderer (a pure subset of `kubectl kustomize` v5.5).
 * Modules: `build.ts` (the pipeline: load a kustomization and its resources, bases and
 * components, run generators, transformers and patches, order the output), `kustomization.ts`
 * (the file's schema), transformers (`namespace`, `name-reference`, `labels`, `images`,
 * `replicas`), `generators.ts` (configMap/secret generators and their hash suffix), `patches.ts`
 * (strategic merge and JSON 6902 patches with target selectors), `order.ts`.
 */
import type { FileTree } from '../../../../../shared/src/git/file-tree.js';
import type { KubeObject } from '../../kube-object.js';

/** A rendering failure, naming the file (relative to the repository root) and where possible the line. */
export class KustomizeError extends Error {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, message: string, line?: number) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'KustomizeError';
    this.file = file;
    this.line = line;
  }
}

/** The repository's files (whole tree, paths from its root) that a build may read. */
export interface BuildInput {
  tree: FileTree;
  /** Folder holding the kustomization to build, relative to the root ('' for the root). */
  dir: string;
}

/** A resource in flight: the object, and the kustomization file it came from (for errors). */
export interface Resource {
  object: KubeObject;
  origin: string;
  /**
   * Name and namespace before prefixes, suffixes, namespaces and hashes changed them. Target
   * selectors and generator `behavior: merge|replace` match either, as kustomize does; absent
   * means the object still has them.
   */
  original?: { name: string; namespace?: string };
  /**
   * Set by generators: the name gets kubectl's content-hash suffix once the top-level build has
   * run every patch and transformer (`applyHashSuffixes` in `name-hash.ts`); keep it when copying.
   */
  hashSuffix?: boolean;
}

/** A patch as written in `patches`, `patchesStrategicMerge` or `patchesJson6902`, normalised. */
export interface PatchSpec {
  /** Strategic-merge patch object(s) or a JSON 6902 operation list, already parsed. */
  patch: unknown;
  kind: 'strategic-merge' | 'json6902';
  target?: TargetSelector;
  /** Where the patch was written, for errors. */
  origin: string;
}

export interface TargetSelector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}
