import { FleetError } from '../../errors.js';
import { checkTreeEntry, TreeTally } from '../tree-policy.js';
import type { TreeLimits } from '../tree-policy.js';
import type { FileTree } from '../file-tree.js';
import { parseTreeObject } from './tree-object.js';
import type { RawTreeEntry } from './tree-object.js';

/** How the tree reader reaches objects: whole objects, and sizes without loading content. */
export interface ObjectReader {
  read(oid: string): Promise<{ type: string; content: Uint8Array }>;
  /** Undefined when the size cannot be told without reading the object. */
  sizeOf(oid: string): Promise<number | undefined>;
}

/**
 * The files under `base` in a commit's tree, checked entry by entry with the tree policy while
 * the trees are listed and before any blob is read, so a hostile tree is refused at its first
 * offending entry having loaded only tree objects. Paths in messages are from the repository root.
 */
export async function readCheckedTree(
  reader: ObjectReader,
  commit: { oid: string; tree: string },
  base: string,
  limits: TreeLimits,
): Promise<FileTree> {
  const start = await locate(reader, commit, base);
  const tally = new TreeTally();
  const blobs: Array<{ relative: string; oid: string; size: number }> = [];
  const pending: Array<{ prefix: string; oid: string }> = [{ prefix: '', oid: start }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const entry of await readTreeObject(reader, next.oid)) {
      const relative = next.prefix + entry.name;
      const path = base === '' ? relative : `${base}/${relative}`;
      if (entry.kind === 'other') {
        throw new FleetError('validation', `${path}: file mode ${entry.mode} is not supported; commit regular files`);
      }
      const size = entry.kind === 'blob' ? await blobSize(reader, entry.oid) : 0;
      const violation = checkTreeEntry({ path, kind: entry.kind, size }, limits, tally);
      if (violation) throw new FleetError('validation', `${violation.path}: ${violation.message}`);
      if (entry.kind === 'tree') pending.push({ prefix: `${relative}/`, oid: entry.oid });
      else blobs.push({ relative, oid: entry.oid, size });
    }
  }

  const files = new Map<string, Uint8Array>();
  blobs.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  for (const blob of blobs) {
    const { type, content } = await reader.read(blob.oid);
    // The policy passed this blob at `size`; anything else means the cache is not what it says.
    if (type !== 'blob' || content.length !== blob.size) {
      throw new Error(`object ${blob.oid} is a ${type} of ${content.length} bytes, expected a blob of ${blob.size}`);
    }
    files.set(blob.relative, content);
  }
  return files;
}

/** The tree object at `base`, following the path one entry at a time. */
async function locate(reader: ObjectReader, commit: { oid: string; tree: string }, base: string): Promise<string> {
  let oid = commit.tree;
  let walked = '';
  for (const segment of base === '' ? [] : base.split('/')) {
    walked = walked === '' ? segment : `${walked}/${segment}`;
    const entry = (await readTreeObject(reader, oid)).find((candidate) => candidate.name === segment);
    if (entry === undefined) throw new FleetError('not-found', `path ${walked} does not exist in commit ${commit.oid}`);
    if (entry.kind !== 'tree') {
      const what = entry.kind === 'blob' ? 'a file' : entry.kind === 'symlink' ? 'a symbolic link' : `a ${entry.kind}`;
      throw new FleetError('validation', `path ${walked} in commit ${commit.oid} is ${what}, not a directory`);
    }
    oid = entry.oid;
  }
  return oid;
}

async function readTreeObject(reader: ObjectReader, oid: string): Promise<RawTreeEntry[]> {
  const { type, content } = await reader.read(oid);
  if (type !== 'tree') throw new Error(`object ${oid} is a ${type}, expected a tree`);
  return parseTreeObject(content);
}

async function blobSize(reader: ObjectReader, oid: string): Promise<number> {
  const size = await reader.sizeOf(oid);
  if (size !== undefined) return size;
  // Headers unreadable (an old index format, say): the only way left is to measure the content.
  return (await reader.read(oid)).content.length;
}
