import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import { MemoryKube, PatchType } from './memory-kube.js';
import type { WatchEvent } from './watch-hub.js';

const AGENT = { fieldManager: 'agent' };
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data,
});
const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });

/** Events as `TYPE name`, collected until `stop()`. */
function record(kube: MemoryKube, options: Parameters<MemoryKube['watch']>[2] = {}) {
  const events: WatchEvent[] = [];
  const stop = kube.watch('v1', 'ConfigMap', options, (event) => events.push(event));
  const seen = () => events.map((e) => (e.type === 'ERROR' ? `ERROR ${e.object.code}` : `${e.type} ${e.object.metadata.name}`));
  return { events, stop, seen };
}

describe('MemoryKube watch', () => {
  it('starts with the existing objects as ADDED, then follows changes in order until stopped', async () => {
    const kube = new MemoryKube();
    await kube.apply(cm('before'), AGENT);
    const watch = record(kube);
    await kube.apply(cm('after'), AGENT);
    await kube.apply(cm('after', {}, { k: 'v' }), AGENT);
    await kube.apply(cm('after', {}, { k: 'v' }), AGENT); // no change, no event
    await kube.delete(ref('before'));
    watch.stop();
    await kube.apply(cm('unseen'), AGENT);
    expect(watch.seen()).toEqual(['ADDED before', 'ADDED after', 'MODIFIED after', 'DELETED before']);
    const versions = watch.events.map((e) => Number((e.object as KubeObject).metadata.resourceVersion));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    // The deletion is an event of its own, with a newer resourceVersion than the object had.
    expect(versions[3]).toBe(Number(kube.resourceVersion()) - 1);
  });

  it('resumes after a resourceVersion, and only for its kind and namespace', async () => {
    const kube = new MemoryKube();
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }, AGENT);
    await kube.apply(cm('old'), AGENT);
    const from = kube.resourceVersion();
    await kube.apply(cm('new'), AGENT);
    await kube.apply({ ...cm('elsewhere'), metadata: { name: 'elsewhere', namespace: 'other' } }, AGENT);
    await kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } }, AGENT);
    const watch = record(kube, { namespace: 'default', resourceVersion: from });
    expect(watch.seen()).toEqual(['ADDED new']);
    watch.stop();
  });

  it('reports objects entering and leaving a label selector as ADDED and DELETED', async () => {
    const kube = new MemoryKube();
    const watch = record(kube, { labelSelector: 'app=web' });
    await kube.apply(cm('a', { app: 'db' }), AGENT);
    await kube.apply(cm('a', { app: 'web' }), AGENT);
    await kube.apply(cm('a', { app: 'web', tier: 'front' }), AGENT);
    await kube.apply(cm('a', { app: 'db' }), AGENT);
    expect(watch.seen()).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    watch.stop();
  });

  it('answers a resourceVersion older than the kept history with one 410 Expired ERROR', async () => {
    const kube = new MemoryKube({ watchHistory: 3 });
    const from = kube.resourceVersion();
    for (const name of ['a', 'b', 'c', 'd']) await kube.apply(cm(name), AGENT);
    const watch = record(kube, { resourceVersion: from });
    expect(watch.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', reason: 'Expired', code: 410, message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) }) },
    ]);
    await kube.apply(cm('e'), AGENT);
    expect(watch.events).toHaveLength(1);
    // Within the history, catching up still works.
    expect(record(kube, { resourceVersion: String(Number(kube.resourceVersion()) - 2) }).seen()).toEqual(['ADDED d', 'ADDED e']);
  });

  it('hands a change made by a watcher to everyone after the change that caused it', async () => {
    const kube = new MemoryKube();
    // A "controller" that labels every new ConfigMap from inside its event handler.
    kube.watch('v1', 'ConfigMap', {}, (event) => {
      if (event.type === 'ADDED') void kube.patch(ref(event.object.metadata.name), PatchType.merge, { metadata: { labels: { seen: 'yes' } } });
    });
    const watch = record(kube);
    await kube.apply(cm('x'), AGENT);
    expect(watch.seen()).toEqual(['ADDED x', 'MODIFIED x']);
    expect((watch.events[1]?.object as KubeObject).metadata.labels).toEqual({ seen: 'yes' });
  });

  it('refuses a malformed selector or resourceVersion', () => {
    const kube = new MemoryKube();
    expect(() => kube.watch('v1', 'ConfigMap', { labelSelector: 'a in (' }, () => {})).toThrow(/./);
    expect(() => kube.watch('v1', 'ConfigMap', { resourceVersion: 'abc' }, () => {})).toThrow(/invalid resource version/);
    expect(() => kube.watch('example.com/v1', 'Widget', {}, () => {})).toThrow(/no matches for kind/);
  });
});
