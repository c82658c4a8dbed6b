import * as fs from 'node:fs';
import { fetch, readObject } from 'isomorphic-git';
import type { GitAuth, HttpClient } from 'isomorphic-git';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { FleetError, isFleetError } from '../errors.js';
import type { FileTree } from './file-tree.js';
import { fetchFailure, withoutCredentials } from './fetch-error.js';
import { GitCacheDir, REMOTE } from './git-cache-dir.js';
import type { GitSource } from './git-source.js';
import { fetchHttp } from './http-client.js';
import { readCheckedTree } from './pack/checked-tree.js';
import { readShallow } from './pack/compact-packs.js';
import { capturePack } from './pack/pack-capture.js';
import type { GitObject } from './pack/packed-objects.js';
import { DEFAULT_TREE_LIMITS } from './tree-policy.js';
import type { TreeLimits } from './tree-policy.js';
import { assertBranchName, assertFullSha, normalizeTreePath } from './tree-path.js';

export type GitAuthOptions = { username: string; password: string } | { token: string };

export interface IsomorphicGitSourceOptions {
  /** Smart-HTTP(S) URL of the repository. */
  url: string;
  /** Bare git directory used as a cache: it can be deleted at any time and is rebuilt by the next fetch. */
  dir: string;
  /** A token is sent as the Basic password (user `x-access-token`), as GitHub, Gitea and GitLab accept. */
  auth?: GitAuthOptions;
  /** Limit for one whole fetch operation, all requests (and deepening rounds) included. Defaults to 60 s. */
  timeoutMs?: number;
  /** Limit for the server to accept one TCP connection. Defaults to 10 s. */
  connectTimeoutMs?: number;
  /** More packfiles than this after a fetch are compacted into one. Defaults to 4. */
  maxPacks?: number;
  /** How far back `fetchCommit` deepens a branch's history looking for a commit. Defaults to 10,000 commits. */
  maxHistory?: number;
  logger?: Logger;
}

const TOKEN_USER = 'x-access-token';
/** First deepening step of `fetchCommit`; each next one is four times larger. */
const FIRST_DEEPEN = 16;

/**
 * The Git port over HTTP(S) with isomorphic-git, fetching one branch without tags.
 *
 * The first fetch (or any fetch whose previous head is no longer in the cache) is shallow,
 * depth 1. Later fetches are incremental: the previous head, kept as
 * `refs/remotes/origin/<branch>`, goes out as `have` (and as the client's shallow boundary) with
 * no new depth, as `git fetch` does in a shallow clone, so the server sends only the new commits
 * and the objects they add. A depth-1 fetch cannot be incremental here: the new head becomes a
 * shallow root with no parent, and without thin packs (which isomorphic-git does not request)
 * git's upload-pack then excludes nothing and resends the whole tree. The cost of this choice:
 * after a history rewrite the first fetch brings the new head's whole history.
 *
 * isomorphic-git negotiates and writes refs and `shallow`; the received pack is taken from its
 * HTTP responses and indexed here with native zlib (`pack/pack-capture.ts`,
 * `pack/pack-indexer.ts`), and trees and blobs are read straight from the packs
 * (`pack/packed-objects.ts`): isomorphic-git's per-object paths, with pure-JS inflate, cost
 * several times native git on a repository of a few thousand files.
 *
 * The git directory is only a cache (`git-cache-dir.ts`). Operations on it run one at a time;
 * each fetch adds a packfile, so past `maxPacks` they are compacted into one
 * (`pack/compact-packs.ts`); and a cache that cannot be read is deleted, to be rebuilt by the
 * next fetch.
 */
