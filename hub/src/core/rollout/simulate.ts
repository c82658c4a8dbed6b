/**
 * What-if: runs a rollout plan through the real engine against a model of the fleet, in virtual
 * time, and says how far it would get and how many clusters would have run the new revision.
 * Each directed online cluster applies its directive after a random delay and becomes Healthy,
 * or — with probability `failureRate` — Failed. Offline clusters never hear anything. Pure and
 * deterministic for a seed: every random draw is derived from the seed and a cluster's id, so a
 * cluster fails or not whatever the order the engine directs it in.
 *
 * Waves that ask for approval are approved at once (the result lists them): the question is what
 * the plan does to the fleet, and an operator would be asked the same at the same point.
 */
import { z } from 'zod';
import { assignWaves } from './assign.js';
import { act, createRollout, tick, withDirectiveSeqs } from './engine.js';
import type { ClusterPhase, FleetMember, Rollout, RolloutStatus, Step } from './model.js';
import { ACTIVE_STATUSES } from './model.js';
import type { RolloutPlan } from './plan.js';
import { SimulatedAgents } from './simulated-agents.js';

/** What the simulation reads of a cluster (a subset of the hub's cluster view). */
export interface SimulatedCluster {
  id: string;
  labels: Readonly<Record<string, string>>;
  /** Only `online` clusters take directives; `unknown` (never heard from) counts as offline. */
  presence: 'online' | 'offline' | 'unknown';
  appliedRevision: string | null;
}

export const SimulationOptions = z.strictObject({
  /** Share of directed clusters that fail on the new revision. */
  failureRate: z.number().min(0).max(1).default(0),
  seed: z.number().int().default(1),
  /** How long an agent takes from a directive to reporting the outcome, drawn uniformly per cluster. */
  healthyAfter: z
    .strictObject({ minMs: z.number().int().nonnegative(), maxMs: z.number().int().nonnegative() })
    .refine((range) => range.minMs <= range.maxMs, 'healthyAfter.minMs is more than maxMs')
    .default({ minMs: 30_000, maxMs: 120_000 }),
  /** The hub's re-evaluation timer (it also re-evaluates at once when a status arrives). */
  tickMs: z.number().int().positive().default(1_000),
  /** Virtual time after which the simulation stops, finished or not. */
  maxDurationMs: z.number().int().positive().default(7 * 24 * 3_600_000),
});
export type SimulationOptions = z.output<typeof SimulationOptions>;

/**
 * How the simulation ended: `finished` (the rollout reached a final status), `paused` (it stopped
 * for an operator), `stuck` (nothing more happens without clusters that stay offline) or
 * `timeLimit` (still going after `maxDurationMs`).
 */
export type SimulationEnd = 'finished' | 'paused' | 'stuck' | 'timeLimit';

export interface WaveOutcome {
  name: string;
  clusters: number;
  /** Virtual ms from the start; null if the wave never started or never finished. */
  startedAtMs: number | null;
  doneAtMs: number | null;
  /** Clusters of the wave that applied the new revision, and how many of those failed on it. */
  exposed: number;
  failed: number;
  /** Final phases of the wave's clusters (only phases present). */
  phases: Partial<Record<ClusterPhase, number>>;
}

export interface TimelineEntry {
  atMs: number;
  status: RolloutStatus;
  /** The engine's audit action, e.g. `wave-started`, `rolling-back`. */
  action: string;
  message: string;
}

export interface SimulationResult {
  status: RolloutStatus;
  reason: string | null;
  end: SimulationEnd;
  /** Virtual ms from the start to the end; when `stuck`, to the last thing that happened. */
  durationMs: number;
  /** Clusters the plan moves (matched and assigned to a wave). */
  clusters: number;
  /** Clusters the plan's selector matched that no wave took. */
  unassigned: number;
  exposure: { clusters: number; failed: number };
  waves: WaveOutcome[];
  /** Waves the simulation approved on the operator's behalf. */
  autoApproved: string[];
  timeline: TimelineEntry[];
}

/** The revision the simulated rollout moves clusters to: the plan's, unresolved. */
const simulatedRevision = (plan: RolloutPlan) => plan.revision;

