/**
 * The change feed behind watches: every stored change, numbered by the cluster's resourceVersion,
 * kept in a bounded history (like the API server's watch cache) and handed to subscribers in
 * order. A change that is made while subscribers are being called (a controller reacting) is
 * queued and handed out after, so every subscriber sees changes in resourceVersion order.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';

export const WatchEventType = { added: 'ADDED', modified: 'MODIFIED', deleted: 'DELETED', error: 'ERROR' } as const;
export type WatchEventType = (typeof WatchEventType)[keyof typeof WatchEventType];

/** The `Status` an `ERROR` event carries, e.g. 410 Expired for a resourceVersion that is too old. */
export interface WatchErrorStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'ERROR'; object: WatchErrorStatus };

/** One stored change. Objects are the store's own (never changed once stored), not copies. */
export interface Change {
  revision: number;
  /** `group|kind`, the storage identity of a kind across its versions. */
  kindKey: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before a MODIFIED change, so that selector watches can tell it entered or left. */
  previous?: KubeObject;
}

interface Subscriber {
  kindKey: string;
  /** The newest revision this subscriber has been given; older changes are not given again. */
  seen: number;
  deliver(change: Change): void;
}

export const DEFAULT_WATCH_HISTORY = 2000;

export class WatchHub {
  private readonly history: Change[] = [];
  /** The newest revision dropped from the history: watches from before it get 410 Expired. */
  private compactedThrough = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly queue: Change[] = [];
  private dispatching = false;

  constructor(private readonly capacity: number = DEFAULT_WATCH_HISTORY) {}

  record(change: Change): void {
    this.history.push(change);
    while (this.history.length > this.capacity) {
      const dropped = this.history.shift();
      if (dropped !== undefined) this.compactedThrough = dropped.revision;
    }
    this.queue.push(change);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        for (const subscriber of [...this.subscribers]) {
          if (subscriber.kindKey !== next.kindKey || next.revision <= subscriber.seen) continue;
          subscriber.seen = next.revision;
          subscriber.deliver(next);
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Changes of a kind after `revision`, or `undefined` when some of them are no longer kept. */
  since(kindKey: string, revision: number): Change[] | undefined {
    if (revision < this.compactedThrough) return undefined;
    return this.history.filter((change) => change.kindKey === kindKey && change.revision > revision);
  }

  /** The oldest revision a watch can still start from. */
  oldest(): number {
    return this.compactedThrough;
  }

  subscribe(kindKey: string, seen: number, deliver: (change: Change) => void): () => void {
    const subscriber: Subscriber = { kindKey, seen, deliver };
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }
}

/**
 * What a watcher that selects objects with `matches` sees of a change: an object that starts
 * matching is ADDED, one that stops matching is DELETED, as the API server reports selector
 * watches. `undefined` when the change is invisible to it.
 */
export function eventTypeFor(change: Change, matches: (object: KubeObject) => boolean): Change['type'] | undefined {
  const now = matches(change.object);
  if (change.type !== 'MODIFIED' || change.previous === undefined) return now ? change.type : undefined;
  const before = matches(change.previous);
  if (before && now) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}

export const expiredStatus = (requested: number, oldest: number): WatchErrorStatus => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `too old resource version: ${requested} (${oldest})`,
  reason: 'Expired',
  code: 410,
});
