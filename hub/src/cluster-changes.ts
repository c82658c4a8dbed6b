/**
 * Tells listeners (the API's event stream) about clusters whose status, presence or labels
 * changed, after the change is committed. Nothing is read from the store unless someone listens,
 * so ingest pays nothing when no stream is open.
 */
import type { ClusterView, FleetStore } from './ports/fleet-store.js';

export class ClusterChanges {
  private readonly listeners = new Set<(cluster: ClusterView) => void>();

  constructor(private readonly store: Pick<FleetStore, 'getCluster'>) {}

  /** Returns the function that removes the listener. */
  on(listener: (cluster: ClusterView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One call per cluster, however many of its records a batch held. */
  emit(clusterIds: Iterable<string>): void {
    if (this.listeners.size === 0) return;
    for (const id of new Set(clusterIds)) {
      const cluster = this.store.getCluster(id);
      if (!cluster) continue;
      for (const listener of this.listeners) listener(cluster);
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
