/**
 * What a directed cluster's agent reports means for the rollout: its phase (healthy, failed,
 * timed out, offline, skipped …) from its last status and the plan's deadlines. Pure.
 */
import type { ClusterPhase, ClusterProgress, FleetMember } from './model.js';
import type { RolloutPlan } from './plan.js';

/** Phases of a cluster the rollout has directed and is still watching. */
export const MOVING: ReadonlySet<ClusterPhase> = new Set(['directed', 'applied', 'healthy', 'failed', 'timedOut', 'offline']);
export const FAILING: ReadonlySet<ClusterPhase> = new Set(['failed', 'timedOut']);

/** A directed cluster's phase from what its agent last reported. */
export function observe(progress: ClusterProgress, member: FleetMember | undefined, target: string, plan: RolloutPlan, now: number): ClusterProgress {
  const reached = member !== undefined && progress.directiveSeq !== null && member.directiveSeq !== null && member.directiveSeq >= progress.directiveSeq;
  const onTarget = reached && member.appliedRevision === target;
  let phase: ClusterPhase;
  let reason: string | null = null;
  if (onTarget && member.health === 'Healthy') {
    phase = 'healthy';
  } else if (reached && member.stalled && member.desiredRevision === target) {
    phase = 'failed';
    reason = member.message || 'stalled';
  } else if (onTarget && (member.health === 'Failed' || member.health === 'Degraded')) {
    phase = 'failed';
    reason = member.message || member.health;
  } else if (!member?.online) {
    phase = 'offline';
  } else {
    phase = onTarget ? 'applied' : 'directed';
  }
  // Back from offline, its deadline starts again: a cluster waited for must not time out the moment it returns.
  const directedAt = progress.phase === 'offline' && phase !== 'offline' ? now : progress.directedAt;
  const late = directedAt !== null && now - directedAt > plan.progressDeadline;
  if (late && (phase === 'directed' || phase === 'applied')) {
    phase = 'timedOut';
    reason = `not healthy ${formatDuration(plan.progressDeadline)} after it was directed${member?.message ? `: ${member.message}` : ''}`;
  } else if (late && phase === 'offline' && plan.offlinePolicy === 'skip') {
    phase = 'skipped';
    reason = `offline past the progress deadline (${formatDuration(plan.progressDeadline)})`;
  }
  const healthySince = phase === 'healthy' ? (progress.healthySince ?? now) : null;
  if (phase === progress.phase && reason === progress.reason && healthySince === progress.healthySince && directedAt === progress.directedAt) return progress;
  return { ...progress, phase, reason, healthySince, directedAt };
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
