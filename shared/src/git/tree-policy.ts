/**
 * What a Git tree may contain before the agent writes any of it down. A fleet repository is
 * input from outside the cluster: a path that climbs out (`..`), an absolute path, a `.git`
 * entry, a link, or a tree large enough to fill a small box is refused, naming the offender.
 * Pure: sources describe entries (path, kind, size) and this decides.
 */

export interface TreeLimits {
  /** Largest single file, in bytes (default 5 MiB). */
  maxFileBytes: number;
  /** Most files in one revision (default 10,000). */
  maxFiles: number;
  /** Largest sum of file sizes in one revision (default 100 MiB). */
  maxTotalBytes: number;
}

export const DEFAULT_TREE_LIMITS: TreeLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxFiles: 10_000,
  maxTotalBytes: 100 * 1024 * 1024,
};

/** A tree entry as Git stores it: `blob` (a file), `symlink`, `submodule` (a gitlink) or `tree`. */
export interface TreeEntry {
  /** Path from the repository root, `/`-separated, exactly as the tree spells it. */
  path: string;
  kind: 'blob' | 'symlink' | 'submodule' | 'tree';
  /** Size of a blob in bytes; 0 for other kinds. */
  size: number;
}

export interface TreeViolation {
  path: string;
  message: string;
}

export class TreeTally {
  files = 0;
  totalBytes = 0;
}

/**
 * Checks one entry, keeping a running tally so that a source can stop reading a hostile tree at
 * the first violation instead of loading it whole. Returns the violation, if any.
 */
export function checkTreeEntry(entry: TreeEntry, limits: TreeLimits, tally: TreeTally): TreeViolation | undefined {
  const { path } = entry;
  const pathProblem = checkPath(path);
  if (pathProblem) return { path, message: pathProblem };
  if (entry.kind === 'symlink') return { path, message: 'symbolic links are not allowed in a fleet repository' };
  if (entry.kind === 'submodule') return { path, message: 'submodules are not allowed in a fleet repository' };
  if (entry.kind === 'tree') return undefined;
  if (entry.size > limits.maxFileBytes) {
    return { path, message: `file is ${entry.size} bytes, over the ${limits.maxFileBytes}-byte limit per file` };
  }
  tally.files += 1;
  tally.totalBytes += entry.size;
  if (tally.files > limits.maxFiles) return { path, message: `the revision has more than ${limits.maxFiles} files` };
  if (tally.totalBytes > limits.maxTotalBytes) {
    return { path, message: `the revision's files add up to more than ${limits.maxTotalBytes} bytes` };
  }
  return undefined;
}

export function checkTree(entries: Iterable<TreeEntry>, limits: TreeLimits = DEFAULT_TREE_LIMITS): TreeViolation | undefined {
  const tally = new TreeTally();
  for (const entry of entries) {
    const violation = checkTreeEntry(entry, limits, tally);
    if (violation) return violation;
  }
  return undefined;
}

function checkPath(path: string): string | undefined {
  if (path === '') return 'empty path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute paths are not allowed';
  if (path.includes('\\')) return 'backslashes are not allowed in paths';
  if ([...path].some((char) => char.charCodeAt(0) < 0x20)) return 'control characters are not allowed in paths';
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') return 'empty or "." path segments are not allowed';
    if (segment === '..') return '".." path segments are not allowed';
    // Case-insensitive: `.GIT` is `.git` on the file systems many tools check out to.
    if (segment.toLowerCase() === '.git') return '".git" entries are not allowed';
  }
  return undefined;
}
