/**
 * The shell around the rollout engine: it builds the fleet view, runs the engine on a timer and
 * when asked, commits each step together with the directives it issues, then publishes them.
 * Every change goes through one queue, so steps never interleave; after a restart it loads the
 * active rollouts and carries on from what was committed.
 */
import { randomBytes } from 'node:crypto';
import { describeError, FleetError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Directive } from '../../../shared/src/protocol/protocol.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { Scheduler } from '../../../shared/src/time/scheduler.js';
import type { OnDemand } from '../../../shared/src/time/scheduler.js';
import { assignWaves } from '../core/rollout/assign.js';
import { act, createRollout, supersede, tick } from '../core/rollout/engine.js';
import type { OperatorAction } from '../core/rollout/engine.js';
import { ACTIVE_STATUSES } from '../core/rollout/model.js';
import type { FleetMember, FleetView, Rollout, Step } from '../core/rollout/model.js';
import { RolloutPlanInput } from '../core/rollout/plan.js';
import type { RevisionResolver } from '../adapters/git-revisions.js';
import type { DirectiveIssuer } from './directive-issuer.js';
import type { FleetStore } from '../ports/fleet-store.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { RolloutOrigin, RolloutStore, RolloutSummary } from '../ports/rollout-store.js';

export interface RolloutServiceDeps {
  fleet: FleetStore;
  rollouts: RolloutStore;
  directives: DirectiveIssuer;
  resolveRevision: RevisionResolver;
  logger: Logger;
  clock: Clock;
  /** How often active rollouts are re-evaluated without being asked (default 1 s). */
  tickMs?: number;
  /** Ids of clusters whose status, presence or labels changed, so the fleet view is read again only for them. */
  changes?: { onIds(listener: (clusterIds: ReadonlySet<string>) => void): () => void };
}

/** Least time between ticks asked for by new reports. */
const NUDGE_GAP_MS = 100;

export interface CreatedRollout {
  rollout: Rollout;
  /** Clusters the plan's selector matched that no wave took. */
  unassigned: string[];
}

export class RolloutService {
  private readonly active = new Map<string, Rollout>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The tick loop and the ticks nudges ask for. */
  private readonly scheduler: Scheduler;
  private readonly nudged: OnDemand;
  /** A nudge's tick is waiting to start: further nudges join it. */
  private tickPending = false;
  private lastTickAt = 0;
  private stopped = false;
  private readonly listeners = new Set<(rollout: Rollout) => void>();
  /**
   * The fleet as the engine reads it, kept between ticks when `changes` says which clusters
   * changed: reading and checking every cluster each tick costs far more than the engine.
   */
  private view: Map<string, FleetMember> | undefined;
  private readonly stale = new Set<string>();

  constructor(private readonly deps: RolloutServiceDeps) {
    this.scheduler = new Scheduler(deps.clock, { onError: (error) => deps.logger.error({ error: describeError(error) }, 'rollout tick failed') });
    this.nudged = this.scheduler.onDemand('nudge', () => this.tick());
    for (const rollout of deps.rollouts.active()) this.active.set(rollout.id, rollout);
    deps.changes?.onIds((ids) => {
      for (const id of ids) this.stale.add(id);
    });
  }

