/**
 * Renders what one cluster should run from a revision: the bundle at `path`, tailored by its
 * `fleet.yaml` (which overlay, which variables), built with kustomize when the chosen folder has
 * a kustomization and read as plain manifests otherwise, then variables substituted. Pure: the
 * same tree and cluster give the same objects, in the same order.
 */
import type { FileTree } from '../../../../shared/src/git/file-tree.js';
import { leavesTree, treePath } from '../../../../shared/src/git/tree-path.js';
import { subtree } from './file-tree.js';
import { FleetFile, parseFleetFile, selectTarget } from '../../../../shared/src/fleet/fleet-file.js';
import type { ClusterIdentity } from '../../../../shared/src/fleet/fleet-file.js';
import { buildKustomization } from './kustomize/build.js';
import { KustomizeError } from './kustomize/types.js';
import { renderPlainManifests } from './render-plain.js';
import type { RenderResult } from './render-plain.js';
import { substituteVariables } from './substitute.js';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface RenderedRevision {
  /** The fleet.yaml target chosen for the cluster, if any. */
  target?: string;
  /** Whether fleet.yaml allows an empty result to prune everything. */
  allowEmpty: boolean;
}

export function renderRevision(tree: FileTree, path: string, cluster: ClusterIdentity): RenderResult & Partial<RenderedRevision> {
  const bundle = treePath(path);
  const fleetPath = treePath(bundle, 'fleet.yaml');
  let fleet: FleetFile = FleetFile.parse({});
  const fleetBytes = tree.get(fleetPath);
  if (fleetBytes) {
    const parsed = parseFleetFile(Buffer.from(fleetBytes).toString('utf8'));
    if (!parsed.ok) return fail(fleetPath, parsed.error.message, parsed.error.line);
    fleet = parsed.fleet;
  }
  const target = selectTarget(fleet, cluster);
  const dir = target?.overlay ? treePath(bundle, target.overlay) : bundle;
  if (leavesTree(dir)) {
    return fail(fleetPath, `target ${target?.name}: overlay "${target?.overlay}" leaves the repository`);
  }
  let objects;
  if (KUSTOMIZATION_NAMES.some((name) => tree.has(treePath(dir, name)))) {
    try {
      objects = buildKustomization({ tree, dir });
    } catch (error) {
      if (error instanceof KustomizeError) return fail(error.file, error.message.replace(/^[^:]+(:\d+)?: /, ''), error.line);
      throw error;
    }
  } else {
    const plain = renderPlainManifests(subtree(tree, dir));
    if (!plain.ok) return fail(treePath(dir, plain.error.file), plain.error.message, plain.error.line);
    objects = plain.objects;
  }
  const substituted = substituteVariables(objects, { ...fleet.vars, ...target?.vars }, cluster);
  if (!substituted.ok) return fail(target ? fleetPath : dir || '.', substituted.error);
  return { ok: true, objects: substituted.objects, allowEmpty: fleet.allowEmpty, ...(target ? { target: target.name } : {}) };
}

const fail = (file: string, message: string, line?: number): RenderResult => ({
  ok: false,
  error: line === undefined ? { file, message } : { file, line, message },
});
