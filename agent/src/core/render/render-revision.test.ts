import { describe, expect, it } from 'vitest';
import { renderRevision } from './render-revision.js';

const tree = (files: Record<string, string>) => new Map(Object.entries(files).map(([p, t]) => [p, new TextEncoder().encode(t)]));
const configMap = (name: string, data = 'value: "${cluster.name}"') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {${data}}\n`;
const cluster = (labels: Record<string, string> = {}) => ({ name: 'store-7', labels });

const repo = tree({
  'apps/web/fleet.yaml': `
vars: {tier: standard}
targets:
  - name: canary
    clusterSelector: {matchLabels: {ring: canary}}
    overlay: overlays/canary
    vars: {tier: gold}
  - name: everyone
    overlay: overlays/default
`,
  'apps/web/base/kustomization.yaml': 'resources: [config.yaml]\n',
  'apps/web/base/config.yaml': configMap('web', 'cluster: "${cluster.name}", tier: "${tier}", region: "${cluster.labels.region:=none}"'),
  'apps/web/overlays/canary/kustomization.yaml': 'resources: [../../base]\nnamePrefix: canary-\n',
  'apps/web/overlays/default/kustomization.yaml': 'resources: [../../base]\n',
  'plain/a.yaml': configMap('plain'),
});

describe('renderRevision', () => {
  it('chooses the overlay by fleet.yaml target, builds it with kustomize and substitutes variables', () => {
    const result = renderRevision(repo, 'apps/web', cluster({ ring: 'canary', region: 'eu' }));
    expect(result).toMatchObject({ ok: true, target: 'canary', allowEmpty: false });
    expect(result.ok && result.objects.map((o) => [o.metadata.name, o['data']])).toEqual([
      ['canary-web', { cluster: 'store-7', tier: 'gold', region: 'eu' }],
    ]);
  });

  it('falls through to the next target, with the top-level variables', () => {
    const result = renderRevision(repo, 'apps/web', cluster());
    expect(result.ok && result.objects.map((o) => [o.metadata.name, o['data']])).toEqual([
      ['web', { cluster: 'store-7', tier: 'standard', region: 'none' }],
    ]);
  });

  it('renders a folder without kustomization or fleet.yaml as plain manifests', () => {
    const result = renderRevision(repo, 'plain', cluster());
    expect(result.ok && result.objects[0]?.['data']).toEqual({ value: 'store-7' });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(renderRevision(repo, 'apps/web', cluster()))).toBe(JSON.stringify(renderRevision(repo, 'apps/web', cluster())));
  });

  it('names the file for each kind of failure', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'b/fleet.yaml': 'targets: [{name: x, overlay: ../../../etc}]\n' }, 'b/fleet.yaml', /leaves the repository/],
      [{ 'b/fleet.yaml': 'targetz: []\n' }, 'b/fleet.yaml', /targetz/],
      [{ 'b/fleet.yaml': 'a: [\n' }, 'b/fleet.yaml', /./],
      [{ 'b/kustomization.yaml': 'resources: [missing.yaml]\n' }, 'b/kustomization.yaml', /missing\.yaml/],
      [{ 'b/x.yaml': 'kind: [\n' }, 'b/x.yaml', /./],
      [{ 'b/x.yaml': configMap('x', 'v: "${undefinedVar}"') }, 'b', /undefinedVar/],
    ];
    for (const [files, file, message] of cases) {
      const result = renderRevision(tree(files), 'b', cluster());
      expect(result.ok, JSON.stringify(files)).toBe(false);
      if (!result.ok) {
        expect(result.error.file).toBe(file);
        expect(result.error.message).toMatch(message);
      }
    }
  });
});
