import { describe, expect, it } from 'vitest';
import { generateResources, type GeneratorSpec } from './generators.js';
import type { KustomizationContext } from './local-file.js';
import { applyHashSuffixes } from './name-hash.js';
import { KustomizeError, type Resource } from './types.js';

const context = (files: Record<string, string | Uint8Array>, dir = ''): KustomizationContext => ({
  tree: new Map(Object.entries(files).map(([path, content]) => [path, typeof content === 'string' ? Buffer.from(content) : content])),
  dir,
  file: dir === '' ? 'kustomization.yaml' : `${dir}/kustomization.yaml`,
});
const generate = (spec: GeneratorSpec, ctx = context({}), existing: Resource[] = []): Resource[] => generateResources(spec, ctx, existing);

describe('generateResources', () => {
  it('reads literals, files and env files as kubectl does', () => {
    const ctx = context({
      'app/config/motd': 'hi\n',
      'app/logo.bin': new Uint8Array([0x89, 0xff, 0x00]),
      'app/app.env': '\uFEFF# comment\n\n  A = 1 \r\nB="quoted"\nNOVALUE\n=skipped\n',
    }, 'app');
    const [configMap] = generate({ configMapGenerator: [{
      name: 'c', literals: ['Q="x y"', "S='z'", 'E=a=b'], files: ['config/motd', 'renamed=config/motd', 'logo.bin'], envs: ['app.env'],
    }] }, ctx);
    expect(configMap!.object['data']).toEqual({
      Q: 'x y', S: 'z', E: 'a=b', motd: 'hi\n', renamed: 'hi\n', 'A ': ' 1 ', B: '"quoted"', NOVALUE: '',
    });
    expect(configMap!.object['binaryData']).toEqual({ 'logo.bin': 'if8A' });
    expect(configMap!.hashSuffix).toBe(true);
    expect(configMap!.origin).toBe('app/kustomization.yaml');
  });

  it('writes Secrets base64-encoded, wrapped at 70 characters, with a type', () => {
    const [secret] = generate({ secretGenerator: [{ name: 's', type: 'kubernetes.io/tls', literals: [`long=${'x'.repeat(60)}`, 'short=y'] }] });
    const data = secret!.object['data'] as Record<string, string>;
    expect(data['short']).toBe('eQ==');
    expect(data['long']!.split('\n').map((line) => line.length)).toEqual([70, 10, 0]);
    expect(secret!.object['type']).toBe('kubernetes.io/tls');
  });

  it('applies options: labels and annotations merged, hash off or immutable at either level', () => {
    const resources = generate({
      generatorOptions: { labels: { a: '1' }, disableNameSuffixHash: true },
      configMapGenerator: [{ name: 'c', literals: ['k=v'], options: { labels: { b: '2' }, immutable: true, disableNameSuffixHash: false } }],
    });
    expect(resources[0]!.object).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1', b: '2' } }, data: { k: 'v' }, immutable: true,
    });
    expect(resources[0]!.hashSuffix).toBe(false);
  });

  it('merges into or replaces a base generator, found by its original name', () => {
    const [base] = generate({ secretGenerator: [{ name: 's', type: 'kubernetes.io/basic-auth', literals: ['a=1'], options: { annotations: { x: 'y' } } }] });
    const moved: Resource = { ...base!, object: { ...base!.object, metadata: { ...base!.object.metadata, name: 'p-s', namespace: 'ns' } }, original: { name: 's' } };
    const [merged] = generate({ secretGenerator: [{ name: 's', behavior: 'merge', literals: ['b=2'] }] }, context({}), [moved]);
    expect(merged!.object).toMatchObject({ metadata: { name: 'p-s', namespace: 'ns', annotations: { x: 'y' } }, data: { a: 'MQ==', b: 'Mg==' }, type: 'kubernetes.io/basic-auth' });
    const [replaced] = generate({ secretGenerator: [{ name: 's', behavior: 'replace', literals: ['c=3'] }] }, context({}), [moved]);
    expect(replaced!.object).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'p-s', namespace: 'ns' }, data: { c: 'Mw==' }, type: 'Opaque' });
    expect(applyHashSuffixes([replaced!])[0]!.object.metadata.name).toMatch(/^p-s-[a-z0-9]{10}$/);
  });

  it('names the file and the problem when it cannot generate', () => {
    const ctx = context({ 'a/x.txt': 'x', 'a/dir/y': 'y' }, 'a');
    const failures: [GeneratorSpec, RegExp][] = [
      [{ configMapGenerator: [{ name: 'c', files: ['missing'] }] }, /missing does not exist/],
      [{ configMapGenerator: [{ name: 'c', files: ['dir'] }] }, /dir is a folder/],
      [{ configMapGenerator: [{ name: 'c', files: ['../x.txt'] }] }, /outside the kustomization's folder a/],
      [{ configMapGenerator: [{ name: 'c', files: ['=x.txt'] }] }, /missing key name/],
      [{ configMapGenerator: [{ name: 'c', literals: ['=v'] }] }, /invalid literal source =v/],
      [{ configMapGenerator: [{ name: 'c', literals: ['k=1'], files: ['k=x.txt'] }] }, /illegally repeats the key `k`/],
      [{ configMapGenerator: [{ name: 'c', behavior: 'replace' }] }, /behavior replace needs a ConfigMap/],
      [{ configMapGenerator: [{ name: 'c', type: 'Opaque' } as never] }, /unsupported field type/],
      [{ configMapGenerator: [{ name: 'c', options: { prefix: 'x' } as never }] }, /unsupported field prefix/],
    ];
    for (const [spec, message] of failures) {
      expect(() => generate(spec, ctx)).toThrow(message);
      expect(() => generate(spec, ctx)).toThrow(KustomizeError);
    }
  });
});
