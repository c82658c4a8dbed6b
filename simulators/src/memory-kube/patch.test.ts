import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';

describe('mergePatch', () => {
  it('merges maps, deletes nulls and replaces lists', () => {
    const target = { spec: { replicas: 1, paused: true, args: ['a', 'b'] } };
    expect(mergePatch(target, { spec: { replicas: 5, paused: null, args: ['c'] } })).toEqual({ spec: { replicas: 5, args: ['c'] } });
    expect(target.spec.replicas).toBe(1);
  });
});

describe('strategicMergePatch', () => {
  it('merges keyed lists by key and honours $patch: delete', () => {
    const target = { spec: { containers: [{ name: 'web', image: 'a', ports: [{ containerPort: 80 }] }, { name: 'side', image: 's' }] } };
    const patched = strategicMergePatch(target, {
      spec: { containers: [{ name: 'web', image: 'b' }, { name: 'side', $patch: 'delete' }, { name: 'new', image: 'n' }] },
    });
    expect(patched).toEqual({
      spec: { containers: [{ name: 'web', image: 'b', ports: [{ containerPort: 80 }] }, { name: 'new', image: 'n' }] },
    });
  });
});

describe('jsonPatch', () => {
  const doc = { metadata: { labels: { 'a/b': 'x' } }, spec: { list: [1, 2] } };

  it('applies add, remove, replace, move, copy and test', () => {
    const result = jsonPatch(doc, [
      { op: 'test', path: '/spec/list/0', value: 1 },
      { op: 'add', path: '/spec/list/-', value: 3 },
      { op: 'replace', path: '/metadata/labels/a~1b', value: 'y' },
      { op: 'copy', from: '/spec/list', path: '/spec/copy' },
      { op: 'move', from: '/spec/list/0', path: '/spec/first' },
      { op: 'remove', path: '/spec/copy/1' },
    ]);
    expect(result).toEqual({
      ok: true,
      value: { metadata: { labels: { 'a/b': 'y' } }, spec: { list: [2, 3], copy: [1, 3], first: 1 } },
    });
  });

  it('fails without changing anything when an operation cannot apply', () => {
    expect(jsonPatch(doc, [{ op: 'remove', path: '/spec/missing' }]).ok).toBe(false);
    expect(jsonPatch(doc, [{ op: 'test', path: '/spec/list/0', value: 9 }]).ok).toBe(false);
    expect(jsonPatch(doc, { op: 'add' }).ok).toBe(false);
    expect(doc.spec.list).toEqual([1, 2]);
  });
});
