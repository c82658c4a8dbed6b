/**
 * The agent's reconcile loop: a thin shell around the pure core. Each pass reads the state, asks
 * the source for the revision and its files (cached in SQLite, checked first), renders them,
 * applies, concludes the new state, and saves it together with the status record announcing it;
 * the outbox pump then forwards records to the hub. With Git unreachable, passes carry on from
 * the cache.
 */
import type { BackoffPolicy } from '../../../shared/src/backoff.js';
import { describeError } from '../../../shared/src/errors.js';
import type { GitSource } from '../../../shared/src/git/git-source.js';
import type { TreeLimits } from '../../../shared/src/git/tree-policy.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { TrustedKeys } from '../../../shared/src/protocol/signing.js';
import { systemClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { Scheduler } from '../../../shared/src/time/scheduler.js';
import type { OnDemand } from '../../../shared/src/time/scheduler.js';
import type { AgentState } from '../core/agent-state.js';
import type { DriftPolicy } from '../core/apply/drift.js';
import { DEFAULT_HEALTH_DEADLINE_MS } from '../core/apply/health.js';
import { planApply } from '../core/apply/plan-apply.js';
import { DEFAULT_PRUNE_POLICY } from '../core/apply/prune-plan.js';
import { concludePass, stateChanged } from '../core/reconcile-state.js';
import type { PassOutcome } from '../core/reconcile-state.js';
import { renderRevision } from '../core/render/render-revision.js';
import { DirectiveInbox } from '../hub-link/directive-inbox.js';
import { OutboxPump } from '../hub-link/outbox-pump.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { AppliedObjects } from '../ports/applied-objects.js';
import type { KubeClient } from '../ports/kube.js';
import type { RevisionCache } from '../ports/revision-cache.js';
import type { Uplink } from '../ports/uplink.js';
import { applyRevision } from './apply-revision.js';
import type { RevisionApply } from './apply-revision.js';
import { Applier } from './applier.js';
import type { ApplierOptions } from './applier.js';
import { InventoryWatch } from './inventory-watch.js';
import { RevisionSource } from './revision-source.js';
import type { CommitCheck } from './revision-source.js';

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
  /** Time for timestamps, backoff, deadlines and the loops' timers (default the system clock). */
  clock?: Clock;
  limits?: TreeLimits;
  /** Revisions kept in the cache besides the applied and the desired one (default 3). */
  keepRevisions?: number;
  /** When set, only commits it accepts are used. */
  verifyCommit?: CommitCheck;
  /** Delay between failed fetches (default 1 s doubling to 5 min, jittered). */
  fetchBackoff?: BackoffPolicy;
  /** What the agent last applied to each object, so untouched objects cost no request. */
  applied: AppliedObjects;
  applier?: Omit<ApplierOptions, 'clock'>;
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

/** Changes arrive in bursts (an apply touches many objects): check once they settle. */
const WATCH_DEBOUNCE_MS = 1000;
const WATCH_JOB = 'watch';

export class Reconciler {
  private readonly clock: Clock;
  private readonly pump: OutboxPump;
  private readonly source: RevisionSource;
  private readonly apply: RevisionApply;
  /** The fetch and drift loops, and the drift check soon after a change the watches saw. */
  private readonly scheduler: Scheduler;
  private readonly driftCheck: OnDemand;
  /** Watches on the kinds the agent owns; only while started. */
  private readonly watch: InventoryWatch;
  private started = false;
  private running: Promise<AgentState> | undefined;
  private stopped = false;

  constructor(private readonly deps: ReconcilerDeps) {
    const clock = (this.clock = deps.clock ?? systemClock);
    this.pump = new OutboxPump(deps.clusterId, deps.store, deps.uplink, deps.logger, clock);
    this.source = new RevisionSource({ ...deps, clock });
    this.apply = {
      kube: deps.kube,
      applier: new Applier(deps.kube, deps.applied, { ...deps.applier, clock }),
      store: deps.store,
      logger: deps.logger,
      clock,
      driftPolicy: deps.driftPolicy ?? 'remediate',
      prune: { maxPruneShare: deps.prune?.maxPruneShare ?? DEFAULT_PRUNE_POLICY.maxPruneShare },
      healthDeadlineMs: deps.healthDeadlineMs ?? DEFAULT_HEALTH_DEADLINE_MS,
    };
    this.scheduler = new Scheduler(clock, {
      onError: (error, job) => deps.logger.error({ error: describeError(error) }, job === WATCH_JOB ? 'drift check failed' : 'reconcile failed'),
    });
    this.driftCheck = this.scheduler.onDemand(WATCH_JOB, () => this.reconcile({ fetch: false }));
    this.watch = new InventoryWatch(deps.kube, () => this.driftCheck.soon(WATCH_DEBOUNCE_MS));
    if (deps.mode === 'directed') {
      if (!deps.directives) throw new TypeError('directed mode needs the trusted hub keys and the repository URL');
      const inbox = new DirectiveInbox({
        ...deps.directives,
        clusterId: deps.clusterId,
        path: deps.path,
        store: deps.store,
        logger: deps.logger,
        clock,
        onAccepted: () => {
          this.source.fetchNow();
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
    this.scheduler.every('fetch', { intervalMs }, () => this.reconcile({ fetch: true }));
    if (driftIntervalMs !== undefined && driftIntervalMs < intervalMs) {
      this.scheduler.every('drift', { intervalMs: driftIntervalMs, firstAfterMs: driftIntervalMs }, () => this.reconcile({ fetch: false }));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const stopping = this.scheduler.stop();
    this.watch.stop();
    await stopping;
    await this.running?.catch(() => undefined);
  }

  private async pass(fetch: boolean): Promise<AgentState> {
    const { store, logger } = this.deps;
    const previous = store.readState();
    const outcome = await this.attempt(previous, fetch);
    const now = new Date(this.clock.now());
    const next = { ...concludePass(previous, outcome, now), cacheBytes: this.source.cacheBytes ?? previous.cacheBytes };
    if (stateChanged(previous, next)) {
      store.saveState(next, now);
      const ready = next.conditions.find((c) => c.type === 'Ready');
      logger.info({ revision: next.appliedRevision, reason: ready?.reason, message: ready?.message }, 'state changed');
    }
    await this.pump.flush();
    if (this.started && !this.stopped) this.watch.follow(next.inventory);
    return next;
  }

  private async attempt(previous: AgentState, fetch: boolean): Promise<PassOutcome> {
    const target = await this.source.target(previous, fetch);
    if ('outcome' in target) return target.outcome;
    const { revision, pending } = target;
    const prepared = await this.source.files(revision, previous);
    if (!prepared.ok) return prepared.outcome;
    const rendered = renderRevision(prepared.files, this.deps.path, { name: this.deps.clusterId, labels: this.deps.labels ?? {} });
    if (!rendered.ok) {
      const { file, line, message } = rendered.error;
      return { stage: 'render', revision, error: `${file}${line ? `:${line}` : ''}: ${message}` };
    }
    const outcome = await applyRevision(this.apply, revision, planApply(rendered.objects), rendered.allowEmpty ?? false, previous);
    return pending ? { ...outcome, pending } : outcome;
  }
}
