/** What-if simulation: the real engine over a modelled fleet, in virtual time. */
import { describe, expect, it } from 'vitest';
import { RolloutPlanInput } from './plan.js';
import { SimulationOptions, simulateRollout } from './simulate.js';
import type { SimulatedCluster } from './simulate.js';

const OLD = 'a'.repeat(40);
const MIN = 60_000;

const fleet = (count: number, fields: (i: number) => Partial<SimulatedCluster> = () => ({})): SimulatedCluster[] =>
  Array.from({ length: count }, (_, i) => ({ id: `store-${String(i).padStart(3, '0')}`, labels: { ring: i < 5 ? 'canary' : 'main' }, presence: 'online', appliedRevision: OLD, ...fields(i) }));

const plan = (input: Partial<RolloutPlanInput> = {}) =>
  RolloutPlanInput.parse({
    revision: 'b'.repeat(40),
    waves: [{ name: 'canary', selector: 'ring=canary', bake: '5m' }, { name: 'half', percent: 50 }, { name: 'rest', percent: 100 }],
    progressDeadline: '10m',
    ...input,
  });

const options = (input: Partial<SimulationOptions> = {}) => SimulationOptions.parse({ healthyAfter: { minMs: 30_000, maxMs: 90_000 }, tickMs: 1000, ...input });

describe('simulateRollout', () => {
  it('takes a healthy plan through every wave, exposing every cluster', () => {
    const result = simulateRollout(plan(), fleet(40), options());
    expect(result).toMatchObject({ status: 'succeeded', end: 'finished', clusters: 40, exposure: { clusters: 40, failed: 0 } });
    expect(result.waves.map((w) => [w.name, w.clusters, w.exposed, w.failed])).toEqual([
      ['canary', 5, 5, 0],
      ['half', 15, 15, 0],
      ['rest', 20, 20, 0],
    ]);
    // Each wave waits for its slowest cluster (at most 90 s), and the canary bakes 5 minutes.
    expect(result.waves[0]!.doneAtMs).toBeGreaterThanOrEqual(5 * MIN + 30_000);
    expect(result.durationMs).toBeLessThanOrEqual(5 * MIN + 3 * 90_000 + 3_000);
    expect(result.waves.every((w, i) => i === 0 || w.startedAtMs === result.waves[i - 1]!.doneAtMs)).toBe(true);
    expect(result.timeline.map((t) => t.action)).toEqual(['created', 'wave-started', 'wave-done', 'wave-started', 'wave-done', 'wave-started', 'wave-done', 'succeeded']);
  });

  it('stops at the first wave beyond its budget and rolls back, exposing fewer than the whole fleet', () => {
    const result = simulateRollout(plan({ onFailure: 'rollback', waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest' }] }), fleet(40), options({ failureRate: 0.3, seed: 7 }));
    expect(result).toMatchObject({ status: 'rolledBack', end: 'finished' });
    expect(result.reason).toMatch(/^wave canary: \d+ of 5 clusters failed, more than the 0 allowed/);
    expect(result.exposure.clusters).toBeLessThanOrEqual(5);
    expect(result.exposure.failed).toBeGreaterThan(0);
    expect(result.waves[1]).toMatchObject({ exposed: 0, startedAtMs: null, phases: { pending: 35 } });
    expect(result.timeline.map((t) => t.status)).toContain('rollingBack');
  });

  it('is deterministic for a seed, and another seed fails other clusters', () => {
    const run = (seed: number) => simulateRollout(plan({ waves: [{ name: 'all', maxFailures: '100%' }] }), fleet(200), options({ failureRate: 0.3, seed }));
    expect(run(3)).toEqual(run(3));
    const failed = (seed: number) => run(seed).waves[0]!.phases.failed;
    expect(failed(3)).toBeGreaterThan(40);
    expect(failed(3)).toBeLessThan(80);
    expect(run(3).durationMs === run(4).durationMs && failed(3) === failed(4)).toBe(false);
  });

  it('waits for offline clusters under offlinePolicy wait, and skips them past the deadline under skip', () => {
    const offlineTwo = fleet(10, (i) => (i === 6 || i === 8 ? { presence: i === 6 ? 'offline' : 'unknown' } : {}));
    const waited = simulateRollout(plan({ offlinePolicy: 'wait' }), offlineTwo, options());
    expect(waited).toMatchObject({ status: 'running', end: 'stuck', exposure: { clusters: 8, failed: 0 } });
    expect(waited.reason).toBe('waiting for 2 offline clusters (offlinePolicy wait): nothing more happens until they come back');
    const skipped = simulateRollout(plan({ offlinePolicy: 'skip' }), offlineTwo, options());
    expect(skipped).toMatchObject({ status: 'succeeded', end: 'finished', exposure: { clusters: 8, failed: 0 } });
    expect(skipped.waves.flatMap((w) => Object.keys(w.phases))).toContain('skipped');
    // The wave with an offline cluster waits out the 10-minute deadline.
    expect(skipped.durationMs).toBeGreaterThan(10 * MIN);
  });

  it('approves waves that ask for approval at once, and says which', () => {
    const result = simulateRollout(plan({ waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest', requireApproval: true }] }), fleet(10), options());
    expect(result).toMatchObject({ status: 'succeeded', autoApproved: ['rest'], exposure: { clusters: 10 } });
    expect(result.timeline.map((t) => t.action)).toContain('operator:approve');
  });

  it('stops where the plan pauses for an operator', () => {
    const result = simulateRollout(plan({ onFailure: 'pause', waves: [{ name: 'all', maxFailures: 0 }] }), fleet(20), options({ failureRate: 1 }));
    expect(result).toMatchObject({ status: 'paused', end: 'paused', exposure: { clusters: 20, failed: 20 } });
  });

  it('gives up at maxDurationMs', () => {
    const result = simulateRollout(plan({ waves: [{ name: 'all', bake: '2h' }] }), fleet(3), options({ maxDurationMs: 60 * MIN }));
    expect(result).toMatchObject({ status: 'running', end: 'timeLimit', durationMs: 60 * MIN });
  });

  it('skips on rollback the clusters that ran nothing before', () => {
    const result = simulateRollout(plan({ onFailure: 'rollback', waves: [{ name: 'all' }] }), fleet(4, (i) => ({ appliedRevision: i === 0 ? null : OLD })), options({ failureRate: 1 }));
    expect(result).toMatchObject({ status: 'rolledBack', exposure: { clusters: 4, failed: 4 } });
    expect(result.waves[0]!.phases).toEqual({ rolledBack: 3, skipped: 1 });
  });
});
