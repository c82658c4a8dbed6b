/**
 * The hub's fleet inventory. One adapter, `SqliteFleetStore`, over a file or `:memory:`.
 */
import type { Directive, ReportRecord } from '../../../shared/src/protocol/protocol.js';
import type { EventView } from '../../../shared/src/api/clusters.js';
import type { ClusterView } from '../core/cluster-view.js';

export type { EventView } from '../../../shared/src/api/clusters.js';

export interface ReportBatch {
  clusterId: string;
  records: readonly ReportRecord[];
}

/** Makes the signed directive for a cluster, given the seq allotted to it. */
export type DirectiveBuilder = (clusterId: string, seq: number) => Directive;

export interface FleetStore {
  /** Throws a `conflict` FleetError if the cluster exists. */
  registerCluster(id: string, labels: Record<string, string>, tokenHash: string, at: Date): void;
  tokenHashOf(id: string): string | undefined;
  /**
   * Commits every record not seen before (by cluster and seq) in one transaction and returns,
   * per cluster, the highest seq now durable — the value to acknowledge.
   */
  commitReports(batches: readonly ReportBatch[]): Map<string, number>;
  setPresence(id: string, presence: 'online' | 'offline', agentVersion: string, at: Date): void;
  /**
   * Allots each cluster its next directive seq, builds the directive and records it as the
   * cluster's latest, all in one transaction. Throws `not-found` for an unregistered cluster.
   */
  recordDirectives(clusterIds: readonly string[], build: DirectiveBuilder, at: Date): Directive[];
  /** Every cluster's latest directive, to publish again (retained) when the hub starts. */
  latestDirectives(): Directive[];
  listClusters(): ClusterView[];
  /** A cluster's events in seq order, after `afterSeq`, at most `limit` (default 1,000). */
  listEvents(clusterId: string, options?: { afterSeq?: number; limit?: number }): EventView[];
  /** The latest `limit` events of a cluster, in seq order. */
  recentEvents(clusterId: string, limit: number): EventView[];
  getCluster(id: string): ClusterView | undefined;
  /** Replaces a cluster's labels (checked by the caller). Throws `not-found` for an unregistered cluster. */
  setLabels(id: string, labels: Record<string, string>): void;
  close(): void;
}
