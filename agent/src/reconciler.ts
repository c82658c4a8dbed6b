/**
 * The agent's reconcile loop: a thin shell around the pure core. Each pass reads the state, asks
 * the source for the revision and copies it into the SQLite cache (checked and, if configured,
 * signature-verified first), renders from the cache, applies, concludes the new state, and saves
 * it together with the status record announcing it; the outbox pump then forwards records to the
 * hub. With Git unreachable, passes carry on from the cache.
 */
import { backoffDelay } from '../../shared/src/backoff.js';
import type { BackoffPolicy } from '../../shared/src/backoff.js';
import { describeError, isFleetError } from '../../shared/src/errors.js';
import type { Logger } from '../../shared/src/logger.js';
import { FIELD_MANAGER, planApply } from './core/plan-apply.js';
import { concludePass, stateChanged } from './core/reconcile-state.js';
import type { PassOutcome } from './core/reconcile-state.js';
import { renderRevision } from './core/render-revision.js';
import { DEFAULT_TREE_LIMITS } from './core/tree-policy.js';
import type { TreeLimits } from './core/tree-policy.js';
import type { AgentState, AgentStore } from './ports/agent-store.js';
import type { FileTree, GitSource } from './ports/git-source.js';
import type { RevisionCache } from './ports/revision-cache.js';
import { describeRef, refOf } from './ports/kube.js';
import type { KubeClient, ObjectRef } from './ports/kube.js';
import type { Uplink } from './ports/uplink.js';
import { OutboxPump } from './outbox-pump.js';

export interface ReconcilerDeps {
  clusterId: string;
  /** The cluster's labels, for fleet.yaml targets and variables. */
  labels?: Readonly<Record<string, string>>;
  git: GitSource;
  branch: string;
  /** Folder of the repository holding this cluster's manifests; `''` for the root. */
  path: string;
  kube: KubeClient;
  store: AgentStore;
  cache: RevisionCache;
  uplink: Uplink;
  logger: Logger;
  now?: () => Date;
  limits?: TreeLimits;
  /** Revisions kept in the cache besides the applied and the desired one (default 3). */
  keepRevisions?: number;
  /** When set, only commits it accepts are used. */
  verifyCommit?: CommitCheck;
  /** Delay between failed fetches (default 1 s doubling to 5 min, jittered). */
  fetchBackoff?: BackoffPolicy;
}

export type CommitCheck = (rawCommit: Uint8Array) => Promise<{ ok: true } | { ok: false; message: string }>;

type Prepared = { ok: true; files: FileTree } | { ok: false; outcome: PassOutcome };

export class Reconciler {
  private readonly now: () => Date;
  private readonly pump: OutboxPump;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AgentState> | undefined;
  private stopped = false;
  private fetchFailures = 0;
  private nextFetchAt = 0;
  private lastFetchError: string | undefined;
  /** Revisions refused in this process, so a bad head is not fetched and checked every pass. */
  private readonly refused = new Map<string, string>();
  private cacheBytes: number | undefined;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.pump = new OutboxPump(deps.clusterId, deps.store, deps.uplink, deps.logger, this.now);
  }

  /** One pass; concurrent callers share the pass in progress. */
  reconcile(): Promise<AgentState> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Reconciles now and then every `intervalMs`, until `stop`. */
  start(intervalMs: number): void {
    const tick = () => {
      this.reconcile()
        .catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'reconcile failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<AgentState> {
    const { store, logger } = this.deps;
    const previous = store.readState();
    const outcome = await this.attempt(previous);
    const next = { ...concludePass(previous, outcome, this.now()), cacheBytes: this.cacheBytes ?? previous.cacheBytes };
    if (stateChanged(previous, next)) {
      store.saveState(next, this.now());
      const ready = next.conditions.find((c) => c.type === 'Ready');
      logger.info({ revision: next.appliedRevision, reason: ready?.reason, message: ready?.message }, 'state changed');
    }
    await this.pump.flush();
    return next;
  }

  private async attempt(previous: AgentState): Promise<PassOutcome> {
    const revision = await this.latestRevision();
    if (revision === undefined) {
      const why = this.lastFetchError ?? 'waiting to retry';
      return { stage: 'source', error: `cannot fetch branch ${this.deps.branch} and no revision is cached: ${why}` };
    }
    const prepared = await this.prepare(revision, previous);
    if (!prepared.ok) return prepared.outcome;
    const rendered = renderRevision(prepared.files, this.deps.path, { name: this.deps.clusterId, labels: this.deps.labels ?? {} });
    if (!rendered.ok) {
      const { file, line, message } = rendered.error;
      return { stage: 'render', revision, error: `${file}${line ? `:${line}` : ''}: ${message}` };
    }
    return { stage: 'apply', revision, ...(await this.applyAll(planApply(rendered.objects))) };
  }

  /** The branch head if Git answers (with backoff after failures), else the last one fetched. */
  private async latestRevision(): Promise<string | undefined> {
    const { git, branch, cache, logger } = this.deps;
    const now = this.now().getTime();
    if (now >= this.nextFetchAt) {
      try {
        const head = await git.fetchBranchHead(branch);
        this.fetchFailures = 0;
        this.nextFetchAt = 0;
        this.lastFetchError = undefined;
        return head;
      } catch (error) {
        const policy = this.deps.fetchBackoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
        this.nextFetchAt = now + backoffDelay(this.fetchFailures++, policy);
        this.lastFetchError = describeError(error);
        logger.debug({ error: this.lastFetchError, retryInMs: this.nextFetchAt - now }, 'source unreachable');
      }
    }
    // Offline is normal: carry on with the last revision fetched, from the cache.
    const cached = cache.ref('fetched');
    return cached !== undefined && cache.has(cached) ? cached : undefined;
  }

  /** The revision's files from the cache, copying them there first if they are new and acceptable. */
  private async prepare(revision: string, previous: AgentState): Promise<Prepared> {
    const { git, cache, logger } = this.deps;
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
    const now = this.now();
    logger.debug({ revision, files: tree.size }, 'caching revision');
    cache.put(revision, tree, now);
    cache.setRef('fetched', revision, now);
    const pinned = [previous.appliedRevision, previous.desiredRevision, revision].filter((sha): sha is string => sha !== null);
    const removed = cache.prune(this.deps.keepRevisions ?? 3, pinned);
    this.cacheBytes = cache.sizeBytes() + (await git.diskUsage());
    logger.info({ revision, files: tree.size, removed, cacheBytes: this.cacheBytes }, 'revision cached');
    return { ok: true, files: tree };
  }

  private refuse(revision: string, error: string): Prepared {
    this.refused.set(revision, error);
    this.deps.logger.warn({ revision, error }, 'revision refused');
    return { ok: false, outcome: { stage: 'refused', revision, error } };
  }

  private async applyAll(objects: ReturnType<typeof planApply>) {
    const applied: ObjectRef[] = [];
    const failures: { ref: string; error: string }[] = [];
    for (const object of objects) {
      try {
        // force: the revision in Git is the source of truth, so the agent takes over fields
        // another manager set by hand (drift policy will decide this per object later).
        await this.deps.kube.apply(object, { fieldManager: FIELD_MANAGER, force: true });
        applied.push(refOf(object));
      } catch (error) {
        failures.push({ ref: describeRef(refOf(object)), error: describeError(error) });
      }
    }
    return { applied, failures };
  }
}

