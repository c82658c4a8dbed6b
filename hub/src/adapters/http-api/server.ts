/** The operator HTTP API (JSON), wired: authentication, routes, errors. */
import Fastify from 'fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { routes } from '../../../../shared/src/api/routes.js';
import type { ApiTokenVerifier } from '../../access/api-tokens.js';
import type { ClusterChanges } from '../../ingest/cluster-changes.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';
import type { FleetStore } from '../../ports/fleet-store.js';
import { requireApiTokens } from './auth.js';
import { clusterRoutes } from './cluster-routes.js';
import { ApiError, sendError } from './errors.js';
import { eventStreamRoute } from './event-stream.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { rolloutRoutes } from './rollout-routes.js';
import { serve } from './typed-route.js';

export interface HttpApiDeps {
  store: FleetStore;
  tokens: ApiTokenVerifier;
  clusterChanges: ClusterChanges;
  /** Absent when the hub cannot direct clusters: rollout routes answer 503. */
  rollouts: RolloutService | undefined;
  keepaliveMs?: number;
  /** Sees every route as it is registered (the OpenAPI test lists them). */
  onRoute?: (route: RouteOptions) => void;
}

export function buildHttpApi(deps: HttpApiDeps): FastifyInstance {
  // Closing cuts every connection: event streams never end by themselves, and a client's spare
  // keep-alive socket would otherwise hold the hub's shutdown for seconds.
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`)));

  serve(app, routes.health, async () => ({ ok: true }));
  requireApiTokens(app, deps.tokens);
  serve(app, routes.openapi, async () => OPENAPI_DOCUMENT);
  clusterRoutes(app, deps);
  rolloutRoutes(app, deps.rollouts);
  eventStreamRoute(app, deps);
  return app;
}
