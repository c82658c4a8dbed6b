/** `agent render DIR`: what the agent would apply for a cluster, from a folder on disk. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FleetError } from '../../../shared/src/errors.js';
import { readDirectoryTree } from '../adapters/directory-tree.js';
import { serializeObjects } from '../core/render/kustomize/serialize.js';
import { renderRevision } from '../core/render/render-revision.js';
import type { ClusterIdentity } from '../../../shared/src/fleet/fleet-file.js';

/** The enclosing Git checkout, so that overlays may refer to bases elsewhere in it. */
function repositoryRoot(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** The rendered multi-document YAML; a render error is thrown as a FleetError naming file and line. */
export function renderDirectory(dir: string, cluster: ClusterIdentity, root?: string): string {
  const bundle = resolve(dir);
  if (!existsSync(bundle)) throw new FleetError('validation', `${dir} does not exist`);
  const top = resolve(root ?? repositoryRoot(bundle) ?? bundle);
  const path = relative(top, bundle).split(sep).join('/');
  if (path.startsWith('..')) throw new FleetError('validation', `${dir} is not inside the root ${top}`);
  const result = renderRevision(readDirectoryTree(top), path, cluster);
  if (!result.ok) {
    const { file, line, message } = result.error;
    throw new FleetError('validation', `${file}${line ? `:${line}` : ''}: ${message}`);
  }
  return serializeObjects(result.objects);
}
