/**
 * The fleet at a glance, for `GET /api/v1/fleet` and `fleetctl fleet`. Pure.
 *
 * A cluster counts as drifted when its agent reports objects it left drifted (drift policy
 * `alert`) in the status field `driftedObjects`. Remediated drift is repaired at once, so it
 * shows only as a `DriftRemediated` event.
 */
import type { FleetSummary } from '../../../shared/src/api/clusters.js';
import type { ClusterView } from './cluster-view.js';

export type { FleetSummary } from '../../../shared/src/api/clusters.js';

export function isDrifted(cluster: ClusterView): boolean {
  return (cluster.status?.driftedObjects ?? 0) > 0;
}

export function summarizeFleet(clusters: readonly ClusterView[], activeRollouts: number): FleetSummary {
  const summary: FleetSummary = { total: clusters.length, online: 0, offline: 0, unknown: 0, health: {}, revisions: {}, drifted: 0, activeRollouts };
  for (const cluster of clusters) {
    summary[cluster.presence]++;
    const health = cluster.status?.health ?? 'None';
    summary.health[health] = (summary.health[health] ?? 0) + 1;
    const revision = cluster.status?.appliedRevision ?? 'none';
    summary.revisions[revision] = (summary.revisions[revision] ?? 0) + 1;
    if (isDrifted(cluster)) summary.drifted++;
  }
  return summary;
}
