import type { TreeEntry } from '../tree-policy.js';

/** One entry of a raw Git tree object, with its name exactly as stored (it may be hostile). */
export interface RawTreeEntry {
  name: string;
  /** `'other'` for a mode Git itself would not write: the caller refuses it. */
  kind: TreeEntry['kind'] | 'other';
  mode: string;
  oid: string;
}

/**
 * Parses the content of a Git tree object (`<octal mode> <name>\0<20-byte oid>`, repeated).
 * isomorphic-git's own parser throws on names such as `..` or `.git` without saying where they
 * were; this one returns them so that the tree policy can name the offending path.
 */
export function parseTreeObject(content: Uint8Array): RawTreeEntry[] {
  const entries: RawTreeEntry[] = [];
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  let cursor = 0;
  while (cursor < bytes.length) {
    const space = bytes.indexOf(0x20, cursor);
    const nul = space < 0 ? -1 : bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > bytes.length) {
      throw new Error(`malformed tree object: truncated entry at byte ${cursor}`);
    }
    const mode = bytes.toString('latin1', cursor, space);
    entries.push({
      mode,
      kind: kindOfMode(mode),
      name: bytes.toString('utf8', space + 1, nul),
      oid: bytes.toString('hex', nul + 1, nul + 21),
    });
    cursor = nul + 21;
  }
  return entries;
}

function kindOfMode(mode: string): RawTreeEntry['kind'] {
  switch (mode) {
    case '40000':
    case '040000':
      return 'tree';
    // 100664 was written by very old Git versions for regular files; git fsck still accepts it.
    case '100644':
    case '100755':
    case '100664':
      return 'blob';
    case '120000':
      return 'symlink';
    case '160000':
      return 'submodule';
    default:
      return 'other';
  }
}
