/**
 * Which clusters a rollout moves, and in which wave. A cluster's place in line is the SHA-256 of
 * the plan's seed and its id: stable, so the same clusters go first in every rollout (the canary
 * stores stay the canary stores) unless the plan asks to reshuffle. Waves take, in order, the
 * clusters not yet taken that match their selector, up to their cumulative percentage. Pure.
 */
import { createHash } from 'node:crypto';
import { selectorMatches } from '../../../../shared/src/fleet/selector.js';
import type { RolloutPlan } from './plan.js';

export interface ClusterLabels {
  id: string;
  labels: Readonly<Record<string, string>>;
}

export interface WaveAssignment {
  /** Cluster ids per wave, in plan order. */
  waves: string[][];
  /** Clusters the plan's selector matched that no wave took. */
  unassigned: string[];
}

export function assignWaves(plan: RolloutPlan, clusters: readonly ClusterLabels[]): WaveAssignment {
  const seed = plan.reshuffle ?? '';
  const matched = clusters
    .filter((cluster) => selectorMatches(plan.selector, cluster.labels))
    .map((cluster) => ({ cluster, rank: createHash('sha256').update(`${seed}\0${cluster.id}`).digest('hex') }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ cluster }) => cluster);
  const taken = new Set<string>();
  const waves = plan.waves.map((wave) => {
    const candidates = matched.filter((c) => !taken.has(c.id) && (!wave.selector || selectorMatches(wave.selector, c.labels)));
    const quota = wave.percent === undefined ? candidates.length : Math.ceil((matched.length * wave.percent) / 100) - taken.size;
    const members = candidates.slice(0, Math.max(0, quota)).map((c) => c.id);
    for (const id of members) taken.add(id);
    return members;
  });
  return { waves, unassigned: matched.filter((c) => !taken.has(c.id)).map((c) => c.id) };
}
