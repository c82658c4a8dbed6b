/**
 * Reads a folder on disk as a file tree, under the same tree policy as a Git revision (no links,
 * size and count limits), for `agent render`. `.git` folders are skipped, not refused: on disk
 * they are the checkout's own metadata.
 */
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../../shared/src/errors.js';
import { DEFAULT_TREE_LIMITS, TreeTally, checkTreeEntry } from '../../../shared/src/git/tree-policy.js';
import type { TreeLimits } from '../../../shared/src/git/tree-policy.js';
import type { FileTree } from '../../../shared/src/git/file-tree.js';

export function readDirectoryTree(root: string, limits: TreeLimits = DEFAULT_TREE_LIMITS): FileTree {
  const files = new Map<string, Uint8Array>();
  const tally = new TreeTally();
  const visit = (relative: string) => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === '.git') continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const stat = lstatSync(join(root, path));
      const kind = stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'tree' : 'blob';
      const violation = checkTreeEntry({ path, kind, size: kind === 'blob' ? stat.size : 0 }, limits, tally);
      if (violation) throw new FleetError('validation', `${violation.path}: ${violation.message}`);
      if (kind === 'tree') visit(path);
      else if (stat.isFile()) files.set(path, readFileSync(join(root, path)));
    }
  };
  visit('');
  return files;
}
