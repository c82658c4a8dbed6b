import { describe, expect, it } from 'vitest';
import { FieldSet, fieldsOf, fromFieldsV1, toFieldsV1 } from './field-set.js';
import { formatPath } from './field-path.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, uid: 'u', resourceVersion: '7' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      spec: {
        containers: [{ name: 'web', image: 'nginx:1', args: ['-g', 'daemon off;'] }],
        tolerations: [{ key: 'edge' }],
      },
    },
  },
  status: { replicas: 2 },
};

describe('fieldsOf', () => {
  it('lists leaves and keyed list items, but not identity, server metadata or status', () => {
    const paths = fieldsOf(deployment, { keyedLists: true }).paths().map(formatPath).sort();
    expect(paths).toEqual([
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.selector.matchLabels.app',
      '.spec.template.spec.containers[name="web"]',
      '.spec.template.spec.containers[name="web"].args',
      '.spec.template.spec.containers[name="web"].image',
      '.spec.template.spec.containers[name="web"].name',
      '.spec.template.spec.tolerations',
    ]);
  });

  it('treats every list as atomic without keyed lists (custom resources)', () => {
    const paths = fieldsOf(deployment, { keyedLists: false }).paths().map(formatPath);
    expect(paths).toContain('.spec.template.spec.containers');
    expect(paths.some((p) => p.includes('[name='))).toBe(false);
  });

  it('treats a keyed list with duplicate keys as atomic', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'a' }] };
    expect(fieldsOf({ spec }, { keyedLists: true }).paths().map(formatPath)).toEqual(['.spec.containers']);
  });

  it('keeps empty maps as fields of their own', () => {
    expect(fieldsOf({ spec: { selector: {} } }, { keyedLists: true }).paths().map(formatPath)).toEqual(['.spec.selector']);
  });
});

describe('FieldsV1', () => {
  it('renders the wire form, marking owned items that have owned children with "."', () => {
    expect(toFieldsV1(fieldsOf(deployment, { keyedLists: true }))).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { 'f:app': {} } },
        'f:template': {
          'f:spec': {
            'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} } },
            'f:tolerations': {},
          },
        },
      },
    });
  });

  it('round-trips', () => {
    const set = fieldsOf(deployment, { keyedLists: true });
    expect(fromFieldsV1(toFieldsV1(set)).equals(set)).toBe(true);
  });

  it('reads elements it does not produce as ownership of their parent', () => {
    const set = fromFieldsV1({ 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"x"': {} } } });
    expect(set.paths().map(formatPath)).toEqual(['.metadata.finalizers']);
  });
});

describe('FieldSet', () => {
  it('supports the set operations ownership needs', () => {
    const a = new FieldSet([[{ field: 'a' }], [{ field: 'b' }]]);
    const b = new FieldSet([[{ field: 'b' }], [{ field: 'c' }]]);
    expect(a.union(b).size).toBe(3);
    expect(a.difference(b).paths()).toEqual([[{ field: 'a' }]]);
    expect(a.equals(new FieldSet([[{ field: 'b' }], [{ field: 'a' }]]))).toBe(true);
  });
});
