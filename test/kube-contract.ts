import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApiError } from '../agent/src/ports/kube.js';
import type { KubeClient } from '../agent/src/ports/kube.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';

export interface KubeFixture {
  kube: KubeClient;
  teardown(): Promise<void>;
}

const AGENT = { fieldManager: 'edge-agent' };

const namespace = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

const configMap = (name: string, ns: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  data,
});

const deployment = (replicas: number, extra: Record<string, unknown> = {}, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    },
    ...extra,
  },
});

const ref = (object: KubeObject) => ({
  apiVersion: object.apiVersion,
  kind: object.kind,
  name: object.metadata.name,
  ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
});

async function apiError(promise: Promise<unknown>): Promise<KubeApiError> {
  const outcome: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof KubeApiError)) throw outcome instanceof Error ? outcome : new Error(String(outcome));
  return outcome;
}

/** Managers of a field of the main resource (a controller's status entry names `status.replicas` too). */
const owners = (object: KubeObject | undefined, field: string): string[] =>
  (object?.metadata.managedFields ?? [])
    .filter((entry) => entry.subresource === undefined && JSON.stringify(entry.fieldsV1).includes(`"f:${field}"`))
    .map((entry) => entry.manager);

/** The behaviour every `KubeClient` adapter must have; run once per adapter. */
export function describeKubeContract(name: string, setup: () => Promise<KubeFixture>): void {
  describe(`KubeClient contract: ${name}`, () => {
    let kube: KubeClient;
    let fixture: KubeFixture;
    beforeEach(async () => {
      fixture = await setup();
      kube = fixture.kube;
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    it('creates by apply, then updates, stamping server metadata', async () => {
      const created = await kube.apply(configMap('settings', 'default', { mode: 'a' }), AGENT);
      expect(created.metadata).toMatchObject({ name: 'settings', namespace: 'default' });
      expect(created.metadata.uid).toEqual(expect.any(String));
      expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const updated = await kube.apply(configMap('settings', 'default', { mode: 'b' }), AGENT);
      expect(updated['data']).toEqual({ mode: 'b' });
      expect(updated.metadata.uid).toBe(created.metadata.uid);
      expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
      const read = await kube.get(ref(updated));
      expect(read?.['data']).toEqual({ mode: 'b' });
      expect(read?.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    });

    it('leaves the resourceVersion alone when an apply changes nothing', async () => {
      const first = await kube.apply(configMap('same', 'default', { k: 'v' }), AGENT);
      const again = await kube.apply(configMap('same', 'default', { k: 'v' }), AGENT);
      expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    });

    it('returns undefined for a missing object', async () => {
      expect(await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'absent', namespace: 'default' })).toBeUndefined();
    });

    it('lists by label selector, in one namespace or across all', async () => {
      await kube.apply(namespace('shop-a'), AGENT);
      await kube.apply(namespace('shop-b'), AGENT);
      await kube.apply(configMap('one', 'shop-a', {}, { app: 'web', tier: 'front' }), AGENT);
      await kube.apply(configMap('two', 'shop-b', {}, { app: 'web', tier: 'back' }), AGENT);
      await kube.apply(configMap('three', 'shop-b', {}, { app: 'db' }), AGENT);
      const names = (items: KubeObject[]): string[] => items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort();
      expect(names(await kube.list('v1', 'ConfigMap', { labelSelector: 'app=web' }))).toEqual(['shop-a/one', 'shop-b/two']);
      expect(names(await kube.list('v1', 'ConfigMap', { namespace: 'shop-b', labelSelector: 'app in (web,db),tier!=front' }))).toEqual([
        'shop-b/three',
        'shop-b/two',
      ]);
      expect(names(await kube.list('v1', 'ConfigMap', { labelSelector: '!tier' }))).toEqual(['shop-b/three']);
      const items = await kube.list('v1', 'ConfigMap', { namespace: 'shop-a' });
      expect(items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
      expect((await apiError(kube.list('v1', 'ConfigMap', { labelSelector: 'app in (web' }))).code).toBe(400);
    });

    it('deletes, answering whether there was anything to delete', async () => {
      const object = await kube.apply(configMap('doomed', 'default', {}), AGENT);
      expect(await kube.delete(ref(object))).toBe(true);
      expect(await kube.get(ref(object))).toBeUndefined();
      expect(await kube.delete(ref(object))).toBe(false);
    });

    it('applies and reads cluster-scoped objects without a namespace', async () => {
      const role: KubeObject = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'edge:reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      };
      await kube.apply(role, AGENT);
      expect((await kube.get(ref(role)))?.['rules']).toEqual(role['rules']);
    });

    it('fails with 404 for a kind the cluster does not serve', async () => {
      const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' } };
      const error = await apiError(kube.apply(widget, AGENT));
      expect([error.code, error.reason]).toEqual([404, 'NotFound']);
      expect((await apiError(kube.list('example.com/v1', 'Widget'))).code).toBe(404);
    });

    it('serves a custom kind as soon as its CRD is applied', async () => {
      const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 3 } };
      await apiError(kube.apply(widget, AGENT));
      await kube.apply(
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'widgets.example.com' },
          spec: {
            group: 'example.com',
            scope: 'Namespaced',
            names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
            versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
          },
        },
        AGENT,
      );
      expect((await kube.apply(widget, AGENT))['spec']).toEqual({ size: 3 });
    });

    it('fails with 422 for an invalid object', async () => {
      const error = await apiError(kube.apply(configMap('Not_A_Name', 'default', {}), AGENT));
      expect([error.code, error.reason]).toEqual([422, 'Invalid']);
      expect(error.message).toContain('metadata.name');
    });

    it('fails with 404 when the namespace does not exist', async () => {
      const error = await apiError(kube.apply(configMap('orphan', 'nowhere', {}), AGENT));
      expect([error.code, error.reason]).toEqual([404, 'NotFound']);
      expect(error.message).toContain('nowhere');
    });

    it('refuses to take a field another manager owns, unless forced', async () => {
      await kube.apply(deployment(1), { fieldManager: 'kubectl-client-side-apply' });
      const error = await apiError(kube.apply(deployment(3), AGENT));
      expect([error.code, error.reason]).toEqual([409, 'Conflict']);
      expect(error.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');

      const forced = await kube.apply(deployment(3), { ...AGENT, force: true });
      expect(forced['spec']).toMatchObject({ replicas: 3 });
      expect(owners(forced, 'replicas')).toEqual(['edge-agent']);
      // Fields both set to the same value stay shared.
      expect(owners(forced, 'image').sort()).toEqual(['edge-agent', 'kubectl-client-side-apply']);
    });

    it('stores nothing on a dry run', async () => {
      const wouldBe = await kube.apply(configMap('draft', 'default', { k: 'v' }), { ...AGENT, dryRun: true });
      expect(wouldBe['data']).toEqual({ k: 'v' });
      expect(await kube.get(ref(wouldBe))).toBeUndefined();

      const stored = await kube.apply(configMap('draft', 'default', { k: 'v' }), AGENT);
      const changed = await kube.apply(configMap('draft', 'default', { k: 'w' }), { ...AGENT, dryRun: true });
      expect(changed['data']).toEqual({ k: 'w' });
      const read = await kube.get(ref(stored));
      expect(read?.['data']).toEqual({ k: 'v' });
      expect(read?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    });

    it('bumps generation only when the spec changes', async () => {
      const created = await kube.apply(deployment(1), AGENT);
      expect(created.metadata.generation).toBe(1);
      const relabelled = await kube.apply(deployment(1, {}, { app: 'web', team: 'shop' }), AGENT);
      expect(relabelled.metadata.generation).toBe(1);
      expect(relabelled.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
      const scaled = await kube.apply(deployment(2, {}, { app: 'web', team: 'shop' }), AGENT);
      expect(scaled.metadata.generation).toBe(2);
    });

    it('removes a field the manager no longer sets', async () => {
      await kube.apply(configMap('trim', 'default', { keep: '1', drop: '2' }, { app: 'web', old: 'x' }), AGENT);
      const trimmed = await kube.apply(configMap('trim', 'default', { keep: '1' }, { app: 'web' }), AGENT);
      expect(trimmed['data']).toEqual({ keep: '1' });
      expect(trimmed.metadata.labels).toEqual({ app: 'web' });
      expect((await kube.get(ref(trimmed)))?.['data']).toEqual({ keep: '1' });
    });

    it('keeps fields of built-in kinds it has no model for', async () => {
      const future = deployment(1, { futureField: { enabled: true } });
      (future['spec'] as { template: { spec: Record<string, unknown> } }).template.spec['futurePodField'] = 'x';
      await kube.apply(future, AGENT);
      const read = await kube.get(ref(future));
      expect(read?.['spec']).toMatchObject({ futureField: { enabled: true }, template: { spec: { futurePodField: 'x' } } });
    });
  });
}
