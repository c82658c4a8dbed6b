import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube-object.js';
import type { KustomizationContext } from './local-file.js';
import { readJson6902Patches, readPatches, readStrategicMergePatches } from './patch-specs.js';
import { applyPatches } from './patches.js';
import type { Resource } from './types.js';

const ctx = (files: Record<string, string> = {}): KustomizationContext =>
  ({ tree: new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)])), dir: 'app', file: 'app/kustomization.yaml' });
const deployment = (name: string, extra: Partial<KubeObject> = {}): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas: 1 }, ...extra });

describe('readPatches', () => {
  it('tells JSON 6902 from strategic merge, inline or from a file', () => {
    const specs = readPatches([
      { target: { kind: 'Deployment' }, patch: '- op: remove\n  path: /spec\n' },
      { path: 'p.yaml' },
      { target: { kind: 'Deployment' }, patch: '[{"op": "test", "path": "/spec/replicas", "value": 1}]' },
    ], ctx({ 'app/p.yaml': 'kind: Deployment\nmetadata: {name: a}\n---\nkind: Deployment\nmetadata: {name: b}\n' }));
    expect(specs.map((spec) => [spec.kind, spec.origin])).toEqual([
      ['json6902', 'app/kustomization.yaml'], ['strategic-merge', 'app/p.yaml'], ['json6902', 'app/kustomization.yaml'],
    ]);
    expect(specs[1]!.patch).toHaveLength(2);
  });

  it('refuses what it cannot apply, naming it', () => {
    expect(() => readPatches([{ patch: '- op: remove\n  path: /spec\n' }], ctx())).toThrow(/JSON 6902 patch needs a target/);
    expect(() => readPatches([{ path: 'p.yaml', patch: 'x: 1' }], ctx())).toThrow(/exactly one of path and patch/);
    expect(() => readPatches([{ patch: 'a: 1', options: { allowNameChange: true } }], ctx())).toThrow(/allowNameChange is not supported/);
    expect(() => readPatches([{ patch: 'a: 1', target: { kinds: 'x' } }], ctx())).toThrow(/unsupported field kinds/);
    expect(() => readStrategicMergePatches(['- op: add'], ctx())).toThrow(/missing|does not exist/);
    expect(() => readJson6902Patches([{ target: { kind: 'D' }, patch: 'a: 1' }], ctx())).toThrow(/one list of operations/);
  });
});

describe('applyPatches', () => {
  const resources: Resource[] = [
    { object: deployment('p-web', { metadata: { name: 'p-web', namespace: 'shop' } }), origin: 'base', original: { name: 'web' } },
    { object: deployment('api'), origin: 'base' },
  ];

  it('finds a strategic merge patch target by its original id, and keeps the input unchanged', () => {
    const [spec] = readPatches([{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n' }], ctx());
    const patched = applyPatches(resources, [spec!]);
    expect(patched[0]!.object['spec']).toEqual({ replicas: 3 });
    expect(resources[0]!.object['spec']).toEqual({ replicas: 1 });
  });

  it('patches every target a selector matches and records a rename', () => {
    const [spec] = readPatches([{ target: { kind: 'Deployment' }, patch: '- op: replace\n  path: /metadata/name\n  value: renamed\n' }], ctx());
    const patched = applyPatches(resources, [spec!]);
    expect(patched.map((resource) => [resource.object.metadata.name, resource.original?.name])).toEqual([['renamed', 'web'], ['renamed', 'api']]);
  });

  it('adds an annotation where there were none, and leaves no empty annotations behind', () => {
    const specs = readPatches([
      { target: { name: 'api' }, patch: '- op: add\n  path: /metadata/annotations/a\n  value: b\n' },
      { target: { name: 'web' }, patch: '- op: test\n  path: /spec/replicas\n  value: 1\n' },
    ], ctx());
    const patched = applyPatches(resources, specs);
    expect(patched[1]!.object.metadata.annotations).toEqual({ a: 'b' });
    expect(patched[0]!.object.metadata).toEqual({ name: 'p-web', namespace: 'shop' });
  });

  it('errors when a patch matches nothing or more than one object', () => {
    const twice: Resource[] = [{ object: deployment('web'), origin: 'a' }, { object: deployment('web2'), origin: 'b', original: { name: 'web' } }];
    const [smp] = readPatches([{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n' }], ctx());
    expect(() => applyPatches(twice, [smp!])).toThrow(/matches 2 resources/);
    expect(() => applyPatches([], [smp!])).toThrow(/app\/kustomization.yaml: no resource matches strategic merge patch Deployment.v1.apps\/web.\[noNs\]/);
    const [selector] = readPatches([{ target: { labelSelector: 'app=none' }, patch: 'kind: Deployment\nmetadata: {name: any}\n' }], ctx());
    expect(() => applyPatches(resources, [selector!])).toThrow(/matches no resource/);
    const [anonymous] = readPatches([{ target: { kind: 'Deployment' }, patch: 'spec: {replicas: 2}' }], ctx());
    expect(() => applyPatches(resources, [anonymous!])).toThrow(/needs kind and metadata.name, even with a target/);
  });
});
