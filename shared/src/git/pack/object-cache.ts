import type { GitObject } from './packed-objects.js';

/**
 * Resolved objects kept as delta bases, least recently used dropped first once they hold more
 * than `maxBytes`. An object over a quarter of the budget is not kept: it would push out the
 * many small bases a tree's deltas share.
 */
export class ObjectCache<K> {
  private readonly objects = new Map<K, GitObject>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: K): GitObject | undefined {
    const object = this.objects.get(key);
    if (object !== undefined) {
      this.objects.delete(key);
      this.objects.set(key, object);
    }
    return object;
  }

  set(key: K, object: GitObject): void {
    if (this.objects.has(key) || object.content.length > this.maxBytes / 4) return;
    this.objects.set(key, object);
    this.bytes += object.content.length;
    for (const [old, kept] of this.objects) {
      if (this.bytes <= this.maxBytes) break;
      this.objects.delete(old);
      this.bytes -= kept.content.length;
    }
  }
}
