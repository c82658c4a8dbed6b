/**
 * Every route of the catalogue, called over HTTP on a hub that directs clusters, answers with the
 * status its OpenAPI document gives and a body its schema accepts; the event stream's events
 * match theirs. Revisions are full SHAs, so the hub needs no Git server to resolve them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorBody } from '../../../../shared/src/api/common.js';
import { STREAM_EVENTS, isStreamEventName } from '../../../../shared/src/api/event-stream.js';
import { API_ROUTES, rolloutActions, routePath, routes } from '../../../../shared/src/api/routes.js';
import type { RouteSpec } from '../../../../shared/src/api/routes.js';
import { startTestHub } from '../../../../test/support/hub-fixture.js';
import { makeTempDir } from '../../../../test/support/temp-dir.js';
import { SseParser } from '../../fleetctl/sse.js';
import type { SseEvent } from '../../fleetctl/sse.js';
import type { Hub } from '../../hub.js';
import { writeSigningKeyPair } from '../../access/signing-keys.js';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);

describe('the API answers what its document says', () => {
  const temp = makeTempDir('api-contract');
  let hub: Hub;
  let token: string;

  beforeAll(async () => {
    const keyFile = join(temp.dir, 'hub.key');
    writeSigningKeyPair(keyFile);
    // Nothing listens at the source URL: a full SHA is taken as given.
    hub = await startTestHub(temp.dir, { config: { source: { url: 'http://127.0.0.1:9/fleet.git' }, signing: { keyFile } } });
    token = await hub.createApiToken('alice', 'operator');
    for (const [id, ring] of [['store-0', 'canary'], ['store-1', 'main'], ['store-2', 'main']] as const) {
      await hub.registerCluster(id, { ring });
      hub.store.setPresence(id, 'online', '0.1.0', new Date());
      hub.store.commitReports([{
        clusterId: id,
        records: [
          { seq: 1, kind: 'event', at: new Date().toISOString(), event: { reason: 'Applied', message: 'applied 1 object', severity: 'info' } },
          { seq: 2, kind: 'status', at: new Date().toISOString(), status: { appliedRevision: OLD, desiredRevision: OLD, health: 'Healthy', objectCount: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: '', lastTransitionTime: new Date().toISOString() }] } },
        ],
      }]);
    }
  });

  afterAll(async () => {
    await hub?.close();
    temp.remove();
  });

  const answered = new Set<RouteSpec>();
  const call = async (route: RouteSpec, request: { params?: Record<string, string>; query?: string; body?: unknown } = {}) => {
    const response = await fetch(`${hub.httpUrl}${routePath(route.path, request.params)}${request.query ? `?${request.query}` : ''}`, {
      method: route.method,
      headers: { authorization: `Bearer ${token}`, ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    const body: unknown = await response.json();
    const what = `${route.method} ${route.path}`;
    expect(response.status, `${what}: ${JSON.stringify(body)}`).toBe(route.status);
    expect(route.response.safeParse(body).error, what).toBeUndefined();
    answered.add(route);
    return body as Record<string, unknown>;
  };

  it('parses queries with the route schemas and names the first bad parameter', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${hub.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as { error?: { message: string } } };
    };
    expect((await get('/api/v1/rollouts?status=weird')).body.error?.message).toBe(
      'query parameter status must be one of running, paused, awaitingApproval, rollingBack, succeeded, aborted, rolledBack, superseded, got "weird"',
    );
    expect((await get('/api/v1/audit?limit=0')).body.error?.message).toBe('query parameter limit must be an integer from 1 to 1000, got "0"');
    expect((await get('/api/v1/audit?after=1.5')).body.error?.message).toBe(`query parameter after must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got "1.5"`);
    // Empty means absent, as before the schemas.
    expect((await get('/api/v1/audit?limit=&after=')).status).toBe(200);
  });

  it('answers every route with its documented status and schema, and streams valid events', { timeout: 20_000 }, async () => {
    const controller = new AbortController();
    const stream = await fetch(`${hub.httpUrl}${routes.stream.path}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    answered.add(routes.stream);
    const events: SseEvent[] = [];
    const parser = new SseParser();
    const reading = (async () => {
      for await (const chunk of stream.body!) events.push(...parser.push(new TextDecoder().decode(chunk as Uint8Array)));
    })().catch(() => undefined);

    try {
      const document = (await call(routes.openapi)) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      await call(routes.health);
      expect(((await call(routes.listClusters, { query: 'selector=ring%3Dmain&presence=online' })) as { items: unknown[] }).items).toHaveLength(2);
      expect(((await call(routes.getCluster, { params: { id: 'store-1' } })) as { events: unknown[] }).events).toHaveLength(1);
      await call(routes.setLabels, { params: { id: 'store-2' }, body: { labels: { ring: 'main', zone: 'b' } } });
      await call(routes.fleet);

      const plan = { revision: NEW, waves: [{ name: 'canary', selector: 'ring=canary', requireApproval: true }, { name: 'rest', percent: 100, maxFailures: '10%', bake: '1m' }] };
      const created = (await call(routes.createRollout, { body: plan })) as { rollout: { id: string; status: string } };
      expect(created.rollout.status).toBe('awaitingApproval');
      const params = { id: created.rollout.id };
      await call(routes.getRollout, { params });
      // Each action in a status that allows it: approve, pause, resume, roll back, abort.
      const statuses: string[] = [];
      for (const action of ['approve', 'pause', 'resume', 'rollback', 'abort'] as const) statuses.push(((await call(rolloutActions[action], { params })) as { status: string }).status);
      expect(statuses).toEqual(['running', 'paused', 'running', 'rollingBack', 'aborted']);
      await call(routes.listRollouts, { query: 'status=aborted&limit=5' });
      expect(((await call(routes.audit, { query: `rollout=${params.id}&after=0` })) as { items: unknown[] }).items.length).toBeGreaterThan(5);

      expect([...API_ROUTES].filter((route) => !answered.has(route)).map((r) => `${r.method} ${r.path}`)).toEqual([]);
      for (const route of API_ROUTES) expect(document.paths[route.path]?.[route.method.toLowerCase()]?.responses[String(route.status)], `${route.method} ${route.path}`).toBeDefined();

      const missing = await fetch(`${hub.httpUrl}/api/v1/clusters/nope`, { headers: { authorization: `Bearer ${token}` } });
      expect(missing.status).toBe(404);
      expect(ApiErrorBody.safeParse(await missing.json()).success).toBe(true);

      // The label change and each rollout step arrived as events that match their schemas.
      await expect.poll(() => events.filter((e) => e.event === 'rollout').length).toBeGreaterThanOrEqual(6);
      for (const { event, data } of events) {
        expect(isStreamEventName(event), event).toBe(true);
        if (isStreamEventName(event)) expect(STREAM_EVENTS[event].safeParse(JSON.parse(data)).error, `${event} ${data}`).toBeUndefined();
      }
      expect(events.some((e) => e.event === 'cluster' && e.data.includes('"zone":"b"'))).toBe(true);
    } finally {
      controller.abort();
      await reading;
    }
  });
});
