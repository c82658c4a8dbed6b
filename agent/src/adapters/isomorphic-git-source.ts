import * as fs from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Errors, fetch, getConfig, init, readBlob, readCommit, readTree, resolveRef, setConfig } from 'isomorphic-git';
import type { GitAuth, HttpClient } from 'isomorphic-git';
import httpNode from 'isomorphic-git/http/node';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { FleetError, isFleetError } from '../../../shared/src/errors.js';
import type { FileTree, GitSource } from '../ports/git-source.js';
import { assertBranchName, assertFullSha, normalizeTreePath } from './git-tree-path.js';

export type GitAuthOptions = { username: string; password: string } | { token: string };

export interface IsomorphicGitSourceOptions {
  /** Smart-HTTP(S) URL of the repository. */
  url: string;
  /** Bare git directory used as a cache: it can be deleted at any time and is rebuilt by the next fetch. */
  dir: string;
  /** A token is sent as the Basic password (user `x-access-token`), as GitHub, Gitea and GitLab accept. */
  auth?: GitAuthOptions;
  /** Limit for one whole fetch, all requests included. Defaults to 60 s. */
  timeoutMs?: number;
  logger?: Logger;
}

const REMOTE = 'origin';
const TOKEN_USER = 'x-access-token';

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
 */
export class IsomorphicGitSource implements GitSource {
  private readonly url: string;
  /** The URL with any credentials removed: the only form that reaches messages and logs. */
  private readonly safeUrl: string;
  private readonly gitdir: string;
  private readonly auth: GitAuth | undefined;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  /** isomorphic-git's object cache (parsed pack indexes), kept across reads. */
  private readonly cache: object = {};
  /** Fetches of one cache directory run one at a time, including an abandoned timed-out one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IsomorphicGitSourceOptions) {
    this.url = options.url;
    this.safeUrl = withoutCredentials(options.url);
    this.gitdir = options.dir;
    this.auth = options.auth && ('token' in options.auth
      ? { username: TOKEN_USER, password: options.auth.token }
      : { username: options.auth.username, password: options.auth.password });
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'git-source' });
  }

  fetchBranchHead(branch: string): Promise<string> {
    try {
      assertBranchName(branch);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.queue.then(() => this.fetchOnce(branch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async fetchOnce(branch: string): Promise<string> {
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new FleetError(
          'transient',
          `fetch of branch ${branch} from ${this.safeUrl} timed out after ${this.timeoutMs} ms; will retry`,
        ),
      );
    }, this.timeoutMs);
    const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
    try {
      await this.prepareCache();
      const cachedHead = await this.cachedHead(branch);
      const auth = this.auth;
      const result = await fetch({
        fs,
        cache: this.cache,
        http: abortableHttp(agents, controller.signal),
        gitdir: this.gitdir,
        url: this.url,
        remote: REMOTE,
        // The local ref is the previous fetch's head, which becomes the `have` of this one.
        ref: `refs/remotes/${REMOTE}/${branch}`,
        remoteRef: `refs/heads/${branch}`,
        singleBranch: true,
        // Only without a usable cached head (see the class comment for why not always).
        ...(cachedHead === undefined ? { depth: 1 } : {}),
        tags: false,
        headers: {},
        ...(auth ? { onAuth: () => auth } : {}),
      });
      if (!result.fetchHead) {
        throw new FleetError('not-found', `repository ${this.safeUrl} is empty: branch ${branch} does not exist`);
      }
      this.logger.debug(
        { url: this.safeUrl, branch, head: result.fetchHead, incremental: cachedHead !== undefined, ms: Date.now() - started },
        'fetched',
      );
      return result.fetchHead;
    } catch (error) {
      throw this.fetchError(error, branch, controller.signal);
    } finally {
      clearTimeout(timer);
      agents.http.destroy();
      agents.https.destroy();
    }
  }

  /** The head of the last fetch of `branch` if its commit is still in the cache. */
  private async cachedHead(branch: string): Promise<string | undefined> {
    try {
      const oid = await resolveRef({ fs, gitdir: this.gitdir, ref: `refs/remotes/${REMOTE}/${branch}` });
      await readCommit({ fs, cache: this.cache, gitdir: this.gitdir, oid });
      return oid;
    } catch {
      return undefined;
    }
  }

  /** (Re)creates the cache directory if it was deleted; the URL stays out of its config. */
  private async prepareCache(): Promise<void> {
    await init({ fs, gitdir: this.gitdir, bare: true });
    const key = `remote.${REMOTE}.fetch`;
    if ((await getConfig({ fs, gitdir: this.gitdir, path: key })) === undefined) {
      await setConfig({ fs, gitdir: this.gitdir, path: key, value: `+refs/heads/*:refs/remotes/${REMOTE}/*` });
    }
  }

