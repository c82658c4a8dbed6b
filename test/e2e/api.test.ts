/**
 * The operator API over real HTTP against a signing hub with three real agents: token roles,
 * rollouts driven through the API (create, approve, conflicting actions, audit), the fleet
 * summary, labels, and the event stream carrying rollout and cluster changes. Every answer and
 * event is checked against its schema in shared/src/api/.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterView } from '../../shared/src/api/clusters.js';
import { STREAM_EVENTS } from '../../shared/src/api/event-stream.js';
import type { StreamEventData, StreamEventName } from '../../shared/src/api/event-stream.js';
import type { RolloutDetail } from '../../shared/src/api/rollouts.js';
import { API_ROUTES } from '../../shared/src/api/routes.js';
import { SseParser } from '../../hub/src/fleetctl/sse.js';
import type { SseEvent } from '../../hub/src/fleetctl/sse.js';
import { startRolloutFleet } from '../support/rollout-fleet.js';
import type { RolloutFleet } from '../support/rollout-fleet.js';
import { makeTempDir } from '../support/temp-dir.js';

const CLUSTERS = { 'store-0': { ring: 'canary' }, 'store-1': { ring: 'main' }, 'store-2': { ring: 'main' } };
const IDS = Object.keys(CLUSTERS);

/** The schema of the answer of `method path` (a concrete path), from the route catalogue. */
function answerSchema(method: string, path: string) {
  const bare = path.split('?')[0]!;
  const route = API_ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
  if (!route) throw new Error(`no route ${method} ${bare} in the catalogue`);
  return route.response;
}

