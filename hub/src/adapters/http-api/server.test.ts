import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenVerifier, createApiToken } from '../../access/api-tokens.js';
import { ClusterChanges } from '../../ingest/cluster-changes.js';
import { openHubDatabase } from '../store/hub-database.js';
import { SqliteApiTokenStore } from '../store/sqlite-api-token-store.js';
import { SqliteFleetStore } from '../store/sqlite-fleet-store.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { buildHttpApi } from './server.js';

describe('operator HTTP API (no rollouts)', () => {
  const db = openHubDatabase(':memory:');
  const store = new SqliteFleetStore(db);
  const tokenStore = new SqliteApiTokenStore(db);
  const routes: RouteOptions[] = [];
  const api = buildHttpApi({ store, tokens: new ApiTokenVerifier(tokenStore), clusterChanges: new ClusterChanges(store), rollouts: undefined, onRoute: (r) => routes.push(r) });
  let viewer: string;
  let operator: string;
  const call = (method: 'GET' | 'PUT' | 'POST', url: string, token?: string, payload?: unknown) =>
    api.inject({ method, url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });

  beforeAll(async () => {
    viewer = await createApiToken(tokenStore, 'ci-viewer', 'viewer', new Date());
    operator = await createApiToken(tokenStore, 'alice', 'operator', new Date());
    store.registerCluster('store-1', { region: 'eu' }, 'secret-hash', new Date('2026-11-22T00:00:00Z'));
    store.registerCluster('store-2', { region: 'us' }, 'secret-hash', new Date('2026-11-22T00:00:00Z'));
    store.setPresence('store-1', 'online', '0.1.0', new Date('2026-11-22T00:01:00Z'));
  });
  afterAll(() => store.close());

  it('keeps /healthz open and every /api/v1 route behind a bearer token', async () => {
    expect((await call('GET', '/healthz')).statusCode).toBe(200);
    const none = await call('GET', '/api/v1/clusters');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error.kind).toBe('unauthorized');
    expect(none.json().error.message).toMatch(/Authorization: Bearer/);
    expect((await call('GET', '/api/v1/clusters', `${viewer}x`)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/clusters', 'nobody.abc')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/clusters', viewer)).statusCode).toBe(200);
  });

  it('refuses a token name that exists, and invalid names', async () => {
    await expect(createApiToken(tokenStore, 'alice', 'viewer', new Date())).rejects.toThrow(/exists already/);
    await expect(createApiToken(tokenStore, 'Bad Name', 'viewer', new Date())).rejects.toThrow(/invalid token name/);
  });

  it('filters clusters by selector and presence, and never shows token hashes', async () => {
    const byRegion = await call('GET', `/api/v1/clusters?selector=${encodeURIComponent('region in (eu)')}`, viewer);
    expect(byRegion.json().items.map((c: { id: string }) => c.id)).toEqual(['store-1']);
    const offline = await call('GET', '/api/v1/clusters?presence=online', viewer);
    expect(offline.json().items.map((c: { id: string }) => c.id)).toEqual(['store-1']);
    expect(JSON.stringify(byRegion.json())).not.toContain('secret-hash');
    const bad = await call('GET', '/api/v1/clusters?selector=a%20in%20(', viewer);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.kind).toBe('validation');
    const maybe = await call('GET', '/api/v1/clusters?presence=maybe', viewer);
    expect(maybe.statusCode).toBe(400);
    expect(maybe.json().error).toEqual({ kind: 'validation', message: 'query parameter presence must be online or offline, got "maybe"' });
  });

  it('shows a cluster with its events, and 404 for an unknown one', async () => {
    const one = await call('GET', '/api/v1/clusters/store-1', viewer);
    expect(one.json()).toMatchObject({ id: 'store-1', presence: 'online', events: [] });
    const missing = await call('GET', '/api/v1/clusters/nope', viewer);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { kind: 'not-found', message: 'cluster nope is not registered' } });
  });

  it('sets labels for operators only, validated like Kubernetes labels', async () => {
    const forbidden = await call('PUT', '/api/v1/clusters/store-1/labels', viewer, { labels: { tier: 'canary' } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.message).toMatch(/ci-viewer has role viewer/);
    const set = await call('PUT', '/api/v1/clusters/store-1/labels', operator, { labels: { region: 'eu', tier: 'canary' } });
    expect(set.statusCode).toBe(200);
    expect(store.getCluster('store-1')?.labels).toEqual({ region: 'eu', tier: 'canary' });
    expect((await call('PUT', '/api/v1/clusters/store-1/labels', operator, { labels: { 'bad key!': 'x' } })).statusCode).toBe(400);
    expect((await call('PUT', '/api/v1/clusters/store-1/labels', operator, { labels: { ok: 'not ok' } })).statusCode).toBe(400);
    expect((await call('PUT', '/api/v1/clusters/store-1/labels', operator, { tier: 'x' })).statusCode).toBe(400);
    expect((await call('PUT', '/api/v1/clusters/nope/labels', operator, { labels: {} })).statusCode).toBe(404);
  });

  it('summarizes the fleet', async () => {
    expect((await call('GET', '/api/v1/fleet', viewer)).json()).toEqual({
      total: 2, online: 1, offline: 0, unknown: 1, health: { None: 2 }, revisions: { none: 2 }, drifted: 0, activeRollouts: 0,
    });
  });

  it('answers 503 for rollouts when the hub cannot direct clusters', async () => {
    for (const [method, url] of [['GET', '/api/v1/rollouts'], ['GET', '/api/v1/rollouts/r-1'], ['GET', '/api/v1/audit'], ['POST', '/api/v1/rollouts/r-1/pause']] as const) {
      const response = await call(method, url, operator);
      expect(response.statusCode, url).toBe(503);
      expect(response.json().error.kind).toBe('unavailable');
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await call('GET', '/api/v1/nothing', viewer);
    expect(response.statusCode).toBe(404);
    expect(response.json().error.kind).toBe('not-found');
  });

  it('describes every registered route in its OpenAPI document', async () => {
    const served = await call('GET', '/api/v1/openapi.json', viewer);
    expect(served.json()).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
    const paths = OPENAPI_DOCUMENT.paths as Record<string, Record<string, unknown>>;
    const registered = routes.flatMap((r) => [r.method].flat().filter((m) => m !== 'HEAD').map((m) => [m.toLowerCase(), r.url!.replace(/:(\w+)/g, '{$1}')] as const));
    expect(registered.length).toBeGreaterThan(10);
    for (const [method, path] of registered) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const documented = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(registered.map(([m, p]) => `${m} ${p}`).sort());
  });
});

