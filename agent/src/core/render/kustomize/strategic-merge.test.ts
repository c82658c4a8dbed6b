import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube-object.js';
import { applyStrategicMerge } from './strategic-merge.js';

const deployment = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec } } });
const podSpec = (object: KubeObject | undefined): Record<string, unknown> =>
  ((object?.['spec'] as Record<string, Record<string, unknown>>)['template']!['spec']) as Record<string, unknown>;
const names = (list: unknown): unknown[] => (list as { name?: unknown; port?: unknown }[]).map((item) => item.name ?? item.port);

// Orders below are what kubectl kustomize v5.5 printed for the same inputs.
describe('applyStrategicMerge', () => {
  const base = deployment({
    containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }, { name: 'c', image: 'c:1' }],
    tolerations: [{ key: 'k1' }],
  });

  it('puts the patch items first, then the rest, merging by name', () => {
    const patched = applyStrategicMerge(base, deployment({ containers: [{ name: 'c', image: 'c:2' }, { name: 'x', image: 'x:1' }, { name: 'a', image: 'a:2' }] }));
    expect(podSpec(patched)['containers']).toEqual([
      { name: 'c', image: 'c:2' }, { name: 'x', image: 'x:1' }, { name: 'a', image: 'a:2' }, { name: 'b', image: 'b:1' },
    ]);
    expect(podSpec(base)['containers']).toHaveLength(3);
  });

  it('deletes list items and fields, replaces lists without merge keys', () => {
    const patched = applyStrategicMerge(base, deployment({ containers: [{ name: 'b', $patch: 'delete' }, { name: 'a', image: null }], tolerations: [{ key: 'k2' }] }));
    expect(podSpec(patched)['containers']).toEqual([{ name: 'a' }, { name: 'c', image: 'c:1' }]);
    expect(podSpec(patched)['tolerations']).toEqual([{ key: 'k2' }]);
  });

  it('replaces a map or a list on request and deletes the object on request', () => {
    const replaced = applyStrategicMerge(base, deployment({ $patch: 'replace', containers: [{ name: 'z' }] }));
    expect(podSpec(replaced)).toEqual({ containers: [{ name: 'z' }] });
    const list = applyStrategicMerge(base, deployment({ containers: [{ $patch: 'replace' }, { name: 'only' }] }));
    expect(podSpec(list)['containers']).toEqual([{ name: 'only' }]);
    expect(applyStrategicMerge(base, { $patch: 'delete' })).toBeUndefined();
  });

  it('merges ports by number and protocol in place once a protocol is written, new ones first', () => {
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 443 }] } };
    const patched = applyStrategicMerge(service, { spec: { ports: [{ port: 443, targetPort: 1 }, { port: 80, protocol: 'UDP' }] } });
    expect((patched?.['spec'] as { ports: unknown[] }).ports).toEqual([{ port: 80, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }, { port: 443, targetPort: 1 }]);
    const ambiguous = applyStrategicMerge(service, { spec: { ports: [{ port: 80, name: 'http' }] } });
    expect(names((ambiguous?.['spec'] as { ports: unknown[] }).ports)).toEqual([80, 443]);
  });

  it('replaces every list of a kind it has no schema for, and keeps the target identity', () => {
    const custom: KubeObject = { apiVersion: 'example.com/v1', kind: 'Rollout', metadata: { name: 'r' }, spec: { steps: [{ name: 'a', w: 1 }, { name: 'b' }] } };
    const patched = applyStrategicMerge(custom, { kind: 'Other', metadata: { name: 'x', labels: { a: 'b' } }, spec: { steps: [{ name: 'a', v: 2 }] } });
    expect(patched).toEqual({ apiVersion: 'example.com/v1', kind: 'Rollout', metadata: { name: 'r', labels: { a: 'b' } }, spec: { steps: [{ name: 'a', v: 2 }] } });
  });

  it('unions finalizers, patch first', () => {
    const object: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers: ['a', 'b'] } };
    expect(applyStrategicMerge(object, { metadata: { finalizers: ['b', 'z'] } })?.metadata['finalizers']).toEqual(['b', 'z', 'a']);
  });

  it('refuses what it does not implement rather than guess', () => {
    expect(() => applyStrategicMerge(base, deployment({ $retainKeys: ['containers'] }))).toThrow(/\$retainKeys directive is not supported/);
    expect(() => applyStrategicMerge(base, deployment({ containers: [{ image: 'no-name' }] }))).toThrow(/has no name, the key this list merges by/);
    expect(() => applyStrategicMerge(base, deployment({ containers: { $patch: 'delete' } }))).toThrow(/is a list; the patch gives a mapping/);
    expect(() => applyStrategicMerge(base, deployment({ containers: [{ name: 'a', $patch: 'replace' }] }))).toThrow(/not supported on a list item/);
  });
});