/** Runs `plan` over `fleet`; throws the engine's `validation` error if the plan matches no cluster. */
export function simulateRollout(plan: RolloutPlan, fleet: readonly SimulatedCluster[], options: SimulationOptions): SimulationResult {
  const revision = simulatedRevision(plan);
  const view = new Map<string, FleetMember>(
    fleet.map((c) => [
      c.id,
      { id: c.id, labels: c.labels, online: c.presence === 'online', appliedRevision: c.appliedRevision, desiredRevision: c.appliedRevision, health: c.appliedRevision ? 'Healthy' : 'Unknown', stalled: false, message: '', directiveSeq: null },
    ]),
  );
  const { waves, unassigned } = assignWaves(plan, fleet);
  const agents = new SimulatedAgents(options, revision);
  const timeline: TimelineEntry[] = [];
  const autoApproved: string[] = [];
  const startedAt: (number | null)[] = plan.waves.map(() => null);
  const doneAt: (number | null)[] = plan.waves.map(() => null);
  let now = 0;

  /** Whether the last step changed anything: the next timer tick may then change more. */
  let moved = true;
  let movedAt = 0;
  const apply = (step: Step, before: Rollout | null): Rollout => {
    moved = step.changed.length > 0 || step.audit.length > 0;
    if (moved) movedAt = now;
    const seqs = agents.direct(step, now, view);
    const rollout = withDirectiveSeqs(step.rollout, seqs);
    for (const entry of step.audit) {
      if (entry.clusterId !== null) continue;
      timeline.push({ atMs: now, status: rollout.status, action: entry.action, message: entry.message });
      if (entry.action === 'wave-done' && before) doneAt[before.wave] = now;
    }
    if (rollout.status === 'running' && startedAt[rollout.wave] === null) startedAt[rollout.wave] = rollout.waveStartedAt;
    return rollout;
  };
  const approveIfAsked = (rollout: Rollout): Rollout => {
    if (rollout.status !== 'awaitingApproval') return rollout;
    autoApproved.push(plan.waves[rollout.wave]!.name);
    return apply(act(rollout, 'approve', view, now, 'simulation'), rollout);
  };

  let rollout = approveIfAsked(apply(createRollout({ id: 'what-if', plan, revision, waves, fleet: view, now }), null));
  let end: SimulationEnd | undefined;
  while (end === undefined) {
    if (!ACTIVE_STATUSES.has(rollout.status)) {
      end = 'finished';
      break;
    }
    if (rollout.status === 'paused') {
      end = 'paused';
      break;
    }
    const next = nextWake(rollout, agents.nextAt(), now, options.tickMs, moved);
    if (next === undefined) {
      end = 'stuck';
      now = movedAt;
      break;
    }
    if (next > options.maxDurationMs) {
      end = 'timeLimit';
      now = options.maxDurationMs;
      break;
    }
    now = next;
    agents.reportUntil(now, view);
    rollout = approveIfAsked(apply(tick(rollout, view, now), rollout));
  }

  agents.settle();
  const exposed = agents.exposed;
  return {
    status: rollout.status,
    reason: rollout.reason ?? endReason(end, rollout, options),
    end,
    durationMs: now,
    clusters: rollout.clusters.size,
    unassigned: unassigned.length,
    exposure: { clusters: exposed.size, failed: [...exposed.values()].filter(Boolean).length },
    waves: plan.waves.map((wave, index) => {
      const outcome: WaveOutcome = { name: wave.name, clusters: 0, startedAtMs: startedAt[index]!, doneAtMs: doneAt[index]!, exposed: 0, failed: 0, phases: {} };
      for (const [id, progress] of rollout.clusters) {
        if (progress.wave !== index) continue;
        outcome.clusters++;
        outcome.phases[progress.phase] = (outcome.phases[progress.phase] ?? 0) + 1;
        const failed = exposed.get(id);
        if (failed !== undefined) outcome.exposed++;
        if (failed) outcome.failed++;
      }
      return outcome;
    }),
    autoApproved,
    timeline,
  };
}

function endReason(end: SimulationEnd, rollout: Rollout, options: SimulationOptions): string | null {
  if (end === 'timeLimit') return `still ${rollout.status} after ${options.maxDurationMs} ms of simulated time`;
  if (end !== 'stuck') return null;
  const offline = [...rollout.clusters.values()].filter((p) => p.phase === 'offline').length;
  return `waiting for ${offline} offline clusters (offlinePolicy ${rollout.plan.offlinePolicy}): nothing more happens until they come back`;
}

/**
 * When the hub would next evaluate something that can change: at the tick after an agent reports,
 * after a step that changed something (an empty wave, say, is done at the next tick), or after a
 * bake or a deadline ends. Ticks in which nothing can change are skipped.
 */
function nextWake(rollout: Rollout, nextReport: number | undefined, now: number, tickMs: number, moved: boolean): number | undefined {
  const { plan, status } = rollout;
  let timer = moved ? now + tickMs : Infinity;
  for (const p of rollout.clusters.values()) {
    if (p.directedAt === null) continue;
    if (p.phase === 'directed' || p.phase === 'applied' || (p.phase === 'offline' && plan.offlinePolicy === 'skip')) {
      // The engine counts a cluster late strictly after the deadline.
      timer = Math.min(timer, p.directedAt + plan.progressDeadline + 1);
    } else if (p.phase === 'healthy' && status === 'running' && p.wave === rollout.wave) {
      const baked = p.healthySince! + plan.waves[p.wave]!.bake;
      if (baked > now) timer = Math.min(timer, baked);
    }
  }
  const onTimer = timer === Infinity ? undefined : Math.max(now + tickMs, Math.ceil(timer / tickMs) * tickMs);
  if (nextReport === undefined) return onTimer;
  return onTimer === undefined ? Math.max(now, nextReport) : Math.min(Math.max(now, nextReport), onTimer);
}