describe('event stream', () => {
  it('sends keepalives and cluster changes, and drops its listeners when the client goes away', async () => {
    const db = openHubDatabase(':memory:');
    const store = new SqliteFleetStore(db);
    const tokenStore = new SqliteApiTokenStore(db);
    const clusterChanges = new ClusterChanges(store);
    const api = buildHttpApi({ store, tokens: new ApiTokenVerifier(tokenStore), clusterChanges, rollouts: undefined, keepaliveMs: 20 });
    await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const token = await createApiToken(tokenStore, 'watcher', 'viewer', new Date());
      store.registerCluster('store-1', {}, 'hash', new Date());
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${(api.server.address() as { port: number }).port}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
      expect(clusterChanges.listenerCount).toBe(1);
      clusterChanges.emit(['store-1', 'store-1', 'unknown']);
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes(': keepalive')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/^: connected\n\nevent: cluster\ndata: \{"id":"store-1",[^\n]*\n\n: keepalive\n\n/);
      controller.abort();
      await expect.poll(() => clusterChanges.listenerCount).toBe(0);
    } finally {
      await api.close();
      store.close();
    }
  });

  it('ends open streams when the server closes', async () => {
    const db = openHubDatabase(':memory:');
    const store = new SqliteFleetStore(db);
    const tokenStore = new SqliteApiTokenStore(db);
    const api = buildHttpApi({ store, tokens: new ApiTokenVerifier(tokenStore), clusterChanges: new ClusterChanges(store), rollouts: undefined });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const token = await createApiToken(tokenStore, 'watcher', 'viewer', new Date());
    const response = await fetch(`http://127.0.0.1:${(api.server.address() as { port: number }).port}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
    const drained = response.text();
    await api.close();
    expect(await drained).toBe(': connected\n\n');
    store.close();
  });
});
