import { describe, expect, it } from 'vitest';
import { renderPlainManifests } from './render-plain.js';

const tree = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('renderPlainManifests', () => {
  it('renders YAML and JSON files in path order, multi-document and lists flattened', () => {
    const result = renderPlainManifests(
      tree({
        'b/two.yaml': `${cm('b1')}---\n${cm('b2')}`,
        'a.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }] }),
        'README.md': '# not a manifest',
        'fleet.yaml': 'not: an object',
        'c.yml': '---\n# only a comment\n',
      }),
    );
    expect(result.ok && result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Secret/s', 'ConfigMap/b1', 'ConfigMap/b2']);
  });

  it('reads YAML 1.1 like Kubernetes does', () => {
    const result = renderPlainManifests(tree({ 'x.yaml': `${cm('x')}data:\n  enabled: yes\n  mode: 0755\n` }));
    expect(result.ok && result.objects[0]?.['data']).toEqual({ enabled: true, mode: 493 });
  });

  it('names the file and line of malformed YAML', () => {
    const result = renderPlainManifests(tree({ 'ok.yaml': cm('ok'), 'bad.yaml': `${cm('a')}---\nkind: ConfigMap\nmetadata: {name: x}}\n` }));
    expect(result).toMatchObject({ ok: false, error: { file: 'bad.yaml', line: 7 } });
  });

  it('refuses duplicate keys, alias bombs and objects without identity', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' +
      Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n');
    const cases: Record<string, RegExp> = {
      [`${cm('a')}metadata:\n  name: b\n`]: /unique/,
      [bomb]: /alias/i,
      'apiVersion: v1\nkind: ConfigMap\n': /metadata\.name/,
      'kind: ConfigMap\nmetadata: {name: a}\n': /apiVersion/,
      '- just\n- a list\n': /mapping/,
    };
    for (const [text, message] of Object.entries(cases)) {
      const result = renderPlainManifests(tree({ 'f.yaml': text }));
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.error.message).toMatch(message);
    }
  });

  it('refuses a kustomization rather than applying its parts as plain files', () => {
    const result = renderPlainManifests(tree({ 'kustomization.yaml': 'resources: [a.yaml]\n', 'a.yaml': cm('a') }));
    expect(result).toMatchObject({ ok: false, error: { file: 'kustomization.yaml' } });
  });

  it('enforces size and count limits', () => {
    expect(renderPlainManifests(tree({ 'a.yaml': cm('a') }), { maxFileBytes: 10, maxObjects: 10 }).ok).toBe(false);
    expect(renderPlainManifests(tree({ 'a.yaml': `${cm('a')}---\n${cm('b')}` }), { maxFileBytes: 1e6, maxObjects: 1 }).ok).toBe(false);
  });
});
