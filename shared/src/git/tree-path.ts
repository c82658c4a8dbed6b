import { FleetError } from '../errors.js';

/**
 * The canonical form of a path inside a Git tree as both Git adapters understand it: `''` for the
 * root, otherwise POSIX segments without leading `./`, trailing `/` or empty segments. A path
 * that could leave the tree (absolute, `..`) is a caller error, never something to look up.
 */
export function normalizeTreePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed.startsWith('/') || trimmed.includes('\0') || trimmed.includes('\\')) {
    throw new FleetError('validation', `invalid path ${JSON.stringify(path)}: use a relative POSIX path inside the repository`);
  }
  const segments = trimmed.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new FleetError('validation', `invalid path ${JSON.stringify(path)}: '..' is not allowed`);
  }
  return segments.join('/');
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
