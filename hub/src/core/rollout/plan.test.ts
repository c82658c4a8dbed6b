import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Duration, RolloutPlanInput, failureBudget } from './plan.js';

describe('rollout plans', () => {
  it('fills defaults and reads durations, budgets and string selectors', () => {
    const plan = RolloutPlanInput.parse({
      revision: 'v1.2',
      selector: 'region=eu',
      waves: [{ name: 'canary', selector: { matchLabels: { ring: 'canary' } }, bake: '1h30m' }, { name: 'ten', percent: 10, maxFailures: '10%' }, { name: 'all', percent: 100, maxFailures: 3, requireApproval: true }],
    });
    expect(plan).toEqual({
      revision: 'v1.2',
      selector: { matchLabels: { region: 'eu' } },
      waves: [
        { name: 'canary', selector: { matchLabels: { ring: 'canary' } }, maxFailures: { count: 0 }, bake: 5_400_000, requireApproval: false },
        { name: 'ten', percent: 10, maxFailures: { percent: 10 }, bake: 0, requireApproval: false },
        { name: 'all', percent: 100, maxFailures: { count: 3 }, bake: 0, requireApproval: true },
      ],
      progressDeadline: 600_000,
      offlinePolicy: 'wait',
      onFailure: 'pause',
    });
  });

  it.each([
    [{ waves: [] }, 'waves'],
    [{ waves: [{ name: 'a' }, { name: 'a' }] }, 'wave a appears twice'],
    [{ waves: [{ name: 'a', percent: 50 }, { name: 'b', percent: 10 }] }, 'percentages are cumulative: 10% follows 50%'],
    [{ waves: [{ name: 'a', maxFailures: '150%' }] }, 'a percentage up to 100%'],
    [{ waves: [{ name: 'a', bake: '5 minutes' }] }, 'a duration is like'],
    [{ waves: [{ name: 'Bad_Name' }] }, 'a wave name is a DNS label'],
    [{ waves: [{ name: 'a', selector: 'region in eu' }] }, 'is not a label selector requirement'],
    [{ waves: [{ name: 'a', surge: 1 }] }, 'surge'],
    [{ waves: [{ name: 'a' }], onFailure: 'ignore' }, 'onFailure'],
  ])('refuses %j, saying why', (input, message) => {
    const result = RolloutPlanInput.safeParse({ revision: 'main', ...input });
    expect(result.success).toBe(false);
    expect(z.prettifyError(result.error!)).toContain(message);
  });

  it('reads durations in every unit, and numbers as seconds', () => {
    expect(['250ms', '30s', '15m', '2h', '1d', '1h30m'].map((d) => Duration.parse(d))).toEqual([250, 30_000, 900_000, 7_200_000, 86_400_000, 5_400_000]);
    expect(Duration.parse(90)).toBe(90_000);
  });

  it('turns a budget into a number of clusters for a wave of a given size', () => {
    expect(failureBudget({ count: 2 }, 100)).toBe(2);
    expect(failureBudget({ percent: 10 }, 25)).toBe(2);
    expect(failureBudget({ percent: 10 }, 9)).toBe(0);
  });
});
