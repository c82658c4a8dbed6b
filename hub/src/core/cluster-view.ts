/** A cluster as the hub knows it: labels, presence and the latest status its agent reported. */
import type { ClusterStatus } from '../../../shared/src/protocol/protocol.js';

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
