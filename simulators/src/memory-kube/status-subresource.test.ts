import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { MemoryKube, PatchType } from './memory-kube.js';

const AGENT = { fieldManager: 'agent' };
const deployment = (replicas: number, status?: unknown): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  ...(status !== undefined ? { status } : {}),
});
const webRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'default' };

const crd = (name: string, kind: string, plural: string, withStatus: boolean): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.example.com` },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind, plural, singular: name },
    versions: [{ name: 'v1', served: true, storage: true, ...(withStatus ? { subresources: { status: {} } } : {}) }],
  },
});

describe('MemoryKube status subresource', () => {
  it('changes only the status, leaving generation alone, and records the writer for status', async () => {
    const kube = new MemoryKube();
    const created = await kube.apply(deployment(2), AGENT);
    const updated = await kube.updateStatus(webRef, { observedGeneration: 1, replicas: 2 }, { fieldManager: 'kube-controller-manager' });
    expect(updated.metadata.generation).toBe(1);
    expect(updated['spec']).toEqual(created['spec']);
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect(updated.metadata.managedFields?.find((e) => e.manager === 'kube-controller-manager')).toMatchObject({
      operation: 'Update',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } },
    });
    // The same status again is no write at all.
    const again = await kube.updateStatus(webRef, { observedGeneration: 1, replicas: 2 }, { fieldManager: 'kube-controller-manager' });
    expect(again.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
    // A stale resourceVersion is refused.
    await expect(kube.updateStatus(webRef, {}, { resourceVersion: created.metadata.resourceVersion ?? '' })).rejects.toMatchObject({ code: 409 });
    // Dry run stores nothing.
    expect((await kube.updateStatus(webRef, { replicas: 9 }, { dryRun: true }))['status']).toEqual({ replicas: 9 });
    expect((await kube.get(webRef))?.['status']).toEqual({ observedGeneration: 1, replicas: 2 });
  });

  it('ignores status in applies, replaces and patches of the main resource of a built-in kind', async () => {
    const kube = new MemoryKube();
    await kube.apply(deployment(1, { replicas: 99 }), AGENT);
    expect((await kube.get(webRef))?.['status']).toBeUndefined();
    await kube.updateStatus(webRef, { replicas: 1 });
    await kube.apply(deployment(1, { replicas: 99 }), AGENT);
    await kube.patch(webRef, PatchType.merge, { status: { replicas: 42 } });
    const live = await kube.get(webRef);
    await kube.update({ ...deployment(1, { replicas: 7 }), metadata: { ...(live?.metadata ?? { name: 'web' }) } });
    expect((await kube.get(webRef))?.['status']).toEqual({ replicas: 1 });
    expect((await kube.get(webRef))?.metadata.generation).toBe(1);
  });

  it('keeps status in the main resource of a custom kind without a status subresource', async () => {
    const kube = new MemoryKube();
    await kube.apply(crd('gadget', 'Gadget', 'gadgets', false), AGENT);
    await kube.apply(crd('widget', 'Widget', 'widgets', true), AGENT);
    const gadget = await kube.apply({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { a: 1 }, status: { phase: 'Set' } }, AGENT);
    expect(gadget['status']).toEqual({ phase: 'Set' });
    const regadget = await kube.patch({ apiVersion: 'example.com/v1', kind: 'Gadget', name: 'g', namespace: 'default' }, PatchType.merge, { status: { phase: 'Changed' } });
    expect([regadget['status'], regadget.metadata.generation]).toEqual([{ phase: 'Changed' }, 2]);
    const widget = await kube.apply({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: 1 }, status: { phase: 'Set' } }, AGENT);
    expect(widget['status']).toBeUndefined();
  });
});
