import { describe, expect, it } from 'vitest';
import { MemoryKube } from '../../../../simulators/src/memory-kube/index.js';
import type { Clock } from '../../../../shared/src/time/clock.js';
import { RateLimitedKube } from './rate-limited-kube.js';

/** A clock that only moves when the limiter waits: each wait passes at once. */
function virtualPacer(): Clock & { slept: number[]; pass(ms: number): void } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    pass: (ms) => void (now += ms),
    setTimeout: (callback, ms) => {
      slept.push(ms);
      now += ms;
      queueMicrotask(callback);
      return undefined;
    },
    clearTimeout: () => {},
  };
}

describe('RateLimitedKube', () => {
  it('lets a burst through at once and then spaces requests at the rate', async () => {
    const pacer = virtualPacer();
    const kube = new RateLimitedKube(new MemoryKube(), { ratePerSecond: 100, burst: 5 }, pacer);
    await Promise.all(Array.from({ length: 5 }, () => kube.list('v1', 'Namespace')));
    expect(pacer.slept).toEqual([]);
    await Promise.all(Array.from({ length: 10 }, () => kube.list('v1', 'Namespace')));
    expect(pacer.slept).toHaveLength(10);
    expect(pacer.now()).toBeCloseTo(100, 5);
  });

  it('refills while idle, up to the burst', async () => {
    const pacer = virtualPacer();
    const kube = new RateLimitedKube(new MemoryKube(), { ratePerSecond: 10, burst: 2 }, pacer);
    await Promise.all(Array.from({ length: 2 }, () => kube.list('v1', 'Namespace')));
    pacer.pass(10_000);
    pacer.slept.length = 0;
    await Promise.all(Array.from({ length: 3 }, () => kube.list('v1', 'Namespace')));
    expect(pacer.slept).toHaveLength(1);
  });

  it('refills nothing when the wall clock is set back, and goes on at the rate', async () => {
    const pacer = virtualPacer();
    const kube = new RateLimitedKube(new MemoryKube(), { ratePerSecond: 10, burst: 2 }, pacer);
    await Promise.all(Array.from({ length: 2 }, () => kube.list('v1', 'Namespace')));
    pacer.pass(-3_600_000);
    await kube.list('v1', 'Namespace');
    expect(pacer.slept).toEqual([100]);
  });
});
