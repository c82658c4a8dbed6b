/**
 * The Git port: how a revision's files reach the agent. Adapters: `IsomorphicGitSource` (a Git
 * remote over HTTP(S), with a git directory on disk as a disposable cache) and `MemoryGitSource`
 * (commits made in-process, for tests and simulations). Both are checked by one contract suite.
 * What the agent needs offline is copied into its SQLite cache; a source is only how new
 * revisions arrive.
 */
import type { FileTree } from './file-tree.js';
import type { TreeLimits } from './tree-policy.js';

export interface GitSource {
  /** Fetches `branch` from the remote and returns the full SHA of its head commit. */
  fetchBranchHead(branch: string): Promise<string>;
  /**
   * Makes sure `commit` (a full SHA) has been fetched: fetches `branch` and, when the commit is
   * older than the head, deepens the branch's history until it appears. A commit that is not
   * reachable from the branch is a `not-found` FleetError naming both.
   */
  fetchCommit(commit: string, branch: string): Promise<void>;
  /** The commit object exactly as Git stores it (headers, any `gpgsig`, message), for signature checks. */
  readCommitObject(commit: string): Promise<Uint8Array>;
  /**
   * The files under `path` (`''` or `.` for the root) in the tree of `commit`, read from what was
   * fetched, without a checkout. Keys are relative to `path`. Every entry is checked with the
   * tree policy (`tree-policy.ts`) as it is listed and before any blob is read: a violation
   * is a `validation` FleetError whose message starts with the offending path. An unknown commit
   * or path is a `not-found` FleetError.
   */
  readTree(commit: string, path: string, limits?: TreeLimits): Promise<FileTree>;
  /** Bytes the source keeps on disk (its cache); 0 when it keeps nothing. */
  diskUsage(): Promise<number>;
}
