import { createHash } from 'node:crypto';
import { FleetError } from '../errors.js';
import { checkTreeEntry, DEFAULT_TREE_LIMITS, TreeTally } from './tree-policy.js';
import type { TreeEntry, TreeLimits } from './tree-policy.js';
import type { GitSource } from './git-source.js';
import type { FileTree } from './file-tree.js';
import { assertBranchName, assertFullSha, normalizeTreePath } from './tree-path.js';

/** A file in a memory commit; the object forms make the entries agents must refuse. */
export type MemoryFile = string | Uint8Array | { symlink: string } | { submodule: string };

interface MemoryEntry {
  kind: TreeEntry['kind'];
  content: Uint8Array;
}

interface MemoryCommit {
  parent: string | undefined;
  tree: ReadonlyMap<string, MemoryEntry>;
  /** The commit object as Git would store it; the commit's SHA is its Git object hash. */
  object: Uint8Array;
}

const REMOTE = 'git remote (memory)';

/**
 * An in-process Git remote and its local fetch, for tests and simulations. Commits are made with
 * `commit`; like the real adapter, reads only see commits that a fetch has brought in: the first
 * fetch of a branch brings its head only (as a depth-1 fetch does), later ones every commit since
 * the last fetched one, and `fetchCommit` the history down to the commit asked for.
 */
export class MemoryGitSource implements GitSource {
  private readonly commits = new Map<string, MemoryCommit>();
  private readonly branches = new Map<string, string>();
  private readonly fetched = new Set<string>();
  private reachable = true;
  private sequence = 0;
  private fetches = 0;

  /**
   * Makes a commit on `branch` whose tree is exactly `files` (a path left out is deleted), and
   * returns its SHA, deterministic for the same sequence of calls. Paths are stored as given, so
   * a test can build a hostile tree; reads check them with the tree policy.
   */
  commit(branch: string, files: Record<string, MemoryFile>, message = 'Update files'): string {
    assertBranchName(branch);
    const parent = this.branches.get(branch);
    const tree = new Map<string, MemoryEntry>();
    // Not Git's tree hash (hostile paths have no nested form); only a stable digest of the entries.
    const treeHash = createHash('sha1');
    for (const path of Object.keys(files).sort()) {
      const entry = toEntry(files[path] ?? '');
      tree.set(path, entry);
      treeHash.update(`${entry.kind} ${path}\0${entry.content.length}\0`).update(entry.content);
    }
    const identity = `Memory Git <memory@fleet.invalid> ${this.sequence++} +0000`;
    const body = [
      `tree ${treeHash.digest('hex')}`,
      ...(parent === undefined ? [] : [`parent ${parent}`]),
      `author ${identity}`,
      `committer ${identity}`,
      '',
      message.endsWith('\n') ? message : `${message}\n`,
    ].join('\n');
    const object = new TextEncoder().encode(body);
    const sha = createHash('sha1').update(`commit ${object.length}\0`).update(object).digest('hex');
    this.commits.set(sha, { parent, tree, object });
    this.branches.set(branch, sha);
    return sha;
  }

  /** While unreachable, fetches fail as a network outage would; reads of fetched commits still work. */
  setReachable(reachable: boolean): void {
    this.reachable = reachable;
  }

  /** How many fetches were attempted, reachable or not (a `fetchCommit` of a fetched commit is none). */
  get fetchCount(): number {
    return this.fetches;
  }

  async fetchBranchHead(branch: string): Promise<string> {
    this.fetches++;
    assertBranchName(branch);
    if (!this.reachable) {
      throw new FleetError('transient', `${REMOTE} is unreachable: cannot fetch branch ${branch}`);
    }
    const head = this.branches.get(branch);
    if (head === undefined) {
      throw new FleetError('not-found', `branch ${branch} does not exist in the ${REMOTE}`);
    }
    const added: string[] = [];
    for (let sha: string | undefined = head; sha !== undefined && !this.fetched.has(sha); sha = this.commits.get(sha)?.parent) {
      added.push(sha);
    }
    // Nothing of this history fetched before: a shallow fetch of the head alone.
    const reachedFetched = this.historyOf(head).some((sha) => this.fetched.has(sha));
    for (const sha of reachedFetched ? added : [head]) this.fetched.add(sha);
    return head;
  }

  async fetchCommit(commit: string, branch: string): Promise<void> {
    assertFullSha(commit);
    assertBranchName(branch);
    if (this.fetched.has(commit)) return;
    const head = await this.fetchBranchHead(branch);
    const history = this.historyOf(head);
    const at = history.indexOf(commit);
    if (at < 0) throw new FleetError('not-found', `commit ${commit} is not reachable from branch ${branch} of the ${REMOTE}`);
    for (const sha of history.slice(0, at + 1)) this.fetched.add(sha);
  }

  async readCommitObject(commit: string): Promise<Uint8Array> {
    return Uint8Array.from(this.fetchedCommit(commit).object);
  }

  async readTree(commit: string, path: string, limits: TreeLimits = DEFAULT_TREE_LIMITS): Promise<FileTree> {
    assertFullSha(commit);
    const base = normalizeTreePath(path);
    const { tree } = this.fetchedCommit(commit);
    if (tree.has(base)) {
      throw new FleetError('validation', `path ${base} in commit ${commit} is a file, not a directory`);
    }
    const prefix = base === '' ? '' : `${base}/`;
    const tally = new TreeTally();
    const directories = new Set<string>();
    const check = (entry: TreeEntry): void => {
      const violation = checkTreeEntry(entry, limits, tally);
      if (violation) throw new FleetError('validation', `${violation.path}: ${violation.message}`);
    };
    const files = new Map<string, Uint8Array>();
    for (const [file, entry] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!file.startsWith(prefix)) continue;
      // Directories first, as a walk of Git's nested trees meets them, so both adapters name the
      // same path. A leading `/` can only be part of a single entry's name: that path is checked whole.
      const segments = file.startsWith('/') ? [file] : file.split('/');
      for (let depth = base === '' ? 1 : base.split('/').length + 1; depth < segments.length; depth++) {
        const directory = segments.slice(0, depth).join('/');
        if (!directories.has(directory)) {
          directories.add(directory);
          check({ path: directory, kind: 'tree', size: 0 });
        }
      }
      check({ path: file, kind: entry.kind, size: entry.kind === 'blob' ? entry.content.length : 0 });
      files.set(file.slice(prefix.length), Uint8Array.from(entry.content));
    }
    if (files.size === 0 && base !== '') {
      throw new FleetError('not-found', `path ${base} does not exist in commit ${commit}`);
    }
    return files;
  }

  async diskUsage(): Promise<number> {
    return 0;
  }

  /** `head` and its ancestors, newest first. */
  private historyOf(head: string): string[] {
    const history: string[] = [];
    for (let sha: string | undefined = head; sha !== undefined; sha = this.commits.get(sha)?.parent) history.push(sha);
    return history;
  }

  private fetchedCommit(commit: string): MemoryCommit {
    assertFullSha(commit);
    const found = this.fetched.has(commit) ? this.commits.get(commit) : undefined;
    if (found === undefined) {
      throw new FleetError('not-found', `commit ${commit} has not been fetched: fetch its branch first`);
    }
    return found;
  }
}

function toEntry(file: MemoryFile): MemoryEntry {
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
  if (typeof file === 'string') return { kind: 'blob', content: encode(file) };
  if (file instanceof Uint8Array) return { kind: 'blob', content: Uint8Array.from(file) };
  if ('symlink' in file) return { kind: 'symlink', content: encode(file.symlink) };
  return { kind: 'submodule', content: encode(file.submodule) };
}
