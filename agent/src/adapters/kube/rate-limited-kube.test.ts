import { describe, expect, it } from 'vitest';
import { MemoryKube } from '../../../../simulators/src/memory-kube/index.js';
import { RateLimitedKube } from './rate-limited-kube.js';
import type { Pacer } from './rate-limited-kube.js';

/** A clock that only moves when the limiter sleeps. */
function virtualPacer(): Pacer & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
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
    await pacer.sleep(10_000);
    pacer.slept.length = 0;
    await Promise.all(Array.from({ length: 3 }, () => kube.list('v1', 'Namespace')));
    expect(pacer.slept).toHaveLength(1);
  });
});
