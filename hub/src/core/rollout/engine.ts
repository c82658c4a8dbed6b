/**
 * The rollout engine: a pure state machine. `(rollout, fleet view, now) → (rollout', directives,
 * audit)`. The shell persists the step, records and publishes the directives, and calls again on
 * every status change and on a timer; after a restart it simply calls again with what it stored.
 */
import { FleetError } from '../../../../shared/src/errors.js';
import type { ClusterProgress, FleetView, Rollout, RolloutStatus, Step } from './model.js';
import { ACTIVE_STATUSES } from './model.js';
import { FAILING, MOVING, observe } from './observe.js';
import { failureBudget } from './plan.js';
import type { RolloutPlan } from './plan.js';
import { StepBuilder } from './step-builder.js';

export type OperatorAction = 'pause' | 'resume' | 'approve' | 'abort' | 'rollback';

const ALLOWED: Record<OperatorAction, ReadonlySet<RolloutStatus>> = {
  pause: new Set(['running', 'awaitingApproval']),
  resume: new Set(['paused']),
  approve: new Set(['awaitingApproval']),
  abort: new Set(['running', 'paused', 'awaitingApproval', 'rollingBack']),
  rollback: new Set(['running', 'paused', 'awaitingApproval', 'succeeded', 'aborted']),
};

export interface NewRollout {
  id: string;
  plan: RolloutPlan;
  revision: string;
  /** Cluster ids per wave (`assignWaves`). */
  waves: readonly (readonly string[])[];
  fleet: FleetView;
  now: number;
}

/** A new rollout, its first wave started (or awaiting approval). Refuses a plan that matches no cluster. */
export function createRollout({ id, plan, revision, waves, fleet, now }: NewRollout): Step {
  const total = waves.reduce((n, members) => n + members.length, 0);
  if (total === 0) throw new FleetError('validation', 'the plan matches no registered cluster');
  const clusters = new Map<string, ClusterProgress>();
  waves.forEach((members, wave) => {
    for (const clusterId of members) {
      clusters.set(clusterId, { wave, phase: 'pending', previousRevision: null, directiveSeq: null, directedAt: null, healthySince: null, reason: null });
    }
  });
  const rollout: Rollout = { id, plan, revision, status: 'running', reason: null, wave: 0, waveStartedAt: now, acknowledged: [], clusters, createdAt: now, updatedAt: now };
  const step = new StepBuilder(rollout, fleet, now);
  step.log(null, 'created', `rollout of ${revision.slice(0, 12)} to ${total} clusters in ${plan.waves.length} waves (${plan.waves.map((w, i) => `${w.name}: ${waves[i]!.length}`).join(', ')})`);
  startOrAwait(step, 0);
  const built = step.build();
  // Every cluster is new to the store, pending ones too: a restart must find the later waves.
  return { ...built, changed: [...clusters.keys()] };
}

/** Advances the rollout as far as the fleet allows at `now`. */
export function tick(rollout: Rollout, fleet: FleetView, now: number): Step {
  const step = new StepBuilder(rollout, fleet, now);
  if (!ACTIVE_STATUSES.has(rollout.status)) return step.build();
  observeAll(step, fleet);
  if (rollout.status === 'running') advance(step);
  else if (rollout.status === 'rollingBack') finishRollback(step);
  return step.build();
}

/** An operator's action; one that the rollout's status does not allow is a `conflict`. */
export function act(rollout: Rollout, action: OperatorAction, fleet: FleetView, now: number, actor = 'operator'): Step {
  if (!ALLOWED[action].has(rollout.status)) {
    throw new FleetError('conflict', `cannot ${action} rollout ${rollout.id}: it is ${rollout.status}`);
  }
  const step = new StepBuilder(rollout, fleet, now);
  const by = `by ${actor}`;
  switch (action) {
    case 'pause':
      step.set({ status: 'paused', reason: `paused ${by}` }, 'operator:pause', `paused ${by}`);
      break;
    case 'resume': {
      // Failures the operator has seen are accepted; new ones count against the budget again.
      const failing = [...step.entries()].filter(([, p]) => p.wave === rollout.wave && FAILING.has(p.phase)).map(([id]) => id);
      step.set({ status: 'running', reason: null, acknowledged: [...new Set([...rollout.acknowledged, ...failing])] }, 'operator:resume', `resumed ${by}${failing.length ? `, accepting ${failing.length} failed clusters` : ''}`);
      break;
    }
    case 'approve':
      step.log(null, 'operator:approve', `wave ${rollout.plan.waves[rollout.wave]!.name} approved ${by}`);
      startWave(step, rollout.wave);
      break;
    case 'abort':
      step.set({ status: 'aborted', reason: `aborted ${by}` }, 'operator:abort', `aborted ${by}; clusters keep what they run`);
      break;
    case 'rollback':
      step.log(null, 'operator:rollback', `rollback requested ${by}`);
      startRollback(step, `rolled back ${by}`);
      break;
  }
  if (ACTIVE_STATUSES.has(step.current.status)) return mergeTick(step.build(), fleet, now);
  return step.build();
}

/** Hands `clusterIds` over to the newer rollout `byId`; a rollout left with no cluster is superseded. */
export function supersede(rollout: Rollout, clusterIds: Iterable<string>, byId: string, now: number): Step {
  const step = new StepBuilder(rollout, new Map(), now);
  if (!ACTIVE_STATUSES.has(rollout.status)) return step.build();
  for (const id of clusterIds) {
    const progress = rollout.clusters.get(id);
    if (progress && progress.phase !== 'superseded') step.setCluster(id, { ...progress, phase: 'superseded', reason: `taken over by rollout ${byId}` });
  }
  if ([...step.entries()].every(([, p]) => p.phase === 'superseded')) {
    step.set({ status: 'superseded', reason: `every cluster taken over by rollout ${byId}` }, 'superseded', `every cluster taken over by rollout ${byId}`);
  }
  return step.build();
}