  private fetchError(error: unknown, branch: string, signal: AbortSignal): FleetError {
    // Whatever isomorphic-git made of the aborted request, the cause is the timeout.
    if (signal.aborted && isFleetError(signal.reason)) return signal.reason;
    if (isFleetError(error)) return error;
    const where = `branch ${branch} from ${this.safeUrl}`;
    if (error instanceof Errors.HttpError) {
      const status = error.data.statusCode;
      if (status === 401 || status === 403) {
        const hint = this.auth || hasCredentials(this.url)
          ? 'the configured credentials were rejected; check the username, password or token'
          : 'the repository needs credentials; configure auth';
        return new FleetError('validation', `cannot fetch ${where}: HTTP ${status}, ${hint}`, { cause: error });
      }
      if (status === 404) {
        return new FleetError('not-found', `cannot fetch ${where}: no repository at that URL (HTTP 404)`, {
          cause: error,
        });
      }
      return new FleetError('transient', `cannot fetch ${where}: HTTP ${status}; will retry`, { cause: error });
    }
    if (error instanceof Errors.NotFoundError) {
      return new FleetError('not-found', `branch ${branch} does not exist at ${this.safeUrl}`, { cause: error });
    }
    return new FleetError('transient', `cannot fetch ${where}; will retry`, { cause: error });
  }

  async readTree(commit: string, path: string): Promise<FileTree> {
    assertFullSha(commit);
    const base = normalizeTreePath(path);
    const gitdir = this.gitdir;
    const cache = this.cache;
    let treeOid: string;
    try {
      treeOid = (await readCommit({ fs, cache, gitdir, oid: commit })).commit.tree;
    } catch (cause) {
      throw new FleetError('not-found', `commit ${commit} is not in the fetched objects of ${this.safeUrl}`, { cause });
    }
    let root: Awaited<ReturnType<typeof readTree>>;
    try {
      root = await readTree({ fs, cache, gitdir, oid: treeOid, ...(base === '' ? {} : { filepath: base }) });
    } catch (cause) {
      if (cause instanceof Errors.ObjectTypeError) {
        throw new FleetError('validation', `path ${base} in commit ${commit} is a file, not a directory`, { cause });
      }
      throw new FleetError('not-found', `path ${base} does not exist in commit ${commit}`, { cause });
    }

    const files = new Map<string, Uint8Array>();
    const pending: Array<{ prefix: string; entries: typeof root.tree }> = [{ prefix: '', entries: root.tree }];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const entry of next.entries) {
        const relative = next.prefix + entry.path;
        const full = base === '' ? relative : `${base}/${relative}`;
        if (entry.mode === '040000') {
          const subtree = await readTree({ fs, cache, gitdir, oid: entry.oid });
          pending.push({ prefix: `${relative}/`, entries: subtree.tree });
        } else if (entry.mode === '100644' || entry.mode === '100755') {
          files.set(relative, (await readBlob({ fs, cache, gitdir, oid: entry.oid })).blob);
        } else {
          const what = entry.mode === '120000' ? 'a symbolic link' : entry.mode === '160000' ? 'a submodule' : `of mode ${entry.mode}`;
          throw new FleetError(
            'validation',
            `${full} in commit ${commit} is ${what}, which is not supported: commit regular files instead`,
          );
        }
      }
    }
    return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/**
 * isomorphic-git's fetch has no timeout and passes no abort signal to its HTTP client. This wraps
 * the Node client so that aborting destroys the sockets (each fetch has its own agents) and makes
 * any pending request or body read reject at once, whatever state isomorphic-git is in.
 */
function abortableHttp(agents: { http: HttpAgent; https: HttpsAgent }, signal: AbortSignal): HttpClient {
  signal.addEventListener('abort', () => {
    agents.http.destroy();
    agents.https.destroy();
  });
  return {
    async request(request) {
      signal.throwIfAborted();
      const agent = request.url.startsWith('https:') ? agents.https : agents.http;
      const response = await untilAborted(httpNode.request({ ...request, agent, signal }), signal);
      return response.body ? { ...response, body: abortableBody(response.body, signal) } : response;
    },
  };
}

async function* abortableBody(body: AsyncIterableIterator<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const { value, done } = await untilAborted(body.next(), signal);
      if (done) return;
      yield value;
    }
  } finally {
    await body.return?.();
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
