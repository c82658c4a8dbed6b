/** Shapes of API answers that are not a port or core type as is (for clients such as fleetctl). */
import type { AuditEntry } from '../../core/rollout/model.js';
import type { RolloutDetail } from '../../core/rollout/progress.js';
import type { EventView } from '../../ports/fleet-store.js';
import type { ClusterView } from '../../core/cluster-view.js';
import type { RolloutSummary } from '../../ports/rollout-store.js';

export type ClusterDetail = ClusterView & { events: EventView[] };

/** Times as ISO 8601. */
export type RolloutListItem = Omit<RolloutSummary, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

export type AuditItem = Omit<AuditEntry, 'at'> & { id: number; at: string };

export interface CreatedRolloutBody {
  rollout: RolloutDetail;
  unassigned: string[];
}

export interface Items<T> {
  items: T[];
}
