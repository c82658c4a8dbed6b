/**
 * Bounded concurrency over a list: `work` runs on every item with at most `limit` runs in flight,
 * each slot taking the next item as soon as its run settles. The agent applies objects with it
 * (so that one cluster does not see hundreds of requests at once) and the hub publishes
 * directives with it (aedes overflows its stack on a wave of 10,000 publishes at once).
 */

/**
 * Results in the order of `items`, whatever order runs finish in. If a run rejects, no further
 * item is started, and the promise rejects with that error once the runs in flight have settled.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError(`concurrency limit must be at least 1, not ${limit}`);
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const slot = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, slot));
  if (failure !== undefined) throw failure.error;
  return results;
}
