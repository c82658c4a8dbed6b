/**
 * The API described as OpenAPI 3.1, generated from the route catalogue and its zod schemas
 * (shared/src/api/), the same ones the routes are typed with and fleetctl parses answers with.
 * A test checks every registered route appears here, and that each one's answer matches.
 */
import { z } from 'zod';
import { ApiErrorBody } from '../../../../shared/src/api/common.js';
import { ClusterDetail, ClusterList, ClusterView, EventView, FleetSummary, LabelsBody } from '../../../../shared/src/api/clusters.js';
import { RolloutPlan, RolloutPlanInput } from '../../../../shared/src/api/rollout-plan.js';
import {
  AuditItem, AuditList, ClusterProgressView, CreatedRollout, RolloutDetail, RolloutEvent, RolloutList, RolloutListItem, WaveProgress,
} from '../../../../shared/src/api/rollouts.js';
import { API_ROUTES, Health, OpenApiDocument } from '../../../../shared/src/api/routes.js';
import type { ErrorStatus, RouteSpec } from '../../../../shared/src/api/routes.js';

type Schema = Record<string, unknown>;

/** Answers, described as the hub sends them. */
const ANSWERS: Record<string, z.ZodType> = {
  Error: ApiErrorBody, Health, OpenApiDocument,
  ClusterView, EventView, ClusterDetail, ClusterList, FleetSummary,
  RolloutPlan, WaveProgress, ClusterProgressView, RolloutEvent, RolloutDetail, CreatedRollout, RolloutListItem, RolloutList, AuditItem, AuditList,
};
/** Request bodies, described as the hub accepts them (before defaults and conversions). */
const BODIES: Record<string, z.ZodType> = { LabelsBody, RolloutPlanInput };

const ERROR_TEXT: Record<ErrorStatus, string> = {
  400: 'invalid request (kind validation)',
  401: 'missing or invalid bearer token',
  403: 'the token is a viewer token; this needs an operator token',
  404: 'no such cluster or rollout',
  409: 'the rollout is not in a status that allows this action (kind conflict)',
  503: 'rollouts are off (the hub has no signing key and source), or Git did not answer',
};

const withoutDialect = ({ $schema: _schema, $id: _id, ...schema }: Schema): Schema => schema;

/** Each named schema as a component; schemas nested in another refer to it. */
function components(named: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, Schema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema as Schema)]));
}

function refTo(named: Record<string, z.ZodType>, schema: z.ZodType): Schema {
  const name = Object.keys(named).find((id) => named[id] === schema);
  if (!name) throw new Error('every schema of a route is a named component of the OpenAPI document');
  return { $ref: `#/components/schemas/${name}` };
}

function parameters(route: RouteSpec): Schema[] {
  const path = [...route.path.matchAll(/([^/]*)\/\{(\w+)\}/g)].map(([, resource, name]) => ({
    name, in: 'path', required: true, description: `${resource!.replace(/s$/, '')} ${name}`, schema: { type: 'string' },
  }));
  const query = Object.entries(route.query?.shape ?? {}).map(([name, field]) => {
    const { description, ...schema } = withoutDialect(z.toJSONSchema(field as z.ZodType, { io: 'input' }) as Schema);
    return { name, in: 'query', required: false, description, schema };
  });
  return [...path, ...query];
}

function operation(route: RouteSpec): Schema {
  const answer = route.events
    ? {
      description: `event stream; the data of each event is JSON: ${Object.entries(route.events).map(([name, schema]) => `${name} (${String(refTo(ANSWERS, schema).$ref)})`).join(', ')}`,
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }
    : { description: route.status === 201 ? 'created' : 'OK', content: { 'application/json': { schema: refTo(ANSWERS, route.response) } } };
  const params = parameters(route);
  return {
    summary: route.summary,
    ...(route.role === 'none' ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: refTo(BODIES, route.body) } } } } : {}),
    responses: { [String(route.status)]: answer, ...Object.fromEntries(route.errors.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }])) },
  };
}

function paths(): Record<string, Record<string, Schema>> {
  const byPath: Record<string, Record<string, Schema>> = {};
  for (const route of API_ROUTES) (byPath[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return byPath;
}

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'edge-fleet hub API',
    version: '1',
    description: 'Operate a fleet of edge clusters: inventory, labels, staged rollouts and their audit log. Every /api/v1 route needs a bearer token; requests other than GET need an operator token.',
  },
  security: [{ bearer: [] }],
  paths: paths(),
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `hub token add NAME --role viewer|operator`' } },
    responses: Object.fromEntries(Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }])),
    schemas: { ...components(ANSWERS, 'output'), ...components(BODIES, 'input') },
  },
};