describe('operator API with a real fleet', () => {
  const temp = makeTempDir('e2e-api');
  let fleet: RolloutFleet;
  let viewer: string;
  let operator: string;
  let release1: string;

  const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const response = await fetch(`${fleet.hub.httpUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json: unknown = await response.json();
    if (response.ok) expect(answerSchema(method, path).safeParse(json).error, `${method} ${path}`).toBeUndefined();
    return { status: response.status, body: json as Record<string, unknown> & { error?: { kind: string; message: string } } };
  };

  /** An open event stream collecting what it receives; resolves once the hub subscribed it. */
  const openStream = async (token: string) => {
    const controller = new AbortController();
    const response = await fetch(`${fleet.hub.httpUrl}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: SseEvent[] = [];
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const done = (async () => {
      for await (const chunk of response.body!) events.push(...parser.push(decoder.decode(chunk as Uint8Array, { stream: true })));
    })().catch(() => undefined);
    return {
      events,
      of: <N extends StreamEventName>(name: N) => events.filter((e) => e.event === name).map((e) => STREAM_EVENTS[name].parse(JSON.parse(e.data)) as StreamEventData<N>),
      close: async () => {
        controller.abort();
        await done;
      },
    };
  };

  beforeAll(async () => {
    fleet = await startRolloutFleet(temp.dir, CLUSTERS);
    release1 = await fleet.commitRelease(1);
    viewer = await fleet.hub.createApiToken('viewer', 'viewer');
    operator = await fleet.hub.createApiToken('alice', 'operator');
    await vi.waitFor(async () => expect((await call('GET', '/api/v1/clusters?presence=online', viewer)).body['items']).toHaveLength(3), { timeout: 20_000, interval: 100 });
  }, 60_000);

  afterAll(async () => {
    await fleet?.close();
    temp.remove();
  });

  it('answers 401 without or with a wrong token and 403 to a viewer changing anything', async () => {
    expect((await call('GET', '/healthz', undefined)).status).toBe(200);
    expect((await call('GET', '/api/v1/fleet', undefined)).status).toBe(401);
    expect((await call('GET', '/api/v1/fleet', `${operator}x`)).status).toBe(401);
    expect((await call('GET', '/api/v1/stream', undefined)).status).toBe(401);
    const forbidden = await call('POST', '/api/v1/rollouts', viewer, { revision: 'main', waves: [{ name: 'all' }] });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toEqual({ kind: 'forbidden', message: 'token viewer has role viewer: POST requests need an operator token' });
    expect((await call('GET', '/api/v1/fleet', viewer)).status).toBe(200);
  });

  it('refuses invalid plans (400) and unknown branches (404)', async () => {
    const invalid = await call('POST', '/api/v1/rollouts', operator, { revision: 'main', waves: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.message).toMatch(/^invalid rollout plan: waves/);
    const unknown = await call('POST', '/api/v1/rollouts', operator, { revision: 'no-such-branch', waves: [{ name: 'all' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toMatch(/has no branch or tag "no-such-branch"/);
    const notJson = await fetch(`${fleet.hub.httpUrl}/api/v1/rollouts`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { kind: string } }).error.kind).toBe('validation');
  });

  it('runs a rollout through the API, streams its progress and audits the operator', { timeout: 60_000 }, async () => {
    const stream = await openStream(viewer);
    try {
      const created = await call('POST', '/api/v1/rollouts', operator, {
        revision: 'main',
        waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'rest', percent: 100, requireApproval: true }],
        progressDeadline: '20s',
      });
      expect(created.status).toBe(201);
      const rollout = created.body['rollout'] as RolloutDetail;
      expect(rollout).toMatchObject({ revision: release1, status: 'running', waves: [{ name: 'canary', clusters: 1 }, { name: 'rest', clusters: 2 }] });
      expect(rollout.clusters.map((c) => c.id)).toEqual(IDS);
      expect(created.body['unassigned']).toEqual([]);
      const path = `/api/v1/rollouts/${rollout.id}`;

      await expect.poll(async () => ((await call('GET', path, viewer)).body as unknown as RolloutDetail).status, { timeout: 30_000, interval: 200 }).toBe('awaitingApproval');
      expect((await call('POST', `${path}/resume`, operator)).status).toBe(409);
      expect((await call('POST', `${path}/approve`, viewer)).status).toBe(403);
      const approved = await call('POST', `${path}/approve`, operator);
      expect(approved.status).toBe(200);
      expect((approved.body as unknown as RolloutDetail).status).toBe('running');
      await expect.poll(async () => ((await call('GET', path, viewer)).body as unknown as RolloutDetail).status, { timeout: 30_000, interval: 200 }).toBe('succeeded');

      const conflict = await call('POST', `${path}/pause`, operator);
      expect(conflict.status).toBe(409);
      expect(conflict.body.error?.kind).toBe('conflict');
      expect((await call('POST', '/api/v1/rollouts/r-nope/pause', operator)).status).toBe(404);
      expect((await call('GET', '/api/v1/rollouts/r-nope', viewer)).status).toBe(404);

      const listed = await call('GET', '/api/v1/rollouts?status=succeeded', viewer);
      expect(listed.body['items']).toEqual([expect.objectContaining({ id: rollout.id, status: 'succeeded', origin: { by: 'operator', name: 'alice' } })]);
      expect((await call('GET', '/api/v1/rollouts?status=weird', viewer)).status).toBe(400);

      const audit = await call('GET', `/api/v1/audit?rollout=${rollout.id}`, viewer);
      const entries = audit.body['items'] as { id: number; action: string; message: string }[];
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['created', 'operator:approve']));
      expect(entries.find((e) => e.action === 'operator:approve')?.message).toMatch(/alice/);
      const after = await call('GET', `/api/v1/audit?rollout=${rollout.id}&after=${entries[0]!.id}&limit=1`, viewer);
      expect(after.body['items']).toEqual([entries[1]]);
      expect((await call('GET', '/api/v1/audit?limit=0', viewer)).status).toBe(400);

      // Progress arrived as events without the per-cluster list, ending in the final status.
      await expect.poll(() => stream.of('rollout').filter((e) => e.id === rollout.id).map((e) => e.status).at(-1), { timeout: 5_000 }).toBe('succeeded');
      const events = stream.of('rollout');
      expect(events.map((e) => e.status)).toEqual(expect.arrayContaining(['running', 'awaitingApproval', 'succeeded']));
      expect(events.every((e) => !('clusters' in e))).toBe(true);
      // Each cluster's new status was streamed after ingest committed it.
      await expect.poll(() => new Set(stream.of('cluster').filter((c) => c.status?.appliedRevision === release1).map((c) => c.id)), { timeout: 5_000 }).toEqual(new Set(IDS));
    } finally {
      await stream.close();
    }
  });

  it('summarizes the fleet and shows a cluster with its events', async () => {
    const summary = await call('GET', '/api/v1/fleet', viewer);
    expect(summary.body).toMatchObject({ total: 3, online: 3, offline: 0, revisions: { [release1]: 3 }, health: { Healthy: 3 }, drifted: 0, activeRollouts: 0 });
    const one = await call('GET', '/api/v1/clusters/store-1', viewer);
    expect(one.body).toMatchObject({ id: 'store-1', presence: 'online', status: { appliedRevision: release1 } });
    expect((one.body['events'] as unknown[]).length).toBeGreaterThan(0);
    expect((await call('GET', '/api/v1/clusters/store-9', viewer)).status).toBe(404);
  });

  it('sets labels (operator), streams the change, and filters by the new labels', async () => {
    const stream = await openStream(viewer);
    try {
      const set = await call('PUT', '/api/v1/clusters/store-2/labels', operator, { labels: { ring: 'main', zone: 'b' } });
      expect(set.status).toBe(200);
      expect(set.body['labels']).toEqual({ ring: 'main', zone: 'b' });
      await expect.poll(() => stream.of('cluster').some((c) => c.id === 'store-2' && c.labels['zone'] === 'b'), { timeout: 5_000 }).toBe(true);
      const selected = await call('GET', `/api/v1/clusters?selector=${encodeURIComponent('ring=main,zone')}`, viewer);
      expect((selected.body['items'] as ClusterView[]).map((c) => c.id)).toEqual(['store-2']);
      expect((await call('PUT', '/api/v1/clusters/store-2/labels', operator, { labels: { zone: 'b c' } })).status).toBe(400);
    } finally {
      await stream.close();
    }
  });
});
