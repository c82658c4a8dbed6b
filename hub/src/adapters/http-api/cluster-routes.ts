/** Clusters and the fleet summary. */
import type { FastifyInstance } from 'fastify';
import { LabelsBody } from '../../../../shared/src/api/clusters.js';
import { routes } from '../../../../shared/src/api/routes.js';
import { checkLabels } from '../../../../shared/src/fleet/labels.js';
import { parseSelector, selectorMatches } from '../../../../shared/src/fleet/selector.js';
import type { ClusterChanges } from '../../ingest/cluster-changes.js';
import { summarizeFleet } from '../../core/fleet-summary.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import type { FleetStore } from '../../ports/fleet-store.js';
import { ApiError } from './errors.js';
import { serve } from './typed-route.js';

/** Events shown with a cluster. */
export const CLUSTER_EVENTS = 50;

export interface ClusterRoutesDeps {
  store: FleetStore;
  clusterChanges: ClusterChanges;
  rollouts: RolloutService | undefined;
}

export function clusterRoutes(app: FastifyInstance, { store, clusterChanges, rollouts }: ClusterRoutesDeps): void {
  serve(app, routes.listClusters, async ({ query: { selector: text = '', presence } }) => {
    const selector = parseSelector(text);
    const items = store.listClusters().filter((c) => selectorMatches(selector, c.labels) && (presence === undefined || c.presence === presence));
    return { items };
  });

  const clusterOf = (id: string) => {
    const cluster = store.getCluster(id);
    if (!cluster) throw new ApiError('not-found', `cluster ${id} is not registered`);
    return cluster;
  };

  serve(app, routes.getCluster, async ({ params: { id } }) => {
    const cluster = clusterOf(id);
    return { ...cluster, events: store.recentEvents(cluster.id, CLUSTER_EVENTS) };
  });

  serve(app, routes.setLabels, async ({ params: { id }, body, request }) => {
    const parsed = LabelsBody.safeParse(body);
    if (!parsed.success) throw new ApiError('validation', 'the body must be {"labels": {"key": "value", ...}} with string values');
    checkLabels(parsed.data.labels);
    store.setLabels(id, parsed.data.labels);
    request.log.info({ clusterId: id, labels: parsed.data.labels, by: request.caller?.name }, 'labels set');
    clusterChanges.emit([id]);
    return clusterOf(id);
  });

  serve(app, routes.fleet, async () => summarizeFleet(store.listClusters(), rollouts?.activeRollouts().length ?? 0));
}
