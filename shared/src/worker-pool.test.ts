import { describe, expect, it } from 'vitest';
import { mapConcurrently } from './worker-pool.js';

/** Work whose runs the test finishes one by one, recording how many are in flight. */
function controlledWork() {
  const pending = new Map<number, { resolve: (value: string) => void; reject: (error: unknown) => void }>();
  const started: number[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const work = (item: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      const done = () => void inFlight--;
      pending.set(item, { resolve: (value) => (done(), resolve(value)), reject: (error) => (done(), reject(error)) });
    });
  return { work, pending, started, mostInFlight: () => mostInFlight };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapConcurrently', () => {
  it('keeps at most `limit` runs in flight, starts the next item as a slot frees, and returns results in item order', async () => {
    const { work, pending, started, mostInFlight } = controlledWork();
    const result = mapConcurrently([1, 2, 3, 4, 5], 2, work);
    await settle();
    expect(started).toEqual([1, 2]);
    pending.get(2)!.resolve('two');
    await settle();
    expect(started).toEqual([1, 2, 3]);
    for (const item of [3, 1, 4, 5]) {
      pending.get(item)!.resolve(`#${item}`);
      await settle();
    }
    expect(await result).toEqual(['#1', 'two', '#3', '#4', '#5']);
    expect(mostInFlight()).toBe(2);
  });

  it('runs everything at once when the limit exceeds the items, and nothing for no items', async () => {
    const { work, started } = controlledWork();
    void mapConcurrently([1, 2, 3], 64, work);
    await settle();
    expect(started).toEqual([1, 2, 3]);
    expect(await mapConcurrently([], 4, work)).toEqual([]);
  });

  it('after a failure starts no further item, and rejects once the runs in flight have settled', async () => {
    const { work, pending, started } = controlledWork();
    let outcome: unknown;
    const result = mapConcurrently([1, 2, 3, 4], 2, work).catch((error: unknown) => (outcome = error));
    await settle();
    pending.get(1)!.reject(new Error('item 1 failed'));
    await settle();
    expect(started).toEqual([1, 2]);
    expect(outcome).toBeUndefined(); // item 2 is still in flight
    pending.get(2)!.resolve('two');
    await result;
    expect((outcome as Error).message).toBe('item 1 failed');
    expect(started).toEqual([1, 2]);
  });

  it('refuses a limit below one', async () => {
    await expect(mapConcurrently([1], 0, async () => 1)).rejects.toThrow(/at least 1/);
  });
});