  /** Re-evaluates now and every `tickMs`. */
  start(): void {
    this.scheduler.every('tick', { intervalMs: this.deps.tickMs ?? 1000 }, () => this.tick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.scheduler.stop();
    await this.queue.catch(() => undefined);
  }

  /** Called with every rollout a step changed (for the event stream). */
  onChange(listener: (rollout: Rollout) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates the plan, resolves its revision in Git, and starts it; newer wins over older on shared clusters. */
  async create(input: unknown, origin: RolloutOrigin): Promise<CreatedRollout> {
    const parsed = RolloutPlanInput.safeParse(input);
    if (!parsed.success) throw new FleetError('validation', `invalid rollout plan: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ')}`);
    const plan = parsed.data;
    const revision = await this.deps.resolveRevision(plan.revision);
    return this.serialized(async () => {
      const clusters = this.deps.fleet.listClusters();
      const { waves, unassigned } = assignWaves(plan, clusters);
      const now = this.deps.clock.now();
      const id = `r-${new Date(now).toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
      const created = createRollout({ id, plan, revision, waves, fleet: this.refreshView(clusters), now });
      const taken = new Set(created.rollout.clusters.keys());
      const superseded = [...this.active.values()].map((older) => supersede(older, [...older.clusters.keys()].filter((c) => taken.has(c)), id, now));
      const [rollout] = await this.commit([{ step: created, origin }, ...superseded.map((step) => ({ step }))]);
      this.deps.logger.info({ rolloutId: id, revision, clusters: taken.size, origin }, 'rollout created');
      return { rollout: rollout!, unassigned };
    });
  }

  /** An operator's action on a rollout. */
  act(id: string, action: OperatorAction, actor: string): Promise<Rollout> {
    return this.serialized(async () => {
      const rollout = this.active.get(id) ?? this.deps.rollouts.get(id);
      if (!rollout) throw new FleetError('not-found', `no rollout ${id}`);
      const step = act(rollout, action, this.fleet(), this.deps.clock.now(), actor);
      const [saved] = await this.commit([{ step }]);
      return saved!;
    });
  }

  get(id: string): Rollout | undefined {
    return this.active.get(id) ?? this.deps.rollouts.get(id);
  }

  /** Rollouts still directing clusters. */
  activeRollouts(): Rollout[] {
    return [...this.active.values()];
  }

  /** Newest first. */
  list(options?: Parameters<RolloutStore['list']>[0]): RolloutSummary[] {
    return this.deps.rollouts.list(options);
  }

  audit(options?: Parameters<RolloutStore['audit']>[0]): ReturnType<RolloutStore['audit']> {
    return this.deps.rollouts.audit(options);
  }

  /** Asks for a re-evaluation soon (after new statuses arrive); calls close together share one. */
  nudge(): void {
    // Ingest commits every few milliseconds under load, and a tick walks every cluster of every
    // active rollout: tick at most every NUDGE_GAP_MS, and not at all without an active rollout.
    if (this.stopped || this.tickPending || this.active.size === 0) return;
    this.tickPending = true;
    this.nudged.soon(this.lastTickAt + NUDGE_GAP_MS - this.deps.clock.now());
  }

  /** Re-evaluates every active rollout once. */
  tick(): Promise<void> {
    return this.serialized(async () => {
      this.tickPending = false;
      this.lastTickAt = this.deps.clock.now();
      if (this.active.size === 0) return;
      const fleet = this.fleet();
      const now = this.deps.clock.now();
      const steps = [...this.active.values()].map((rollout) => tick(rollout, fleet, now)).filter((step) => step.changed.length > 0 || step.audit.length > 0);
      if (steps.length > 0) await this.commit(steps.map((step) => ({ step })));
    }).catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'rollout tick failed'));
  }

  /** The fleet view, read in full the first time (and without `changes`), else only where it changed. */
  private fleet(): FleetView {
    if (!this.view || !this.deps.changes) return this.refreshView(this.deps.fleet.listClusters());
    for (const id of this.stale) {
      const cluster = this.deps.fleet.getCluster(id);
      if (cluster) this.view.set(id, fleetMember(cluster));
      else this.view.delete(id);
    }
    this.stale.clear();
    return this.view;
  }

  private refreshView(clusters: readonly ClusterView[]): FleetView {
    this.stale.clear();
    this.view = fleetView(clusters);
    return this.view;
  }

  /** Commits steps with their directives, then publishes the directives. */
  private async commit(steps: readonly { step: Step; origin?: RolloutOrigin }[]): Promise<Rollout[]> {
    let recorded: Directive[] = [];
    const saved = this.deps.rollouts.commit(steps, () => {
      recorded = steps.flatMap(({ step }) => this.deps.directives.record(step.rollout.id, step.directives));
      return new Map(recorded.map((d) => [d.clusterId, d.seq]));
    });
    for (const rollout of saved) {
      if (ACTIVE_STATUSES.has(rollout.status)) this.active.set(rollout.id, rollout);
      else this.active.delete(rollout.id);
      for (const listener of this.listeners) listener(rollout);
    }
    if (recorded.length > 0) {
      // Recorded already: a failure here is retried by the republish at the next start.
      await this.deps.directives.publish(recorded).catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'publishing directives failed'));
    }
    return saved;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** What the engine reads of the fleet. */
export function fleetView(clusters: readonly ClusterView[]): Map<string, FleetMember> {
  return new Map(clusters.map((c) => [c.id, fleetMember(c)]));
}

function fleetMember(c: ClusterView): FleetMember {
  const status = c.status;
  const condition = (type: string) => status?.conditions.find((k) => k.type === type);
  return {
    id: c.id,
    labels: c.labels,
    online: c.presence === 'online',
    appliedRevision: status?.appliedRevision ?? null,
    desiredRevision: status?.desiredRevision ?? null,
    health: status?.health ?? 'Unknown',
    stalled: condition('Stalled')?.status === 'True',
    message: condition('Ready')?.message ?? '',
    directiveSeq: status?.directive?.seq ?? null,
  };
}
