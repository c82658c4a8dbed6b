/** The operator HTTP API (JSON). */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { FleetStore } from '../ports/fleet-store.js';

export function buildHttpApi(store: FleetStore): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/api/v1/clusters', async () => ({ items: store.listClusters() }));

  app.get<{ Params: { id: string } }>('/api/v1/clusters/:id', async (request, reply) => {
    const cluster = store.getCluster(request.params.id);
    if (!cluster) return reply.code(404).send({ error: `cluster ${request.params.id} is not registered` });
    return cluster;
  });

  return app;
}
