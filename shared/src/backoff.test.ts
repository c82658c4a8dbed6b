import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };

  it('doubles the ceiling with each attempt up to the maximum', () => {
    expect([0, 1, 2, 3, 10, 1000].map((attempt) => backoffDelay(attempt, policy, () => 1))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000,
    ]);
  });

  it('draws the delay between zero and the ceiling', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000);
  });
});
