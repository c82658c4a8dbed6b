import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube-object.js';
import { compileSelector, parseLabelSelector } from './target-selector.js';
import type { Resource } from './types.js';

const resource = (apiVersion: string, kind: string, name: string, extra: Partial<KubeObject['metadata']> = {}, original?: Resource['original']): Resource =>
  ({ object: { apiVersion, kind, metadata: { name, ...extra } }, origin: 'k', ...(original ? { original } : {}) });

describe('compileSelector', () => {
  const web = resource('apps/v1', 'Deployment', 'p-web', { namespace: 'shop', labels: { app: 'web' } }, { name: 'web' });

  it('compares group, version and kind exactly', () => {
    expect(compileSelector({ group: 'apps', version: 'v1', kind: 'Deployment' })(web)).toBe(true);
    expect(compileSelector({ group: '', kind: 'Deployment' })(web)).toBe(false);
    expect(compileSelector({ version: 'v1', kind: 'ConfigMap' })(resource('v1', 'ConfigMap', 'c'))).toBe(true);
  });

  it('anchors name and namespace patterns and tries the original name too', () => {
    expect(compileSelector({ name: 'web' })(web)).toBe(true);
    expect(compileSelector({ name: 'we' })(web)).toBe(false);
    expect(compileSelector({ name: 'p-.*', namespace: 'sh.p' })(web)).toBe(true);
    expect(compileSelector({ namespace: 'other' })(web)).toBe(false);
    expect(() => compileSelector({ name: '(' })).toThrow(/not a valid regular expression/);
  });
});

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    ['app=web', true], ['app==web', true], ['app!=web', false], ['track!=canary', true],
    ['tier in (front, back)', true], ['tier notin (front)', false], ['app', true], ['!track', true],
    ['!app', false], ['app=web,tier=back', false], ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });

  it('refuses what it cannot read', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(/cannot parse selector/);
  });
});
