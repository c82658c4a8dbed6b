import { FleetError } from '../errors.js';

/**
 * The one normal form of a path inside a Git tree: POSIX segments joined by `/`, without `.`,
 * empty segments or a leading or trailing `/`, each `..` taking away the segment before it; `''`
 * is the root. `parts` are joined first, so `treePath(dir, entry)` resolves an entry against a
 * folder. A path that climbs above the root keeps its leading `..` (see `leavesTree`), so each
 * caller refuses it with its own message. Pure; it checks nothing else.
 */
export function treePath(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    for (const segment of part.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
      else out.push(segment);
    }
  }
  return out.join('/');
}

/** Whether a `treePath` result climbs above the root of the tree. */
export function leavesTree(path: string): boolean {
  return path === '..' || path.startsWith('../');
}

/**
 * `treePath` for the Git adapters, which are handed paths rather than resolving them: an
 * absolute path, a `..` anywhere, a NUL or a backslash is a caller error, never something to
 * look up.
 */
export function normalizeTreePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed.startsWith('/') || trimmed.includes('\0') || trimmed.includes('\\')) {
    throw new FleetError('validation', `invalid path ${JSON.stringify(path)}: use a relative POSIX path inside the repository`);
  }
  if (trimmed.split('/').includes('..')) {
    throw new FleetError('validation', `invalid path ${JSON.stringify(path)}: '..' is not allowed`);
  }
  return treePath(trimmed);
}

export const FULL_SHA = /^[0-9a-f]{40}$/;

export function assertFullSha(commit: string): void {
  if (!FULL_SHA.test(commit)) {
    throw new FleetError('validation', `invalid commit ${JSON.stringify(commit)}: expected a full 40-hex SHA`);
  }
}

/**
 * A branch name both adapters accept: git's ref-name rules (see `git check-ref-format`), checked
 * here because the name becomes a path in the cache directory.
 */
export function assertBranchName(branch: string): void {
  const invalid =
    branch === '' ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('//') ||
    branch.includes('@{') ||
    branch === '@' ||
    branch.split('/').some((part) => part.startsWith('.')) ||
    [...branch].some((char) => char <= ' ' || char === '\x7f') ||
    /[~^:?*[\\]/.test(branch);
  if (invalid) {
    throw new FleetError('validation', `invalid branch name ${JSON.stringify(branch)}: use a git branch name such as main`);
  }
}
