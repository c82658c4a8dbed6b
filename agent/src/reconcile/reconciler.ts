/**
 * The agent's reconcile loop: a thin shell around the pure core. Each pass reads the state, asks
 * the source for the revision and copies it into the SQLite cache (checked and, if configured,
 * signature-verified first), renders from the cache, applies, concludes the new state, and saves
 * it together with the status record announcing it; the outbox pump then forwards records to the
 * hub. With Git unreachable, passes carry on from the cache.
 */
import { backoffDelay } from '../../../shared/src/backoff.js';
import type { BackoffPolicy } from '../../../shared/src/backoff.js';
import { describeError, isFleetError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import { OWNER_LABEL, OWNER_VALUE, planApply } from '../core/apply/plan-apply.js';
import { concludePass, stateChanged } from '../core/reconcile-state.js';
import type { PassOutcome, PendingRevision } from '../core/reconcile-state.js';
import { renderRevision } from '../core/render/render-revision.js';
import { DEFAULT_TREE_LIMITS } from '../../../shared/src/git/tree-policy.js';
import type { TreeLimits } from '../../../shared/src/git/tree-policy.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { AgentState } from '../core/agent-state.js';
import type { GitSource } from '../../../shared/src/git/git-source.js';
import type { FileTree } from '../../../shared/src/git/file-tree.js';
import type { RevisionCache } from '../ports/revision-cache.js';
import { Applier } from './applier.js';
import type { ApplierOptions } from './applier.js';
import { objectIdentity } from '../core/apply/change-set.js';
import type { DriftPolicy } from '../core/apply/drift.js';
import { DEFAULT_HEALTH_DEADLINE_MS, assessHealth, summarizeHealth } from '../core/apply/health.js';
import { DEFAULT_PRUNE_POLICY, mayDelete, planPrune } from '../core/apply/prune-plan.js';
import type { AppliedObjects } from '../ports/applied-objects.js';
import { describeRef, refOf } from '../core/kube-object.js';
import type { KubeClient } from '../ports/kube.js';
import type { KubeObject, ObjectRef } from '../core/kube-object.js';
import type { Uplink } from '../ports/uplink.js';
import type { TrustedKeys } from '../../../shared/src/protocol/signing.js';
import { DirectiveInbox } from '../hub-link/directive-inbox.js';
import { OutboxPump } from '../hub-link/outbox-pump.js';

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
  /** What the agent last applied to each object, so untouched objects cost no request. */
  applied: AppliedObjects;
  applier?: ApplierOptions;
  /** Cluster-wide drift policy (default remediate); objects may override it by annotation. */
  driftPolicy?: DriftPolicy;
  /** Prune guard: the largest share of the inventory one pass may delete (default 0.5). */
  prune?: { maxPruneShare: number };
  /** How long applied objects may take to become healthy (default 5 min). */
  healthDeadlineMs?: number;
  /**
   * `track` (the default) follows the head of `branch`; `directed` runs the revision named by the
   * last hub directive accepted, fetched from `branch`'s history.
   */
  mode?: 'track' | 'directed';
  /** Directed mode: the hub keys trusted, and the repository URL every directive must name. */
  directives?: { trusted: TrustedKeys; repo: string };
}

export type CommitCheck = (rawCommit: Uint8Array) => Promise<{ ok: true } | { ok: false; message: string }>;

/** Changes arrive in bursts (an apply touches many objects): check once they settle. */
const WATCH_DEBOUNCE_MS = 1000;

type Prepared = { ok: true; files: FileTree } | { ok: false; outcome: PassOutcome };
/** The revision a pass works on, or why there is none; `pending` is a wanted revision not yet fetched. */
type Target = { revision: string; pending?: PendingRevision } | { outcome: PassOutcome };

