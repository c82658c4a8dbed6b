/**
 * Tells listeners (the API's event stream) about clusters whose status, presence or labels
 * changed, after the change is committed. Nothing is read from the store unless someone listens,
 * so ingest pays nothing when no stream is open.
 */
import type { FleetStore } from '../ports/fleet-store.js';
import type { ClusterView } from '../core/cluster-view.js';

export class ClusterChanges {
  private readonly listeners = new Set<(cluster: ClusterView) => void>();
  private readonly idListeners = new Set<(clusterIds: ReadonlySet<string>) => void>();

  constructor(private readonly store: Pick<FleetStore, 'getCluster'>) {}

  /** Returns the function that removes the listener. */
  on(listener: (cluster: ClusterView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Only the ids of the clusters that changed, with nothing read: for caches that read lazily. */
  onIds(listener: (clusterIds: ReadonlySet<string>) => void): () => void {
    this.idListeners.add(listener);
    return () => this.idListeners.delete(listener);
  }

  /** One call per cluster, however many of its records a batch held. */
  emit(clusterIds: Iterable<string>): void {
    const ids = new Set(clusterIds);
    for (const listener of this.idListeners) listener(ids);
    if (this.listeners.size === 0) return;
    for (const id of ids) {
      const cluster = this.store.getCluster(id);
      if (!cluster) continue;
      for (const listener of this.listeners) listener(cluster);
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
