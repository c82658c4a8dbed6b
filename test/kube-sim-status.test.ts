/**
 * The status subresource and deletion with finalizers over HTTP, as controllers and kubectl use
 * them. Controllers are off here: every status in these tests is one the test wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const deployment = (replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  ...extra,
});

const metadataOf = (answer: Answer) => answer.body['metadata'] as { generation?: number; resourceVersion?: string; deletionTimestamp?: string; finalizers?: string[] };

describe('status subresource and finalizers over HTTP', () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await startKubeApiServer({ controllers: false });
  });
  afterAll(async () => {
    await server.close();
  });

  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': contentType, 'user-agent': 'status-test/1.0' },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('lists the status subresources in discovery', async () => {
    const names = (path: string) => call('GET', path).then((a) => (a.body['resources'] as { name: string }[]).map((r) => r.name));
    expect(await names('/apis/apps/v1')).toEqual(expect.arrayContaining(['deployments/status', 'statefulsets/status', 'daemonsets/status']));
    expect(await names('/apis/batch/v1')).toContain('jobs/status');
    expect(await names('/api/v1')).toEqual(expect.arrayContaining(['services/status', 'persistentvolumeclaims/status']));
    expect(await names('/apis/apiextensions.k8s.io/v1')).toContain('customresourcedefinitions/status');
  });

  it('changes only the status through PUT, merge PATCH and apply PATCH on …/status, without a new generation', async () => {
    const created = await call('POST', DEPLOY, deployment(2, { status: { replicas: 99 } }));
    expect(created.status).toBe(201);
    expect(created.body['status']).toBeUndefined();

    const got = await call('GET', `${DEPLOY}/web/status`);
    expect(got.body).toMatchObject({ kind: 'Deployment', metadata: { name: 'web' } });
    const put = await call('PUT', `${DEPLOY}/web/status`, { ...got.body, spec: { replicas: 7 }, status: { observedGeneration: 1, replicas: 2 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ spec: { replicas: 2 }, status: { observedGeneration: 1, replicas: 2 } });
    expect(metadataOf(put).generation).toBe(1);

    const merged = await call('PATCH', `${DEPLOY}/web/status`, { status: { readyReplicas: 2 } }, 'application/merge-patch+json');
    expect(merged.body['status']).toEqual({ observedGeneration: 1, replicas: 2, readyReplicas: 2 });
    const applied = await call('PATCH', `${DEPLOY}/web/status?fieldManager=ctl&force=true`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { availableReplicas: 2 } }, 'application/apply-patch+yaml');
    expect(applied.body['status']).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
    expect(metadataOf(applied).generation).toBe(1);
    const managers = (applied.body['metadata'] as { managedFields: { manager: string; subresource?: string }[] }).managedFields;
    expect(managers).toContainEqual(expect.objectContaining({ manager: 'status-test', subresource: 'status' }));

    const stale = await call('PUT', `${DEPLOY}/web/status`, { ...got.body, status: {} });
    expect([stale.status, stale.body['reason']]).toEqual([409, 'Conflict']);
    const dry = await call('PATCH', `${DEPLOY}/web/status?dryRun=All`, { status: { replicas: 0 } }, 'application/merge-patch+json');
    expect((dry.body['status'] as { replicas: number }).replicas).toBe(0);
    expect(((await call('GET', `${DEPLOY}/web`)).body['status'] as { replicas: number }).replicas).toBe(2);
  });

  it('ignores status in writes to the main resource', async () => {
    const before = await call('GET', `${DEPLOY}/web`);
    const patched = await call('PATCH', `${DEPLOY}/web`, { status: { replicas: 1000 } }, 'application/merge-patch+json');
    expect(patched.body['status']).toEqual(before.body['status']);
    const applied = await call('PATCH', `${DEPLOY}/web?fieldManager=agent`, deployment(2, { status: { replicas: 1000 } }), 'application/apply-patch+yaml');
    expect(applied.body['status']).toEqual(before.body['status']);
    const replaced = await call('PUT', `${DEPLOY}/web`, { ...applied.body, status: { replicas: 1000 } });
    expect(replaced.body['status']).toEqual(before.body['status']);
    expect(metadataOf(replaced).generation).toBe(1);
  });

  it('keeps an object with finalizers after DELETE, marked, until the last finalizer is removed', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    await call('POST', path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const deleted = await call('DELETE', `${path}/held`);
    // Not gone yet: the answer is the object itself, marked for deletion.
    expect(deleted.status).toBe(200);
    expect(deleted.body['kind']).toBe('ConfigMap');
    expect(metadataOf(deleted)).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 0, finalizers: ['example.com/hold'] });
    expect((await call('GET', `${path}/held`)).status).toBe(200);

    const added = await call('PATCH', `${path}/held`, { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }, 'application/merge-patch+json');
    expect([added.status, added.body['reason']]).toEqual([422, 'Invalid']);

    const released = await call('PATCH', `${path}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect(released.status).toBe(200);
    expect((await call('GET', `${path}/held`)).status).toBe(404);
  });
});
