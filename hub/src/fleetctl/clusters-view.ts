import type { ClusterView } from '../../../shared/src/api/clusters.js';
import { formatTable } from '../../../shared/src/table.js';

/** The `fleetctl clusters` table: one row per cluster. */
export function clustersTable(clusters: readonly ClusterView[]): string {
  const rows = clusters.map((cluster) => {
    const ready = cluster.status?.conditions.find((c) => c.type === 'Ready');
    return [
      cluster.id,
      cluster.presence,
      cluster.status?.appliedRevision?.slice(0, 12) ?? '-',
      cluster.status?.health ?? '-',
      ready ? `${ready.status}/${ready.reason}` : '-',
      String(cluster.status?.objectCount ?? '-'),
      Object.entries(cluster.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
    ];
  });
  return formatTable(['CLUSTER', 'PRESENCE', 'APPLIED', 'HEALTH', 'READY', 'OBJECTS', 'LABELS'], rows);
}
