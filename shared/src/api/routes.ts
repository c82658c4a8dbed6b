/**
 * Every route of the operator API with the schemas of its query, body and answer. The hub
 * registers its handlers from these and generates its OpenAPI document from them; fleetctl
 * calls them and validates every answer with the same schemas.
 */
import { z } from 'zod';
import { ClusterDetail, ClusterList, ClusterView, ClustersQuery, FleetSummary, LabelsBody } from './clusters.js';
import { STREAM_EVENTS } from './event-stream.js';
import { RolloutPlanInput } from './rollout-plan.js';
import { AuditList, AuditQuery, CreatedRollout, RolloutDetail, RolloutList, RolloutsQuery } from './rollouts.js';
import type { OperatorAction } from './rollouts.js';

/** Error statuses a route may answer, each with `ApiErrorBody` (docs/api.md, "Errors"). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 503;

export interface RouteSpec {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** With `{name}` for each path parameter, as OpenAPI writes it. */
  readonly path: `/${string}`;
  readonly summary: string;
  /** The least token role it needs; `none` is open. */
  readonly role: 'none' | 'viewer' | 'operator';
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  readonly status: 200 | 201;
  readonly response: z.ZodType;
  /** A `text/event-stream` answer, with the payload of each named event. */
  readonly events?: typeof STREAM_EVENTS;
  readonly errors: readonly ErrorStatus[];
}

const route = <const R extends RouteSpec>(spec: R): R => spec;

export const Health = z.object({ ok: z.boolean() });

/** Just enough of an OpenAPI document to tell it is one. */
export const OpenApiDocument = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

export const routes = {
  health: route({ method: 'GET', path: '/healthz', summary: 'liveness (no token needed)', role: 'none', status: 200, response: Health, errors: [] }),
  openapi: route({ method: 'GET', path: '/api/v1/openapi.json', summary: 'this document', role: 'viewer', status: 200, response: OpenApiDocument, errors: [401] }),
  listClusters: route({ method: 'GET', path: '/api/v1/clusters', summary: 'list clusters', role: 'viewer', query: ClustersQuery, status: 200, response: ClusterList, errors: [400, 401] }),
  getCluster: route({ method: 'GET', path: '/api/v1/clusters/{id}', summary: 'a cluster with its latest 50 events', role: 'viewer', status: 200, response: ClusterDetail, errors: [401, 404] }),
  setLabels: route({
    method: 'PUT', path: '/api/v1/clusters/{id}/labels', summary: "replace a cluster's labels (operator)", role: 'operator',
    body: LabelsBody, status: 200, response: ClusterView, errors: [400, 401, 403, 404],
  }),
  fleet: route({ method: 'GET', path: '/api/v1/fleet', summary: 'the fleet at a glance', role: 'viewer', status: 200, response: FleetSummary, errors: [401] }),
  createRollout: route({
    method: 'POST', path: '/api/v1/rollouts', summary: 'create a rollout from a plan (operator)', role: 'operator',
    body: RolloutPlanInput, status: 201, response: CreatedRollout, errors: [400, 401, 403, 404, 503],
  }),
  listRollouts: route({ method: 'GET', path: '/api/v1/rollouts', summary: 'list rollouts, newest first', role: 'viewer', query: RolloutsQuery, status: 200, response: RolloutList, errors: [400, 401, 503] }),
  getRollout: route({ method: 'GET', path: '/api/v1/rollouts/{id}', summary: 'a rollout with wave and cluster progress', role: 'viewer', status: 200, response: RolloutDetail, errors: [401, 404, 503] }),
  audit: route({ method: 'GET', path: '/api/v1/audit', summary: 'the audit log, oldest first', role: 'viewer', query: AuditQuery, status: 200, response: AuditList, errors: [400, 401, 503] }),
  stream: route({
    method: 'GET', path: '/api/v1/stream', role: 'viewer',
    summary: 'server-sent events: `rollout` (RolloutEvent) on every rollout change, `cluster` (ClusterView) on every committed status, presence or label change; a `: keepalive` comment every 15 s',
    status: 200, response: z.string(), events: STREAM_EVENTS, errors: [401],
  }),
} as const;

const rolloutAction = <A extends OperatorAction>(action: A) =>
  route({
    method: 'POST', path: `/api/v1/rollouts/{id}/${action}`, summary: `${action} a rollout (operator; audited with the token's name)`, role: 'operator',
    status: 200, response: RolloutDetail, errors: [401, 403, 404, 409, 503],
  });

/** `POST /api/v1/rollouts/{id}/{action}`, by action. */
export const rolloutActions = {
  pause: rolloutAction('pause'),
  resume: rolloutAction('resume'),
  approve: rolloutAction('approve'),
  abort: rolloutAction('abort'),
  rollback: rolloutAction('rollback'),
} as const satisfies Record<OperatorAction, RouteSpec>;

export const API_ROUTES: readonly RouteSpec[] = [...Object.values(routes), ...Object.values(rolloutActions)];

/** `{id: string}` for `/api/v1/clusters/{id}`. */
export type PathParams<P extends string> = P extends `${string}{${infer K}}${infer Rest}` ? Record<K, string> & PathParams<Rest> : unknown;

/** What a client passes to call a route: path parameters, query strings and the body it has. */
export type RouteRequest<R extends RouteSpec> = (R['path'] extends `${string}{${string}` ? { params: PathParams<R['path']> } : { params?: undefined }) &
  (R extends { query: infer Q extends z.ZodObject } ? { query?: { [K in keyof z.input<Q>]?: string } } : { query?: undefined }) &
  (R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined });

export type RouteAnswer<R extends RouteSpec> = z.output<R['response']>;

/** The path with its parameters filled in, each URI-encoded. */
export function routePath(path: string, params: Readonly<Record<string, string>> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path} needs a value for {${name}}`);
    return encodeURIComponent(value);
  });
}
