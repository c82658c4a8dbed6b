import type { FileTree } from '../../../../shared/src/git/file-tree.js';
import { treePath } from '../../../../shared/src/git/tree-path.js';

/** The files under `path` of a whole-repository tree, keyed relative to `path`. Pure. */
export function subtree(tree: FileTree, path: string): FileTree {
  const prefix = treePath(path);
  if (prefix === '') return tree;
  const result = new Map<string, Uint8Array>();
  for (const [file, content] of tree) {
    if (file.startsWith(`${prefix}/`)) result.set(file.slice(prefix.length + 1), content);
  }
  return result;
}
