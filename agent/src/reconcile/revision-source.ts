/**
 * Which revision a pass works on, and its files. Track mode follows the branch head, directed
 * mode the revision of the last accepted directive; with Git unreachable a pass carries on with
 * what is cached, and fetches back off. A revision new to the cache is checked (and, if
 * configured, signature-verified) before it is copied there; one refused is remembered, so a bad
 * head is not fetched and checked again every pass.
 */
import { backoffDelay } from '../../../shared/src/backoff.js';
import type { BackoffPolicy } from '../../../shared/src/backoff.js';
import { describeError, isFleetError } from '../../../shared/src/errors.js';
import type { FileTree } from '../../../shared/src/git/file-tree.js';
import type { GitSource } from '../../../shared/src/git/git-source.js';
import { DEFAULT_TREE_LIMITS } from '../../../shared/src/git/tree-policy.js';
import type { TreeLimits } from '../../../shared/src/git/tree-policy.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { AgentState } from '../core/agent-state.js';
import type { PassOutcome, PendingRevision } from '../core/reconcile-state.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { RevisionCache } from '../ports/revision-cache.js';

export type CommitCheck = (rawCommit: Uint8Array) => Promise<{ ok: true } | { ok: false; message: string }>;

export interface RevisionSourceDeps {
  git: GitSource;
  branch: string;
  cache: RevisionCache;
  /** For the accepted directive (directed mode). */
  store: AgentStore;
  logger: Logger;
  clock: Clock;
  mode?: 'track' | 'directed';
  limits?: TreeLimits;
  /** Revisions kept in the cache besides the applied and the desired one (default 3). */
  keepRevisions?: number;
  verifyCommit?: CommitCheck;
  /** Delay between failed fetches (default 1 s doubling to 5 min, jittered). */
  fetchBackoff?: BackoffPolicy;
}

/** The revision a pass works on, or why there is none; `pending` is a wanted revision not yet fetched. */
export type Target = { revision: string; pending?: PendingRevision } | { outcome: PassOutcome };

export type Prepared = { ok: true; files: FileTree } | { ok: false; outcome: PassOutcome };

const DEFAULT_FETCH_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 5 * 60_000 };

export class RevisionSource {
  private fetchFailures = 0;
  private nextFetchAt = 0;
  private lastFetchError: string | undefined;
  private readonly refused = new Map<string, string>();
  /** Bytes of the SQLite cache and the git directory, measured when a revision was last cached. */
  cacheBytes: number | undefined;

  constructor(private readonly deps: RevisionSourceDeps) {}

  /** The next pass fetches whatever the backoff says (a new directive is worth asking Git at once). */
  fetchNow(): void {
    this.nextFetchAt = 0;
  }

  /** `fetch: false` asks only the cache: the drift check between fetches. */
  target(previous: AgentState, fetch: boolean): Promise<Target> {
    return this.deps.mode === 'directed' ? this.directedTarget(previous, fetch) : this.trackedTarget(fetch);
  }

  /** The revision's files from the cache, copying them there first if they are new and acceptable. */
  async files(revision: string, previous: AgentState): Promise<Prepared> {
    const { git, cache, logger, clock } = this.deps;
    const files = cache.files(revision);
    if (files) return { ok: true, files };
    const refusal = this.refused.get(revision);
    if (refusal) return { ok: false, outcome: { stage: 'refused', revision, error: refusal } };
    let tree: FileTree;
    try {
      if (this.deps.verifyCommit) {
        const verdict = await this.deps.verifyCommit(await git.readCommitObject(revision));
        if (!verdict.ok) return this.refuse(revision, `commit signature: ${verdict.message}`);
      }
      tree = await git.readTree(revision, '', this.deps.limits ?? DEFAULT_TREE_LIMITS);
    } catch (error) {
      if (isFleetError(error, 'validation')) return this.refuse(revision, `tree refused: ${describeError(error)}`);
      return { ok: false, outcome: { stage: 'source', error: describeError(error) } };
    }
    const now = new Date(clock.now());
    logger.debug({ revision, files: tree.size }, 'caching revision');
    cache.put(revision, tree, now);
    cache.setRef('fetched', revision, now);
    const pinned = [previous.appliedRevision, previous.desiredRevision, revision].filter((sha): sha is string => sha !== null);
    const removed = cache.prune(this.deps.keepRevisions ?? 3, pinned);
    this.cacheBytes = cache.sizeBytes() + (await git.diskUsage());
    logger.info({ revision, files: tree.size, removed, cacheBytes: this.cacheBytes }, 'revision cached');
    return { ok: true, files: tree };
  }

  /** Track mode: the branch head if Git answers, else the last one fetched. */
  private async trackedTarget(fetch: boolean): Promise<Target> {
    const { git, branch, cache } = this.deps;
    const head = await this.fetchWithBackoff(fetch, () => git.fetchBranchHead(branch));
    if (head !== undefined) return { revision: head };
    // Offline is normal: carry on with the last revision fetched, from the cache.
    const cached = cache.ref('fetched');
    if (cached !== undefined && cache.has(cached)) return { revision: cached };
    const why = this.lastFetchError ?? 'waiting to retry';
    return { outcome: { stage: 'source', error: `cannot fetch branch ${branch} and no revision is cached: ${why}` } };
  }

  /**
   * Directed mode: the revision of the last accepted directive. Until it is fetched — and with
   * no directive at all — the applied revision goes on being reconciled: a directive that cannot
   * be followed never uninstalls anything.
   */
  private async directedTarget(previous: AgentState, fetch: boolean): Promise<Target> {
    const { git, branch, cache, store } = this.deps;
    const directive = store.acceptedDirective();
    const applied = previous.appliedRevision !== null && cache.has(previous.appliedRevision) ? previous.appliedRevision : undefined;
    if (!directive) {
      return applied ? { revision: applied } : { outcome: { stage: 'waiting', message: 'no directive from the hub accepted yet' } };
    }
    const wanted = directive.revision;
    if (cache.has(wanted) || this.refused.has(wanted)) return { revision: wanted };
    const fetched = await this.fetchWithBackoff(fetch, () => git.fetchCommit(wanted, branch).then(() => true));
    if (fetched) return { revision: wanted };
    const error = `cannot fetch ${wanted.slice(0, 12)} of directive ${directive.seq}: ${this.lastFetchError ?? 'waiting to retry'}`;
    return applied ? { revision: applied, pending: { revision: wanted, error } } : { outcome: { stage: 'source', error } };
  }

  /** Runs a fetch unless a previous failure's backoff is still running; `undefined` if it did not succeed. */
  private async fetchWithBackoff<T>(fetch: boolean, run: () => Promise<T>): Promise<T | undefined> {
    const now = this.deps.clock.now();
    if (!fetch || now < this.nextFetchAt) return undefined;
    try {
      const result = await run();
      this.fetchFailures = 0;
      this.nextFetchAt = 0;
      this.lastFetchError = undefined;
      return result;
    } catch (error) {
      this.nextFetchAt = now + backoffDelay(this.fetchFailures++, this.deps.fetchBackoff ?? DEFAULT_FETCH_BACKOFF);
      this.lastFetchError = describeError(error);
      this.deps.logger.debug({ error: this.lastFetchError, retryInMs: this.nextFetchAt - now }, 'source unreachable');
      return undefined;
    }
  }

  private refuse(revision: string, error: string): Prepared {
    this.refused.set(revision, error);
    this.deps.logger.warn({ revision, error }, 'revision refused');
    return { ok: false, outcome: { stage: 'refused', revision, error } };
  }
}