export class Reconciler {
  private readonly now: () => Date;
  private readonly pump: OutboxPump;
  private readonly applier: Applier;
  /** The next tick of each loop: 'fetch', 'drift', and 'watch' (a drift check soon after a change). */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Watches on the kinds the agent owns, by apiVersion|kind|namespace; only while started. */
  private readonly watches = new Map<string, () => void>();
  private started = false;
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
    this.applier = new Applier(deps.kube, deps.applied, deps.applier);
    if (deps.mode === 'directed') {
      if (!deps.directives) throw new TypeError('directed mode needs the trusted hub keys and the repository URL');
      const inbox = new DirectiveInbox({
        ...deps.directives,
        clusterId: deps.clusterId,
        path: deps.path,
        store: deps.store,
        logger: deps.logger,
        now: this.now,
        onAccepted: () => {
          this.nextFetchAt = 0;
          // A pass already running read the previous directive: run another after it.
          void (this.running ?? Promise.resolve())
            .catch(() => undefined)
            .then(() => (this.stopped ? undefined : this.reconcile()))
            .catch((error: unknown) => deps.logger.error({ error: describeError(error) }, 'reconcile failed'));
        },
        onRefused: () => void this.pump.flush(),
      });
      deps.uplink.onDirective((payload) => {
        if (!this.stopped) inbox.receive(payload);
      });
    }
  }

  /**
   * One pass; concurrent callers share the pass in progress. `fetch: false` reconciles the
   * revision already fetched, without asking Git: the drift check between fetches.
   */
  reconcile(options: { fetch?: boolean } = {}): Promise<AgentState> {
    this.running ??= this.pass(options.fetch ?? true).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Reconciles now and then every `intervalMs` (fetching) and every `driftIntervalMs` (not fetching), until `stop`. */
  start(intervalMs: number, driftIntervalMs?: number): void {
    this.started = true;
    const loop = (name: string, every: number, fetch: boolean) => {
      const tick = () => {
        this.reconcile({ fetch })
          .catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'reconcile failed'))
          .finally(() => {
            if (!this.stopped) this.timers.set(name, setTimeout(tick, every));
          });
      };
      return tick;
    };
    loop('fetch', intervalMs, true)();
    if (driftIntervalMs !== undefined && driftIntervalMs < intervalMs) {
      this.timers.set('drift', setTimeout(loop('drift', driftIntervalMs, false), driftIntervalMs));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const stopWatch of this.watches.values()) stopWatch();
    this.watches.clear();
    await this.running?.catch(() => undefined);
  }

  private async pass(fetch: boolean): Promise<AgentState> {
    const { store, logger } = this.deps;
    const previous = store.readState();
    const outcome = await this.attempt(previous, fetch);
    const next = { ...concludePass(previous, outcome, this.now()), cacheBytes: this.cacheBytes ?? previous.cacheBytes };
    if (stateChanged(previous, next)) {
      store.saveState(next, this.now());
      const ready = next.conditions.find((c) => c.type === 'Ready');
      logger.info({ revision: next.appliedRevision, reason: ready?.reason, message: ready?.message }, 'state changed');
    }
    await this.pump.flush();
    this.followInventory(next.inventory);
    return next;
  }

  /**
   * Watches what the agent owns, so that a hand edit or deletion is checked within a second or
   * so instead of at the next drift interval. Best effort: the interval check remains the backstop.
   */
  private followInventory(inventory: readonly ObjectRef[]): void {
    const { kube } = this.deps;
    if (!this.started || this.stopped || !kube.watchChanges) return;
    const wanted = new Map(inventory.map((ref) => [`${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ''}`, ref]));
    for (const [key, stopWatch] of this.watches) {
      if (!wanted.has(key)) {
        stopWatch();
        this.watches.delete(key);
      }
    }
    for (const [key, ref] of wanted) {
      if (this.watches.has(key)) continue;
      const options = { labelSelector: `${OWNER_LABEL}=${OWNER_VALUE}`, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
      this.watches.set(key, kube.watchChanges(ref.apiVersion, ref.kind, options, (type) => {
        if (type !== 'ADDED') this.checkDriftSoon();
      }));
    }
  }

  private checkDriftSoon(): void {
    if (this.stopped || this.timers.has('watch')) return;
    this.timers.set('watch', setTimeout(() => {
      this.timers.delete('watch');
      this.reconcile({ fetch: false }).catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'drift check failed'));
    }, WATCH_DEBOUNCE_MS));
  }

  private async attempt(previous: AgentState, fetch: boolean): Promise<PassOutcome> {
    const target = this.deps.mode === 'directed' ? await this.directedTarget(previous, fetch) : await this.trackedTarget(fetch);
    if ('outcome' in target) return target.outcome;
    const { revision, pending } = target;
    const prepared = await this.prepare(revision, previous);
    if (!prepared.ok) return prepared.outcome;
    const rendered = renderRevision(prepared.files, this.deps.path, { name: this.deps.clusterId, labels: this.deps.labels ?? {} });
    if (!rendered.ok) {
      const { file, line, message } = rendered.error;
      return { stage: 'render', revision, error: `${file}${line ? `:${line}` : ''}: ${message}` };
    }
    const outcome = await this.applyRevision(revision, planApply(rendered.objects), rendered.allowEmpty ?? false, previous);
    return pending && outcome.stage === 'apply' ? { ...outcome, pending } : outcome;
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
    return { outcome: { stage: 'source', error: `cannot fetch branch ${this.deps.branch} and no revision is cached: ${why}` } };
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
    const now = this.now().getTime();
    if (!fetch || now < this.nextFetchAt) return undefined;
    try {
      const result = await run();
      this.fetchFailures = 0;
      this.nextFetchAt = 0;
      this.lastFetchError = undefined;
      return result;
    } catch (error) {
      const policy = this.deps.fetchBackoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
      this.nextFetchAt = now + backoffDelay(this.fetchFailures++, policy);
      this.lastFetchError = describeError(error);
      this.deps.logger.debug({ error: this.lastFetchError, retryInMs: this.nextFetchAt - now }, 'source unreachable');
      return undefined;
    }
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

  /** Applies, prunes what the previous revision had and this one does not, and assesses health. */
  private async applyRevision(revision: string, objects: KubeObject[], allowEmpty: boolean, previous: AgentState): Promise<PassOutcome> {
    const { kube, logger } = this.deps;
    const { changes, live } = await this.applier.apply(objects, this.deps.driftPolicy ?? 'remediate');
    for (const change of changes) {
      if (change.driftPaths && change.action === 'configured') {
        // Each remediation is an occurrence worth a record of its own; drift left in place under
        // the alert policy is carried by the Ready condition instead, not repeated every pass.
        const message = `${describeRef(change.ref)}: ${change.driftPaths.join(', ')} changed by hand; re-applied`;
        logger.warn({ object: describeRef(change.ref), paths: change.driftPaths }, 'drift remediated');
        this.deps.store.appendEvent({ reason: 'DriftRemediated', message, severity: 'warning' }, this.now());
      }
    }
    const desired = objects.map(refOf);
    const now = this.now().getTime();
    const appliedAt = previous.appliedRevision === revision && previous.appliedAt ? Date.parse(previous.appliedAt) : now;
    if (changes.some((c) => c.action === 'failed')) return { stage: 'apply', revision, changes, inventory: previous.inventory, appliedAt };

    // Prune only what the last applied revision owned, and only after everything applied.
    const plan = previous.appliedRevision === null ? { ok: true as const, prune: [] } : planPrune(previous.inventory, desired, { ...DEFAULT_PRUNE_POLICY, ...this.deps.prune, allowEmpty });
    let inventory = desired;
    let pruneRefused: string | undefined;
    if (!plan.ok) {
      pruneRefused = plan.message;
      // Still ours, still to be pruned once it is allowed.
      const kept = new Set(desired.map(objectIdentity));
      inventory = [...desired, ...previous.inventory.filter((ref) => !kept.has(objectIdentity(ref)))];
    } else {
      for (const ref of plan.prune) {
        const decision = mayDelete(await kube.get(ref).catch(() => undefined));
        if (decision.delete) {
          const deleted = await kube.delete(ref).then(() => true, (error: unknown) => describeError(error));
          changes.push(deleted === true ? { ref, action: 'deleted' } : { ref, action: 'failed', message: `prune: ${deleted}` });
        } else if (decision.reason !== 'Gone') {
          changes.push({ ref, action: 'skipped', message: decision.message });
        }
      }
    }
    const health = summarizeHealth(
      objects.map((object) => {
        const current = live.get(objectIdentity(refOf(object)));
        return { ref: describeRef(refOf(object)), health: current ? assessHealth(current) : { status: 'Unknown' as const, reason: 'NotFound', message: 'not found after apply' } };
      }),
      { appliedAt, now, deadlineMs: this.deps.healthDeadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS },
    );
    return { stage: 'apply', revision, changes, inventory, appliedAt, health, ...(pruneRefused ? { pruneRefused } : {}) };
  }

}

