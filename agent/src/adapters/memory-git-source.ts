import { createHash } from 'node:crypto';
import { FleetError } from '../../../shared/src/errors.js';
import type { FileTree, GitSource } from '../ports/git-source.js';
import { assertBranchName, assertFullSha, normalizeTreePath } from './git-tree-path.js';

/**
 * An in-process Git remote and its local fetch, for tests and simulations. Commits are made with
 * `commit`; like the real adapter, `readTree` only sees commits that a fetch has brought in.
 */
export class MemoryGitSource implements GitSource {
  private readonly commits = new Map<string, ReadonlyMap<string, Uint8Array>>();
  private readonly branches = new Map<string, string>();
  private readonly fetched = new Set<string>();
  private reachable = true;
  private sequence = 0;
  private fetches = 0;

  /**
   * Makes a commit on `branch` whose tree is exactly `files` (a path left out is deleted), and
   * returns its SHA: deterministic for the same sequence of calls, derived from the content,
   * the parent and a counter.
   */
  commit(branch: string, files: Record<string, string | Uint8Array>): string {
    assertBranchName(branch);
    const parent = this.branches.get(branch) ?? '';
    const tree = new Map<string, Uint8Array>();
    const hash = createHash('sha1').update(`parent ${parent}\nbranch ${branch}\nseq ${this.sequence++}\n`);
    for (const path of Object.keys(files).sort()) {
      const normalized = normalizeTreePath(path);
      if (normalized === '' || normalized !== path) {
        throw new FleetError('validation', `invalid file path ${JSON.stringify(path)} in commit to ${branch}`);
      }
      const content = files[path] ?? '';
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : Uint8Array.from(content);
      tree.set(path, bytes);
      hash.update(`${path}\0${bytes.length}\0`).update(bytes);
    }
    const sha = hash.digest('hex');
    this.commits.set(sha, tree);
    this.branches.set(branch, sha);
    return sha;
  }

  /** While unreachable, fetches fail as a network outage would; reads of fetched commits still work. */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
  }

  /** How many fetches were attempted, reachable or not. */
  get fetchCount(): number {
    return this.fetches;
  }

  async fetchBranchHead(branch: string): Promise<string> {
    this.fetches++;
    assertBranchName(branch);
    if (!this.reachable) {
      throw new FleetError('transient', `git remote (memory) is unreachable: cannot fetch branch ${branch}`);
    }
    const head = this.branches.get(branch);
    if (head === undefined) {
      throw new FleetError('not-found', `branch ${branch} does not exist in the git remote (memory)`);
    }
    this.fetched.add(head);
    return head;
  }

  async readTree(commit: string, path: string): Promise<FileTree> {
    assertFullSha(commit);
    const base = normalizeTreePath(path);
    const tree = this.fetched.has(commit) ? this.commits.get(commit) : undefined;
    if (tree === undefined) {
      throw new FleetError('not-found', `commit ${commit} has not been fetched: fetch its branch first`);
    }
    if (tree.has(base)) {
      throw new FleetError('validation', `path ${base} in commit ${commit} is a file, not a directory`);
    }
    const prefix = base === '' ? '' : `${base}/`;
    const files = new Map<string, Uint8Array>();
    for (const [file, content] of tree) {
      if (file.startsWith(prefix)) files.set(file.slice(prefix.length), Uint8Array.from(content));
    }
    if (files.size === 0 && base !== '') {
      throw new FleetError('not-found', `path ${base} does not exist in commit ${commit}`);
    }
    return files;
  }
}
