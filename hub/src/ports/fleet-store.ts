/**
 * The hub's fleet inventory. One adapter, `SqliteFleetStore`, over a file or `:memory:`.
 */
import type { ClusterStatus, ReportRecord } from '../../../shared/src/protocol.js';

export type PresenceState = 'online' | 'offline' | 'unknown';

export interface ClusterView {
  id: string;
  labels: Record<string, string>;
  presence: PresenceState;
  /** When presence last changed, ISO 8601; null if never heard from. */
  presenceAt: string | null;
  agentVersion: string | null;
  /** Highest report record seq committed for this cluster. */
  lastSeq: number;
  status: ClusterStatus | null;
  /** When the agent produced `status`, ISO 8601. */
  statusAt: string | null;
}

export interface ReportBatch {
  clusterId: string;
  records: readonly ReportRecord[];
}

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
  listClusters(): ClusterView[];
  getCluster(id: string): ClusterView | undefined;
  close(): void;
}
