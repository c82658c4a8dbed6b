/**
 * The API described as OpenAPI 3.1, by hand: the shapes are the TypeScript types the routes
 * return (ClusterView, RolloutDetail, …). A test checks every registered route appears here.
 */
import { OPERATOR_ACTIONS, ROLLOUT_STATUSES } from './rollout-routes.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const int = { type: 'integer' };
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({ type: 'object', properties, required });
const items = (schema: Schema): Schema => object({ items: { type: 'array', items: schema } });
const counts = { type: 'object', additionalProperties: int };

const json = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/E${status}` }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request (kind validation)',
  401: 'missing or invalid bearer token',
  403: 'the token is a viewer token; this needs an operator token',
  404: 'no such cluster or rollout',
  409: 'the rollout is not in a status that allows this action (kind conflict)',
  503: 'rollouts are off (the hub has no signing key and source), or Git did not answer',
};

const query = (name: string, description: string, schema: Schema = str) => ({ name, in: 'query', required: false, description, schema });
const idParam = (what: string) => ({ name: 'id', in: 'path', required: true, description: `${what} id`, schema: str });

const get = (summary: string, response: Schema, extra: Schema = {}, codes: number[] = []) => ({
  get: { summary, ...extra, responses: { '200': json(response), ...errors(401, ...codes) } },
});

const actionPaths = Object.fromEntries(
  OPERATOR_ACTIONS.map((action) => [
    `/api/v1/rollouts/{id}/${action}`,
    { post: { summary: `${action} a rollout (operator; audited with the token's name)`, parameters: [idParam('rollout')], responses: { '200': json(ref('RolloutDetail')), ...errors(401, 403, 404, 409, 503) } } },
  ]),
);

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'edge-fleet hub API',
    version: '1',
    description: 'Operate a fleet of edge clusters: inventory, labels, staged rollouts and their audit log. Every /api/v1 route needs a bearer token; requests other than GET need an operator token.',
  },
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { summary: 'liveness (no token needed)', security: [], responses: { '200': json(object({ ok: { type: 'boolean' } })) } } },
    '/api/v1/openapi.json': get('this document', { type: 'object' }),
    '/api/v1/clusters': get('list clusters', items(ref('ClusterView')), {
      parameters: [query('selector', 'label selector, e.g. region=eu,tier in (a,b),!legacy'), query('presence', 'online or offline', { enum: ['online', 'offline'] })],
    }, [400]),
    '/api/v1/clusters/{id}': get('a cluster with its latest 50 events', { allOf: [ref('ClusterView'), object({ events: { type: 'array', items: ref('Event') } })] }, { parameters: [idParam('cluster')] }, [404]),
    '/api/v1/clusters/{id}/labels': {
      put: {
        summary: "replace a cluster's labels (operator)",
        parameters: [idParam('cluster')],
        requestBody: { required: true, content: { 'application/json': { schema: object({ labels: { type: 'object', additionalProperties: str } }) } } },
        responses: { '200': json(ref('ClusterView')), ...errors(400, 401, 403, 404) },
      },
    },
    '/api/v1/fleet': get('the fleet at a glance', ref('FleetSummary')),
    '/api/v1/rollouts': {
      ...get('list rollouts, newest first', items(ref('RolloutSummary')), {
        parameters: [query('status', 'only rollouts in this status', { enum: ROLLOUT_STATUSES }), query('limit', 'at most this many (default 100)', int)],
      }, [400, 503]),
      post: {
        summary: 'create a rollout from a plan (operator)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('RolloutPlan') } } },
        responses: { '201': json(object({ rollout: ref('RolloutDetail'), unassigned: { type: 'array', items: str } }), 'created'), ...errors(400, 401, 403, 404, 503) },
      },
    },
    '/api/v1/rollouts/{id}': get('a rollout with wave and cluster progress', ref('RolloutDetail'), { parameters: [idParam('rollout')] }, [404, 503]),
    ...actionPaths,
    '/api/v1/audit': get('the audit log, oldest first', items(ref('AuditEntry')), {
      parameters: [query('rollout', 'only this rollout'), query('after', 'entries after this id', int), query('limit', 'at most this many (default 100)', int)],
    }, [400, 503]),
    '/api/v1/stream': {
      get: {
        summary: 'server-sent events: `rollout` (RolloutEvent) on every rollout change, `cluster` (ClusterView) on every committed status, presence or label change; a `: keepalive` comment every 15 s',
        responses: { '200': { description: 'event stream', content: { 'text/event-stream': { schema: str } } }, ...errors(401) },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `hub token add NAME --role viewer|operator`' } },
    responses: Object.fromEntries(Object.entries(ERROR_TEXT).map(([status, description]) => [`E${status}`, json(ref('Error'), description)])),
    schemas: {
      Error: object({ error: object({ kind: { enum: ['validation', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'stalled', 'transient', 'unavailable', 'internal'] }, message: str }) }),
      ClusterView: object({
        id: str,
        labels: { type: 'object', additionalProperties: str },
        presence: { enum: ['online', 'offline', 'unknown'] },
        presenceAt: nullable(str),
        agentVersion: nullable(str),
        lastSeq: int,
        status: nullable(object({ appliedRevision: nullable(str), desiredRevision: nullable(str), health: str, conditions: { type: 'array', items: { type: 'object' } }, objectCount: int }, ['health', 'conditions'])),
        statusAt: nullable(str),
      }),
      Event: object({ seq: int, at: str, reason: str, message: str, severity: { enum: ['info', 'warning', 'error'] } }),
      FleetSummary: object({ total: int, online: int, offline: int, unknown: int, health: counts, revisions: counts, drifted: int, activeRollouts: int }),
      RolloutPlan: {
        type: 'object',
        description: 'see docs/rollouts.md; durations like 30s or 15m, selectors as strings or matchLabels/matchExpressions',
        required: ['revision', 'waves'],
        properties: {
          revision: str,
          selector: {},
          waves: { type: 'array', items: object({ name: str, selector: {}, percent: { type: 'number' }, maxFailures: {}, bake: {}, requireApproval: { type: 'boolean' } }, ['name']) },
          progressDeadline: {},
          offlinePolicy: { enum: ['wait', 'skip'] },
          onFailure: { enum: ['pause', 'abort', 'rollback'] },
          reshuffle: str,
        },
      },
      WaveProgress: object({ index: int, name: str, state: { enum: ['pending', 'awaitingApproval', 'active', 'done', 'stopped'] }, clusters: int, phases: counts }),
      RolloutEvent: object({
        id: str, revision: str, status: { enum: ROLLOUT_STATUSES }, reason: nullable(str), plan: { type: 'object' }, wave: int,
        waves: { type: 'array', items: ref('WaveProgress') }, createdAt: str, updatedAt: str,
      }),
      RolloutDetail: {
        allOf: [ref('RolloutEvent'), object({ clusters: { type: 'array', items: object({ id: str, wave: str, phase: str, reason: nullable(str), previousRevision: nullable(str), directedAt: nullable(str), healthySince: nullable(str) }) } })],
      },
      RolloutSummary: object({
        id: str, revision: str, status: { enum: ROLLOUT_STATUSES }, reason: nullable(str), wave: int,
        waves: { type: 'array', items: object({ name: str, clusters: int }) }, clusters: int, origin: { type: 'object' }, createdAt: str, updatedAt: str,
      }),
      AuditEntry: object({ id: int, at: str, rolloutId: str, clusterId: nullable(str), action: str, message: str }),
    },
  },
} as const;
