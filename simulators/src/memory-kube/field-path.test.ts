import { describe, expect, it } from 'vitest';
import { formatPath, removePath, sameAt, valueAt } from './field-path.js';
import type { FieldPath } from './field-path.js';

const image: FieldPath = [{ field: 'spec' }, { field: 'containers' }, { key: { name: 'web' } }, { field: 'image' }];

describe('field paths', () => {
  it('print as the API server prints them', () => {
    expect(formatPath(image)).toBe('.spec.containers[name="web"].image');
  });

  it('read values through keyed list items', () => {
    const object = { spec: { containers: [{ name: 'side' }, { name: 'web', image: 'nginx' }] } };
    expect(valueAt(object, image)).toEqual({ found: true, value: 'nginx' });
    expect(valueAt(object, [{ field: 'spec' }, { field: 'missing' }])).toEqual({ found: false });
  });

  it('compare a keyed item by presence only', () => {
    const item: FieldPath = image.slice(0, 3);
    const a = { spec: { containers: [{ name: 'web', image: 'a' }] } };
    const b = { spec: { containers: [{ name: 'web', image: 'b' }] } };
    expect(sameAt(a, b, item)).toBe(true);
    expect(sameAt(a, b, image)).toBe(false);
    expect(sameAt(a, { spec: {} }, item)).toBe(false);
  });

  it('remove a field and the containers it leaves empty, but never a top-level field', () => {
    const object = { spec: { template: { metadata: { labels: { a: '1' } } }, replicas: 1 } };
    removePath(object, [{ field: 'spec' }, { field: 'template' }, { field: 'metadata' }, { field: 'labels' }, { field: 'a' }]);
    expect(object).toEqual({ spec: { replicas: 1 } });
    const lonely = { spec: { x: 1 } };
    removePath(lonely, [{ field: 'spec' }, { field: 'x' }]);
    expect(lonely).toEqual({ spec: {} });
  });

  it('remove keyed list items', () => {
    const object = { spec: { containers: [{ name: 'side' }, { name: 'web' }] } };
    removePath(object, image.slice(0, 3));
    expect(object).toEqual({ spec: { containers: [{ name: 'side' }] } });
  });
});
