/**
 * A rollout as operators see it: each wave's state and counts of clusters by phase, and each
 * cluster's progress, in the operator API's shapes (shared/src/api/rollouts.ts). Pure; the API
 * returns it and fleetctl draws it.
 */
import type { ClusterProgressView, RolloutDetail, WaveProgress, WaveState } from '../../../../shared/src/api/rollouts.js';
import type { Rollout } from './model.js';

export type { ClusterProgressView, RolloutDetail, WaveProgress, WaveState } from '../../../../shared/src/api/rollouts.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function rolloutDetail(rollout: Rollout, options: { clusters?: boolean } = {}): RolloutDetail {
  const { plan } = rollout;
  const waves: WaveProgress[] = plan.waves.map((wave, index) => ({ index, name: wave.name, state: waveState(rollout, index), clusters: 0, phases: {} }));
  const clusters: ClusterProgressView[] = [];
  for (const [id, p] of rollout.clusters) {
    const wave = waves[p.wave]!;
    wave.clusters++;
    wave.phases[p.phase] = (wave.phases[p.phase] ?? 0) + 1;
    if (options.clusters !== false) {
      clusters.push({ id, wave: wave.name, phase: p.phase, reason: p.reason, previousRevision: p.previousRevision, directedAt: iso(p.directedAt), healthySince: iso(p.healthySince) });
    }
  }
  clusters.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    id: rollout.id,
    revision: rollout.revision,
    status: rollout.status,
    reason: rollout.reason,
    plan,
    wave: rollout.wave,
    waves,
    clusters,
    createdAt: iso(rollout.createdAt)!,
    updatedAt: iso(rollout.updatedAt)!,
  };
}

function waveState(rollout: Rollout, index: number): WaveState {
  const { status, wave } = rollout;
  if (index < wave) return 'done';
  if (index > wave) return status === 'succeeded' ? 'done' : 'pending';
  switch (status) {
    case 'succeeded':
      return 'done';
    case 'awaitingApproval':
      return 'awaitingApproval';
    case 'running':
    case 'paused':
      return 'active';
    default:
      return 'stopped';
  }
}
