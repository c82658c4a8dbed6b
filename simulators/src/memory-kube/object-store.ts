/**
 * Where a MemoryKube keeps its objects: one map keyed by `group|kind|namespace|name`, the
 * cluster-wide resourceVersion counter, and the change feed that watches follow. It knows
 * nothing of API semantics; MemoryKube decides what to store. Stored objects are never changed
 * in place (every write stores a new object), so the feed can keep them without copying.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import type { ResourceType } from './catalogue.js';
import { badRequest } from './status-error.js';
import { DEFAULT_WATCH_HISTORY, eventTypeFor, expiredStatus, WatchHub } from './watch-hub.js';
import type { Change, WatchErrorStatus } from './watch-hub.js';

export const kindKeyOf = (type: Pick<ResourceType, 'group' | 'kind'>): string => `${type.group}|${type.kind}`;

export function keyOf(type: ResourceType, object: { metadata: { name: string; namespace?: string | undefined } }): string {
  const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : '';
  return `${kindKeyOf(type)}|${namespace}|${object.metadata.name}`;
}

export const namespaceOfKey = (key: string): string | undefined => key.split('|')[2];

export interface Follower {
  matches(object: KubeObject): boolean;
  event(type: Change['type'], object: KubeObject): void;
  expired(status: WatchErrorStatus): void;
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 0;
  private readonly changes: WatchHub;

  constructor(historySize = DEFAULT_WATCH_HISTORY) {
    this.changes = new WatchHub(historySize);
  }

  resourceVersion(): string {
    return String(this.revision);
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  /** Objects of a kind (in one namespace, if given), in key order. */
  ofKind(kindKey: string, namespace?: string): [key: string, object: KubeObject][] {
    const prefix = namespace === undefined ? `${kindKey}|` : `${kindKey}|${namespace}|`;
    return [...this.objects.entries()].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Stores a new version of an object under the next resourceVersion. */
  put(kindKey: string, key: string, next: KubeObject, previous: KubeObject | undefined): void {
    const revision = ++this.revision;
    next.metadata.resourceVersion = String(revision);
    this.objects.set(key, next);
    this.changes.record({ revision, kindKey, type: previous === undefined ? 'ADDED' : 'MODIFIED', object: next, ...(previous !== undefined ? { previous } : {}) });
  }

  /** Removes an object; watchers see it last with the deletion's resourceVersion. */
  delete(kindKey: string, key: string, last: KubeObject): void {
    this.objects.delete(key);
    const revision = ++this.revision;
    const object = { ...last, metadata: { ...last.metadata, resourceVersion: String(revision) } };
    this.changes.record({ revision, kindKey, type: 'DELETED', object });
  }

  /**
   * Follows a kind from `from` (a resourceVersion; `''` or `'0'` start with the current objects as
   * ADDED), until the returned function is called.
   */
  follow(kindKey: string, from: string, follower: Follower): () => void {
    const deliver = (change: Change): void => {
      const type = eventTypeFor(change, (object) => follower.matches(object));
      if (type !== undefined) follower.event(type, change.object);
    };
    if (from === '' || from === '0') {
      for (const [, object] of this.ofKind(kindKey)) if (follower.matches(object)) follower.event('ADDED', object);
    } else {
      const start = Number(from);
      if (!Number.isInteger(start) || start < 0) throw badRequest(`invalid resource version ${JSON.stringify(from)}`);
      const missed = this.changes.since(kindKey, start);
      if (missed === undefined) {
        follower.expired(expiredStatus(start, this.changes.oldest()));
        return () => {};
      }
      missed.forEach(deliver);
    }
    return this.changes.subscribe(kindKey, this.revision, deliver);
  }
}
