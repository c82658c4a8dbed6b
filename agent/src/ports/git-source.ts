/**
 * The Git port: how a revision's files reach the agent. Adapters: `IsomorphicGitSource` (a Git
 * remote over HTTP(S), with a git directory on disk as a disposable cache) and `MemoryGitSource`
 * (commits made in-process, for tests and simulations). Both are checked by one contract suite.
 */

/** Files of a tree: path (POSIX, relative, no leading `./`) → content. */
export type FileTree = ReadonlyMap<string, Uint8Array>;

export interface GitSource {
  /** Fetches `branch` from the remote and returns the full SHA of its head commit. */
  fetchBranchHead(branch: string): Promise<string>;
  /**
   * The files under `path` (`''` or `.` for the root) in the tree of `commit`, read from what was
   * fetched, without a checkout. Keys are relative to `path`. Throws a `FleetError` of kind
   * `not-found` when the commit or path is not known.
   */
  readTree(commit: string, path: string): Promise<FileTree>;
}
