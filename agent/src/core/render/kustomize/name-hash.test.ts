import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube-object.js';
import { applyHashSuffixes, generatedNameMap, nameHash } from './name-hash.js';
import type { Resource } from './types.js';

const configMap = (data?: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, ...(data ? { data } : {}), ...extra });

// Every expected suffix below is what `kubectl kustomize` (v5.5) printed for the same generator.
describe('nameHash', () => {
  it('matches kubectl for ConfigMaps, whatever their name', () => {
    expect(nameHash(configMap({ a: '1', b: 'hello' }))).toBe('kfmfb484kt');
    expect(nameHash({ ...configMap({ a: '1', b: 'hello' }), metadata: { name: 'other', namespace: 'ns' } })).toBe('kfmfb484kt');
    expect(nameHash(configMap())).toBe('6ct58987ht');
    expect(nameHash(configMap({ z: '1' }, { immutable: true }))).toBe('527hd2cc4c');
  });

  it('escapes like Go and counts binaryData', () => {
    const object = configMap({ 'greet.txt': 'hello <&>\n', renamed: 'hello <&>\n' }, { binaryData: { 'bin.dat': 'azH//gBiaW4=' } });
    expect(nameHash(object)).toBe('46fm9m6526');
  });

  it('matches kubectl for Secrets, including their type and an empty one', () => {
    const secret = (type: string, data?: Record<string, string>): KubeObject =>
      ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type, ...(data ? { data } : {}) });
    expect(nameHash(secret('Opaque', { x: 'eQ==' }))).toBe('t86b282gdf');
    expect(nameHash(secret('kubernetes.io/tls', { 'tls.crt': 'YWJj', 'tls.key': 'ZGVm' }))).toBe('td2b65gdb7');
    expect(nameHash(secret('Opaque'))).toBe('46f8b28mk5');
  });

  it('refuses other kinds', () => {
    expect(() => nameHash({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } })).toThrow(/only ConfigMaps and Secrets/);
  });
});

describe('applyHashSuffixes and generatedNameMap', () => {
  it('renames only marked resources and maps their old names to the new', () => {
    const resources: Resource[] = [
      { object: { ...configMap({ a: '1', b: 'hello' }), metadata: { name: 'p-app', namespace: 'ns' } }, origin: 'k', hashSuffix: true, original: { name: 'app' } },
      { object: configMap({ a: '1' }), origin: 'k' },
    ];
    const hashed = applyHashSuffixes(resources);
    expect(hashed.map((r) => r.object.metadata.name)).toEqual(['p-app-kfmfb484kt', 'app']);
    expect(hashed[0]!.hashSuffix).toBeUndefined();
    expect(resources[0]!.object.metadata.name).toBe('p-app');
    const names = generatedNameMap(resources, hashed);
    expect([...names]).toEqual([['ConfigMap/ns/p-app', 'p-app-kfmfb484kt'], ['ConfigMap/ns/app', 'p-app-kfmfb484kt']]);
  });
});
