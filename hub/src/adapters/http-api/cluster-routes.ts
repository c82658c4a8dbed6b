/** Clusters and the fleet summary. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkLabels } from '../../../../shared/src/fleet/labels.js';
import { parseSelector, selectorMatches } from '../../../../shared/src/fleet/selector.js';
import type { ClusterChanges } from '../../ingest/cluster-changes.js';
import { summarizeFleet } from '../../core/fleet-summary.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import type { FleetStore } from '../../ports/fleet-store.js';
import { ApiError } from './errors.js';

/** Events shown with a cluster. */
export const CLUSTER_EVENTS = 50;

const LabelsBody = z.strictObject({ labels: z.record(z.string(), z.string()) });

export interface ClusterRoutesDeps {
  store: FleetStore;
  clusterChanges: ClusterChanges;
  rollouts: RolloutService | undefined;
}

export function clusterRoutes(app: FastifyInstance, { store, clusterChanges, rollouts }: ClusterRoutesDeps): void {
  app.get<{ Querystring: { selector?: string; presence?: string } }>('/api/v1/clusters', async (request) => {
    const { selector: text = '', presence } = request.query;
    if (presence !== undefined && presence !== 'online' && presence !== 'offline') {
      throw new ApiError('validation', `query parameter presence must be online or offline, got "${presence}"`);
    }
    const selector = parseSelector(text);
    const items = store.listClusters().filter((c) => selectorMatches(selector, c.labels) && (presence === undefined || c.presence === presence));
    return { items };
  });

  app.get<{ Params: { id: string } }>('/api/v1/clusters/:id', async (request) => {
    const cluster = store.getCluster(request.params.id);
    if (!cluster) throw new ApiError('not-found', `cluster ${request.params.id} is not registered`);
    return { ...cluster, events: store.recentEvents(cluster.id, CLUSTER_EVENTS) };
  });

  app.put<{ Params: { id: string } }>('/api/v1/clusters/:id/labels', async (request) => {
    const parsed = LabelsBody.safeParse(request.body);
    if (!parsed.success) throw new ApiError('validation', 'the body must be {"labels": {"key": "value", ...}} with string values');
    checkLabels(parsed.data.labels);
    store.setLabels(request.params.id, parsed.data.labels);
    request.log.info({ clusterId: request.params.id, labels: parsed.data.labels, by: request.caller?.name }, 'labels set');
    clusterChanges.emit([request.params.id]);
    return store.getCluster(request.params.id);
  });

  app.get('/api/v1/fleet', async () => summarizeFleet(store.listClusters(), rollouts?.activeRollouts().length ?? 0));
}