export class IsomorphicGitSource implements GitSource {
  private readonly url: string;
  /** The URL with any credentials removed: the only form that reaches messages and logs. */
  private readonly safeUrl: string;
  private readonly gitdir: string;
  private readonly auth: GitAuth | undefined;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxPacks: number;
  private readonly maxHistory: number;
  private readonly logger: Logger;
  private readonly dir: GitCacheDir;
  /** Operations on the cache directory run one at a time, including an abandoned timed-out fetch. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IsomorphicGitSourceOptions) {
    this.url = options.url;
    this.safeUrl = withoutCredentials(options.url);
    this.gitdir = options.dir;
    this.auth = options.auth && ('token' in options.auth
      ? { username: TOKEN_USER, password: options.auth.token }
      : { username: options.auth.username, password: options.auth.password });
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxPacks = options.maxPacks ?? 4;
    this.maxHistory = options.maxHistory ?? 10_000;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'git-source' });
    this.dir = new GitCacheDir(this.gitdir, this.safeUrl, this.logger);
  }

  fetchBranchHead(branch: string): Promise<string> {
    return this.serial(() => assertBranchName(branch), async () => {
      await this.dir.prepare();
      const head = await this.network(`branch ${branch}`, branch, (http) => this.fetchBranch(http, branch));
      await this.dir.compactIfNeeded(this.maxPacks);
      return head;
    });
  }

  fetchCommit(commit: string, branch: string): Promise<void> {
    const check = (): void => {
      assertFullSha(commit);
      assertBranchName(branch);
    };
    return this.serial(check, async () => {
      await this.dir.prepare();
      if (await this.dir.hasCommit(commit)) return;
      await this.network(`commit ${commit} on branch ${branch}`, branch, async (http) => {
        await this.fetchBranch(http, branch);
        let deepened = 0;
        for (let step = FIRST_DEEPEN; !(await this.dir.hasCommit(commit)); step *= 4) {
          const boundary = await readShallow(this.gitdir);
          // Without a shallow boundary the whole history is here already.
          if (boundary.size === 0 || deepened >= this.maxHistory) throw this.notReachable(commit, branch, deepened);
          const depth = Math.min(step, this.maxHistory - deepened);
          await this.fetchRef(http, branch, { depth, relative: true });
          deepened += depth;
          if (sameSet(boundary, await readShallow(this.gitdir))) throw this.notReachable(commit, branch, deepened);
          this.logger.debug({ commit, branch, deepened }, 'deepened history');
        }
      });
      await this.dir.compactIfNeeded(this.maxPacks);
    });
  }

  readCommitObject(commit: string): Promise<Uint8Array> {
    return this.serial(() => assertFullSha(commit), async () => {
      let result: Awaited<ReturnType<typeof readObject>>;
      try {
        result = await readObject({ fs, cache: this.dir.cache, gitdir: this.gitdir, oid: commit, format: 'content' });
      } catch (error) {
        throw await this.dir.readError(error, commit);
      }
      if (result.type !== 'commit') throw new FleetError('validation', `object ${commit} is a ${result.type}, not a commit`);
      return Uint8Array.from(result.object as Uint8Array);
    });
  }

  readTree(commit: string, path: string, limits: TreeLimits = DEFAULT_TREE_LIMITS): Promise<FileTree> {
    let base = '';
    const check = (): void => {
      assertFullSha(commit);
      base = normalizeTreePath(path);
    };
    return this.serial(check, async () => {
      return this.dir.objects(async ({ objects, sizes }) => {
        const reader = { read: (oid: string) => objects.read(oid), sizeOf: (oid: string) => sizes.sizeOf(oid) };
        let tree: string;
        try {
          tree = treeOfCommit(commit, await objects.read(commit));
        } catch (error) {
          throw isFleetError(error) ? error : await this.dir.readError(error, commit);
        }
        try {
          return await readCheckedTree(reader, { oid: commit, tree }, base, limits);
        } catch (error) {
          // Past the commit, a missing object means an incomplete cache, not an unknown commit.
          throw isFleetError(error) ? error : await this.dir.readError(error, commit, { damaged: true });
        }
      });
    });
  }

  diskUsage(): Promise<number> {
    return this.serial(() => undefined, () => this.dir.bytes());
  }

  /**
   * Runs network work under the total timeout and the connect timeout, with its own HTTP agents;
   * whatever fails comes out as a FleetError saying what to do.
   */
  private async network<T>(what: string, branch: string, work: (http: HttpClient) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const abort = (message: string): void => controller.abort(new FleetError('transient', `${message}; will retry`));
    const timer = setTimeout(
      () => abort(`fetch of ${what} from ${this.safeUrl} timed out after ${this.timeoutMs} ms`),
      this.timeoutMs,
    );
    const http = fetchHttp({
      signal: controller.signal,
      connectTimeoutMs: this.connectTimeoutMs,
      onConnectTimeout: () =>
        abort(`cannot fetch ${what}: ${this.safeUrl} did not accept a connection within ${this.connectTimeoutMs} ms`),
    });
    try {
      return await work(http.client);
    } catch (error) {
      throw fetchFailure(error, {
        branch,
        url: this.url,
        safeUrl: this.safeUrl,
        hasAuth: this.auth !== undefined,
        signal: controller.signal,
      });
    } finally {
      clearTimeout(timer);
      http.close();
    }
  }


  /** Runs `check` at once (so argument errors do not wait), then `work` after every earlier operation. */
  private serial<T>(check: () => void, work: () => Promise<T>): Promise<T> {
    try {
      check();
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Fetches `branch`: incrementally from the cached head if there is one, else at depth 1. */
  private async fetchBranch(http: HttpClient, branch: string): Promise<string> {
    const cachedHead = await this.dir.cachedHead(branch);
    const head = await this.fetchRef(http, branch, cachedHead === undefined ? { depth: 1 } : {});
    this.logger.debug({ url: this.safeUrl, branch, head, incremental: cachedHead !== undefined }, 'fetched');
    return head;
  }

  private async fetchRef(http: HttpClient, branch: string, deepen: { depth?: number; relative?: boolean }): Promise<string> {
    const auth = this.auth;
    const capture = capturePack(http);
    const result = await fetch({
      fs,
      cache: this.dir.cache,
      http: capture.client,
      gitdir: this.gitdir,
      url: this.url,
      remote: REMOTE,
      // The local ref is the previous fetch's head, which becomes the `have` of this one.
      ref: `refs/remotes/${REMOTE}/${branch}`,
      remoteRef: `refs/heads/${branch}`,
      singleBranch: true,
      ...deepen,
      tags: false,
      headers: {},
      ...(auth ? { onAuth: () => auth } : {}),
    });
    if (!result.fetchHead) {
      throw new FleetError('not-found', `repository ${this.safeUrl} is empty: branch ${branch} does not exist`);
    }
    const pack = capture.take();
    if (pack) await this.dir.storePack(pack);
    return result.fetchHead;
  }

  private notReachable(commit: string, branch: string, deepened: number): FleetError {
    const bound = deepened >= this.maxHistory ? ` within its newest ${this.maxHistory} commits` : '';
    return new FleetError('not-found', `commit ${commit} is not reachable from branch ${branch} of ${this.safeUrl}${bound}`);
  }
}

/** The tree SHA from a commit object's first header line. */
function treeOfCommit(commit: string, object: GitObject): string {
  if (object.type !== 'commit') throw new FleetError('validation', `object ${commit} is a ${object.type}, not a commit`);
  const tree = /^tree ([0-9a-f]{40})\n/.exec(object.content.toString('latin1', 0, 46))?.[1];
  if (tree === undefined) throw new Error(`commit ${commit} has no tree header`);
  return tree;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}
