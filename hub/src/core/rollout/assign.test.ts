import { describe, expect, it } from 'vitest';
import { assignWaves } from './assign.js';
import { RolloutPlanInput } from './plan.js';

const fleet = Array.from({ length: 200 }, (_, i) => ({ id: `store-${i}`, labels: { ring: i < 5 ? 'canary' : 'main', region: i % 2 ? 'eu' : 'us' } }));
const plan = (extra: Record<string, unknown> = {}) =>
  RolloutPlanInput.parse({
    revision: 'main',
    waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'ten', percent: 10 }, { name: 'half', percent: 50 }, { name: 'all', percent: 100 }],
    ...extra,
  });

describe('assignWaves', () => {
  it('fills waves in order, percentages cumulative over the whole rollout, each cluster once', () => {
    const { waves, unassigned } = assignWaves(plan(), fleet);
    expect(waves.map((w) => w.length)).toEqual([5, 15, 80, 100]);
    expect(waves[0]!.every((id) => Number(id.split('-')[1]) < 5)).toBe(true);
    expect(new Set(waves.flat()).size).toBe(200);
    expect(unassigned).toEqual([]);
  });

  it('puts the same clusters first every time, whatever order the fleet is listed in', () => {
    const again = assignWaves(plan(), [...fleet].reverse());
    expect(again.waves).toEqual(assignWaves(plan(), fleet).waves);
  });

  it('puts other clusters first when the plan asks to reshuffle', () => {
    const shuffled = assignWaves(plan({ reshuffle: 'monday' }), fleet);
    expect(shuffled.waves[0]!.sort()).toEqual(assignWaves(plan(), fleet).waves[0]!.sort()); // a selector wave is the same set
    expect(shuffled.waves[1]).not.toEqual(assignWaves(plan(), fleet).waves[1]);
  });

  it("keeps to the plan's selector, and reports clusters no wave took", () => {
    const { waves, unassigned } = assignWaves(plan({ selector: 'region=eu', waves: [{ name: 'ten', percent: 10 }] }), fleet);
    expect(waves[0]).toHaveLength(10);
    expect(unassigned).toHaveLength(90);
    expect([...waves[0]!, ...unassigned].every((id) => Number(id.split('-')[1]) % 2 === 1)).toBe(true);
  });
});