function mergeTick(first: Step, fleet: FleetView, now: number): Step {
  const second = tick(first.rollout, fleet, now);
  return {
    rollout: second.rollout,
    directives: [...first.directives, ...second.directives],
    audit: [...first.audit, ...second.audit],
    changed: [...new Set([...first.changed, ...second.changed])],
  };
}

function observeAll(step: StepBuilder, fleet: FleetView): void {
  const { plan, revision, status } = step.current;
  for (const [id, progress] of step.entries()) {
    if (!MOVING.has(progress.phase)) continue;
    const target = status === 'rollingBack' ? progress.previousRevision! : revision;
    step.setCluster(id, observe(progress, fleet.get(id), target, plan, step.now));
  }
}

function advance(step: StepBuilder): void {
  const { plan, wave, acknowledged } = step.current;
  const wavePlan = plan.waves[wave]!;
  const members = [...step.entries()].filter(([, p]) => p.wave === wave && p.phase !== 'superseded');
  if (members.some(([, p]) => p.phase === 'pending')) {
    // Not started: resumed after a pause while it awaited approval.
    startOrAwait(step, wave);
    return;
  }
  const accepted = new Set(acknowledged);
  const failing = members.filter(([id, p]) => FAILING.has(p.phase) && !accepted.has(id));
  const budget = failureBudget(wavePlan.maxFailures, members.length);
  if (failing.length > budget) {
    const shown = failing.slice(0, 3).map(([id, p]) => `${id} (${p.reason ?? p.phase})`).join(', ');
    const why = `wave ${wavePlan.name}: ${failing.length} of ${members.length} clusters failed, more than the ${budget} allowed: ${shown}${failing.length > 3 ? ', …' : ''}`;
    onFailure(step, why);
    return;
  }
  const settled = members.every(([, p]) => p.phase === 'skipped' || FAILING.has(p.phase) || (p.phase === 'healthy' && step.now - p.healthySince! >= wavePlan.bake));
  if (!settled) return;
  step.log(null, 'wave-done', `wave ${wavePlan.name} done: ${members.filter(([, p]) => p.phase === 'healthy').length} of ${members.length} healthy`);
  if (wave + 1 === plan.waves.length) {
    step.set({ status: 'succeeded', reason: null }, 'succeeded', `every wave done`);
    return;
  }
  startOrAwait(step, wave + 1);
}

function onFailure(step: StepBuilder, why: string): void {
  switch (step.current.plan.onFailure) {
    case 'pause':
      step.set({ status: 'paused', reason: why }, 'paused', why);
      break;
    case 'abort':
      step.set({ status: 'aborted', reason: why }, 'aborted', why);
      break;
    case 'rollback':
      startRollback(step, why);
      break;
  }
}

function startOrAwait(step: StepBuilder, wave: number): void {
  const wavePlan = step.current.plan.waves[wave]!;
  if (wavePlan.requireApproval) {
    step.set({ status: 'awaitingApproval', wave, reason: `wave ${wavePlan.name} waits for approval` }, 'awaiting-approval', `wave ${wavePlan.name} waits for approval`);
  } else {
    startWave(step, wave);
  }
}

function startWave(step: StepBuilder, wave: number): void {
  const { revision, plan } = step.current;
  const name = plan.waves[wave]!.name;
  let count = 0;
  for (const [id, progress] of step.entries()) {
    if (progress.wave !== wave || progress.phase !== 'pending') continue;
    // What it runs when first directed is what a rollback returns it to.
    step.direct(id, revision, name, { previousRevision: step.fleet.get(id)?.appliedRevision ?? null });
    count++;
  }
  step.set({ status: 'running', reason: null, wave, waveStartedAt: step.now }, 'wave-started', `wave ${name} started: ${count} clusters directed to ${revision.slice(0, 12)}`);
}

/** Directs every cluster this rollout moved back to what it ran before. */
function startRollback(step: StepBuilder, why: string): void {
  let count = 0;
  for (const [id, progress] of step.entries()) {
    if (progress.directedAt === null || progress.phase === 'superseded') continue;
    if (progress.previousRevision === null) {
      step.setCluster(id, { ...progress, phase: 'skipped', reason: 'nothing to roll back to: it ran no revision before this rollout' });
      continue;
    }
    step.direct(id, progress.previousRevision, 'rollback');
    count++;
  }
  step.set({ status: 'rollingBack', reason: why }, 'rolling-back', `${why}; ${count} clusters directed back to their previous revision`);
}

function finishRollback(step: StepBuilder): void {
  let waiting = 0;
  for (const [id, progress] of step.entries()) {
    if (progress.phase === 'applied' || progress.phase === 'healthy') step.setCluster(id, { ...progress, phase: 'rolledBack', reason: null });
    else if (progress.phase === 'directed' || progress.phase === 'offline') waiting++;
  }
  if (waiting === 0) step.set({ status: 'rolledBack' }, 'rolled-back', 'every moved cluster is back on its previous revision, or gave up');
}

/** The rollout with the seqs its directives were recorded under (the shell calls this before persisting). */
export function withDirectiveSeqs(rollout: Rollout, seqs: ReadonlyMap<string, number>): Rollout {
  if (seqs.size === 0) return rollout;
  const clusters = new Map(rollout.clusters);
  for (const [id, seq] of seqs) {
    const progress = clusters.get(id);
    if (progress) clusters.set(id, { ...progress, directiveSeq: seq });
  }
  return { ...rollout, clusters };
}
