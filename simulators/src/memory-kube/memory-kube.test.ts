import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../../../agent/src/ports/kube.js';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { ManualClock } from '../../../shared/src/time/clock.js';
import { MemoryKube, PatchType } from './memory-kube.js';
import { KubeStatusError } from './status-error.js';


const cm = (name: string, data: Record<string, string>, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

async function rejection(promise: Promise<unknown>): Promise<KubeStatusError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KubeStatusError)) throw new Error(`expected a KubeStatusError, got ${String(error)}`);
  return error;
}

describe('MemoryKube', () => {
  it('starts with the default namespaces, Active, stamped by the injected clock', async () => {
    const kube = new MemoryKube({ clock: new ManualClock(Date.parse('2024-03-01T12:00:00Z')), newUid: () => 'uid-1' });
    const namespaces = await kube.list('v1', 'Namespace');
    expect(namespaces.map((n) => n.metadata.name)).toEqual(['default', 'kube-public', 'kube-system']);
    expect(namespaces[0]).toMatchObject({ status: { phase: 'Active' }, metadata: { uid: 'uid-1', creationTimestamp: '2024-03-01T12:00:00Z' } });
  });

  it('creates with POST semantics and refuses a second create', async () => {
    const kube = new MemoryKube();
    const created = await kube.create(cm('a', { k: 'v' }), { fieldManager: 'kubectl-create' });
    expect(created.metadata.managedFields?.[0]).toMatchObject({ manager: 'kubectl-create', operation: 'Update' });
    const error = await rejection(kube.create(cm('a', { k: 'v' })));
    expect([error.code, error.reason, error.message]).toEqual([409, 'AlreadyExists', 'configmaps "a" already exists']);
  });

  it('replaces with PUT semantics, checking a given resourceVersion', async () => {
    const kube = new MemoryKube();
    const created = await kube.create(cm('a', { k: 'v' }));
    const replaced = await kube.update({ ...cm('a', { k: 'w' }), metadata: { ...created.metadata } });
    expect(replaced['data']).toEqual({ k: 'w' });
    const stale = await rejection(kube.update({ ...cm('a', { k: 'x' }), metadata: { name: 'a', resourceVersion: created.metadata.resourceVersion } }));
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect((await rejection(kube.update(cm('b', {})))).code).toBe(404);
  });

  it('patches with merge, strategic and JSON patches, and a patch-owned field then conflicts with apply', async () => {
    const kube = new MemoryKube();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' };
    await kube.apply(cm('a', { k: 'v', keep: '1' }), { fieldManager: 'agent' });
    await kube.patch(ref, PatchType.merge, { data: { k: 'edited' } }, { fieldManager: 'kubectl-edit' });
    await kube.patch(ref, PatchType.json, [{ op: 'add', path: '/data/extra', value: 'x' }], { fieldManager: 'kubectl-patch' });
    expect((await kube.get(ref))?.['data']).toEqual({ k: 'edited', keep: '1', extra: 'x' });
    const conflict = await rejection(kube.apply(cm('a', { k: 'v', keep: '1' }), { fieldManager: 'agent' }));
    expect(conflict.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.k');
    expect(conflict.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1', field: '.data.k' }]);
    const bad = await rejection(kube.patch(ref, PatchType.json, [{ op: 'remove', path: '/nope' }]));
    expect(bad.code).toBe(422);
  });

  it('keeps status out of writes to the main resource and lets controllers set it', async () => {
    const kube = new MemoryKube();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' };
    const created = await kube.apply({ ...cm('a', {}), status: { fake: true } }, { fieldManager: 'agent' });
    expect(created['status']).toBeUndefined();
    const withStatus = await kube.updateStatus(ref, { ready: true });
    expect(withStatus.metadata.generation).toBe(1);
    expect(Number(withStatus.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect((await kube.apply(cm('a', { k: 'v' }), { fieldManager: 'agent' }))['status']).toEqual({ ready: true });
  });

  it('deletes what a namespace holds with it, and protects the default namespaces', async () => {
    const kube = new MemoryKube();
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, { fieldManager: 'agent' });
    await kube.apply(cm('a', {}, 'shop'), { fieldManager: 'agent' });
    expect(await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).toBe(true);
    expect(await kube.list('v1', 'ConfigMap', { namespace: 'shop' })).toEqual([]);
    const error = await rejection(kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' }));
    expect(error.code).toBe(403);
  });

  it('serves the kinds a CustomResourceDefinition defines, Established at once, until it is deleted', async () => {
    const kube = new MemoryKube();
    const crd: KubeObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: ['wd'] },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
      },
    };
    const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { list: [{ name: 'a' }] } };
    expect((await rejection(kube.apply(widget, { fieldManager: 'agent' }))).code).toBe(404);
    const stored = await kube.apply(crd, { fieldManager: 'agent' });
    expect(stored['status']).toMatchObject({ conditions: [{ type: 'NamesAccepted' }, { type: 'Established', status: 'True' }] });
    const created = await kube.apply(widget, { fieldManager: 'agent' });
    // Custom kinds have no schema here: their lists are atomic.
    expect(created.metadata.managedFields?.[0]?.fieldsV1).toEqual({ 'f:spec': { 'f:list': {} } });
    expect(kube.catalogue.byKind('example.com/v1', 'Widget')).toMatchObject({ plural: 'widgets', namespaced: true, subresources: ['status'] });
    await kube.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.example.com' });
    expect(kube.catalogue.byKind('example.com/v1', 'Widget')).toBeUndefined();
  });

  it('explains invalid objects field by field', async () => {
    const kube = new MemoryKube();
    const error = await rejection(kube.apply(cm('Bad_Name', {}), { fieldManager: 'agent' }));
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(error.details?.causes?.[0]?.field).toBe('metadata.name');
    const missing = await rejection(kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } as unknown as KubeObject, { fieldManager: 'agent' }));
    expect(missing.message).toBe('ConfigMap "" is invalid: metadata.name: Required value');
  });
});
