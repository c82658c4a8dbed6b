import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { MemoryKube, PatchType } from './memory-kube.js';
import { KubeStatusError } from './status-error.js';
import type { WatchEvent } from './watch-hub.js';

const AGENT = { fieldManager: 'agent' };
const NOW = Date.parse('2025-03-01T10:00:00Z');
const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'guarded', namespace: 'default' };
const guarded = (finalizers: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'guarded', namespace: 'default', finalizers },
  data: { k: 'v' },
});

async function failure(promise: Promise<unknown>): Promise<KubeStatusError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KubeStatusError)) throw new Error(`expected a KubeStatusError, got ${String(error)}`);
  return error;
}

describe('MemoryKube deletion with finalizers', () => {
  it('marks an object with finalizers, keeps it until the last finalizer goes, then deletes it', async () => {
    const kube = new MemoryKube({ clock: { now: () => NOW } });
    const events: WatchEvent[] = [];
    kube.watch('v1', 'ConfigMap', {}, (event) => events.push(event));
    const created = await kube.apply(guarded(['example.com/a', 'example.com/b']), AGENT);

    expect(await kube.delete(ref)).toBe(true);
    const marked = await kube.get(ref);
    expect(marked?.metadata).toMatchObject({ deletionTimestamp: '2025-03-01T10:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['example.com/a', 'example.com/b'] });
    expect(Number(marked?.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    // Deleting again changes nothing.
    expect(await kube.delete(ref)).toBe(true);
    expect((await kube.get(ref))?.metadata.resourceVersion).toBe(marked?.metadata.resourceVersion);

    // Writes go on while it is being deleted, and cannot clear the mark.
    const edited = await kube.patch(ref, PatchType.merge, { data: { k: 'w' }, metadata: { finalizers: ['example.com/b'] } });
    expect(edited.metadata).toMatchObject({ deletionTimestamp: '2025-03-01T10:00:00Z', finalizers: ['example.com/b'] });
    const added = await failure(kube.patch(ref, PatchType.merge, { metadata: { finalizers: ['example.com/b', 'example.com/c'] } }));
    expect([added.code, added.reason]).toEqual([422, 'Invalid']);
    expect(added.message).toContain('no new finalizers can be added if the object is being deleted');

    await kube.patch(ref, PatchType.json, [{ op: 'remove', path: '/metadata/finalizers' }]);
    expect(await kube.get(ref)).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  });

  it('completes the deletion when an apply or a replace drops the last finalizer', async () => {
    const kube = new MemoryKube();
    await kube.apply(guarded(['example.com/a']), AGENT);
    await kube.delete(ref);
    await kube.apply(guarded([]), AGENT);
    expect(await kube.get(ref)).toBeUndefined();

    const stored = await kube.create(guarded(['example.com/a']));
    await kube.delete(ref);
    await kube.update({ ...guarded([]), metadata: { ...guarded([]).metadata, resourceVersion: (await kube.get(ref))?.metadata.resourceVersion } });
    expect(await kube.get(ref)).toBeUndefined();
    expect(stored.metadata.deletionTimestamp).toBeUndefined();
  });

  it('lets an object without finalizers go at once, and ignores a client-sent deletionTimestamp', async () => {
    const kube = new MemoryKube();
    const sneaky = { ...guarded([]), metadata: { ...guarded([]).metadata, deletionTimestamp: '2020-01-01T00:00:00Z' } };
    expect((await kube.apply(sneaky, AGENT)).metadata.deletionTimestamp).toBeUndefined();
    expect(await kube.delete(ref)).toBe(true);
    expect(await kube.get(ref)).toBeUndefined();
  });
});
