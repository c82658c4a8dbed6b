/**
 * Files a kustomization names (patches, generator sources), read from the tree with kustomize's
 * default load restriction: nothing outside the kustomization's own folder.
 */
import { posix } from 'node:path';
import type { FileTree } from '../../../../../shared/src/git/file-tree.js';
import { leavesTree, treePath } from '../../../../../shared/src/git/tree-path.js';
import { KustomizeError } from './types.js';

/** Where a kustomization lives: the tree, its folder and its file (both from the tree's root). */
export interface KustomizationContext {
  tree: FileTree;
  dir: string;
  file: string;
}

/** The tree path of `path` as written in the kustomization; errors if it leaves the folder. */
export function resolveLocalPath(ctx: KustomizationContext, path: string, field: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new KustomizeError(ctx.file, `${field}: ${path} is a URL; only files in the repository can be read`);
  }
  if (posix.isAbsolute(path)) {
    throw new KustomizeError(ctx.file, `${field}: ${path} is absolute; write it relative to the kustomization`);
  }
  const dir = treePath(ctx.dir);
  const resolved = treePath(dir, path);
  const inside = dir === '' ? !leavesTree(resolved) : resolved.startsWith(`${dir}/`);
  if (!inside) {
    throw new KustomizeError(ctx.file, `${field}: ${path} is outside the kustomization's folder ${dir === '' ? '/' : dir}; move the file below it`);
  }
  return resolved;
}

export function readLocalFile(ctx: KustomizationContext, path: string, field: string): Uint8Array {
  const resolved = resolveLocalPath(ctx, path, field);
  const content = ctx.tree.get(resolved);
  if (content !== undefined) return content;
  const isDir = [...ctx.tree.keys()].some((file) => file.startsWith(`${resolved}/`));
  throw new KustomizeError(ctx.file, isDir ? `${field}: ${path} is a folder, not a file` : `${field}: ${path} does not exist`);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined when they are not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
