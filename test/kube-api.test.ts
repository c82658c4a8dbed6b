/**
 * The simulated Kubernetes API at the HTTP level: discovery, the Status objects errors come back
 * as, the request forms clients other than the agent use, and clusters kept apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/src/time/clock.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('simulated Kubernetes API over HTTP', () => {
  let server: KubeApiServer;
  const clock = new ManualClock(Date.parse('2025-06-01T08:00:00Z'));

  beforeAll(async () => {
    server = await startKubeApiServer({ clock, maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await server.close();
  });

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<Answer> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': contentType, accept, 'user-agent': 'kube-api-test/1.0' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('serves version and legacy discovery, including the scale subresource', async () => {
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).body['groups'] as { name: string; preferredVersion: { groupVersion: string } }[];
    expect(groups.map((g) => g.preferredVersion.groupVersion)).toEqual(
      expect.arrayContaining(['apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'autoscaling/v2', 'apiextensions.k8s.io/v1']),
    );
    const apps = await call('GET', '/apis/apps/v1');
    expect(apps.body).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    const resources = apps.body['resources'] as Record<string, unknown>[];
    expect(resources).toContainEqual(expect.objectContaining({ name: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] }));
    expect(resources).toContainEqual(expect.objectContaining({ name: 'deployments/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }));
    expect((await call('GET', '/apis/nope.example.com/v1')).status).toBe(404);
    expect((await call('GET', '/openapi/v2')).status).toBe(404);
  });

  it('creates with POST, refuses a duplicate, and replaces with PUT', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', cm('posted', { a: '1' }));
    expect(created.status).toBe(201);
    expect(created.body['metadata']).toMatchObject({ managedFields: [{ manager: 'kube-api-test', operation: 'Update' }] });
    const duplicate = await call('POST', '/api/v1/namespaces/default/configmaps', cm('posted'));
    expect(duplicate).toEqual({
      status: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'configmaps "posted" already exists',
        reason: 'AlreadyExists',
        details: { name: 'posted', group: '', kind: 'configmaps' },
        code: 409,
      },
    });
    const replaced = await call('PUT', '/api/v1/namespaces/default/configmaps/posted', cm('posted', { a: '2' }));
    expect([replaced.status, replaced.body['data']]).toEqual([200, { a: '2' }]);
    const wrongName = await call('PUT', '/api/v1/namespaces/default/configmaps/posted', cm('other'));
    expect([wrongName.status, wrongName.body['reason']]).toEqual([400, 'BadRequest']);
  });

  it('applies YAML bodies, requires a field manager, and honours dryRun=All', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  greeting: hello\n';
    const path = '/api/v1/namespaces/default/configmaps/from-yaml';
    const missing = await call('PATCH', path, yaml, 'application/apply-patch+yaml');
    expect([missing.status, missing.body['reason']]).toEqual([400, 'BadRequest']);
    const dry = await call('PATCH', `${path}?fieldManager=t&dryRun=All`, yaml, 'application/apply-patch+yaml');
    expect(dry.status).toBe(201);
    expect((await call('GET', path)).status).toBe(404);
    const applied = await call('PATCH', `${path}?fieldManager=t`, yaml, 'application/apply-patch+yaml');
    expect([applied.status, applied.body['data']]).toEqual([201, { greeting: 'hello' }]);
    const unsupported = await call('PATCH', path, '{}', 'text/plain');
    expect([unsupported.status, unsupported.body['reason']]).toEqual([415, 'UnsupportedMediaType']);
  });

  it('answers invalid objects with 422 and its causes', async () => {
    const invalid = await call('PATCH', '/api/v1/namespaces/default/configmaps/Bad_Name?fieldManager=t', cm('Bad_Name'), 'application/apply-patch+yaml');
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, details: { name: 'Bad_Name', kind: 'ConfigMap', causes: [{ field: 'metadata.name' }] } });
  });

  it('refuses bodies over the size bound with 413', async () => {
    const big = cm('big', { blob: 'x'.repeat(100 * 1024) });
    const answer = await call('POST', '/api/v1/namespaces/default/configmaps', big);
    expect([answer.status, answer.body['reason']]).toEqual([413, 'RequestEntityTooLarge']);
  });

  it('lists as a typed list, a Table, or filtered by label and field selectors', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('listed'), metadata: { name: 'listed', labels: { app: 'web' } } });
    clock.advance(90_000);
    const list = await call('GET', '/api/v1/configmaps?labelSelector=app%3Dweb');
    expect(list.body).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    expect((list.body['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual(['listed']);
    const byName = await call('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dposted');
    expect((byName.body['items'] as unknown[]).length).toBe(1);
    expect((await call('GET', '/api/v1/configmaps?fieldSelector=metadata.name')).status).toBe(400);
    expect((await call('GET', '/api/v1/configmaps?labelSelector=a%20in%20(')).status).toBe(400);
    const table = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb', undefined, 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    expect(table.body).toMatchObject({ kind: 'Table', rows: [{ cells: ['listed', '90s'] }] });
  });

  it('deletes with a Success Status, and 404 after', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('gone'));
    const deleted = await call('DELETE', '/api/v1/namespaces/default/configmaps/gone');
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps' } });
    const again = await call('DELETE', '/api/v1/namespaces/default/configmaps/gone');
    expect(again).toMatchObject({ status: 404, body: { reason: 'NotFound', message: 'configmaps "gone" not found' } });
  });

  it('keeps clusters apart, each created on first use', async () => {
    await call('POST', '/clusters/east/api/v1/namespaces/default/configmaps', cm('only-east'));
    expect((await call('GET', '/clusters/east/api/v1/namespaces/default/configmaps/only-east')).status).toBe(200);
    expect((await call('GET', '/clusters/west/api/v1/namespaces/default/configmaps/only-east')).status).toBe(404);
    expect(await server.cluster('east').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'only-east', namespace: 'default' })).toBeDefined();
    expect(server.clusterUrl('east')).toBe(`${server.url}/clusters/east`);
  });
});
