import { describe, expect, it } from 'vitest';
import { applyJsonPatch, parseJsonPatch } from './json-patch.js';

const apply = (document: unknown, operations: unknown): unknown => applyJsonPatch(document, parseJsonPatch(operations));

describe('JSON 6902', () => {
  const document = { a: { b: [1, 2, 3], 'x/y': 'slash', 't~': 'tilde' } };

  it('copies only the containers on the changed paths and shares the rest with its input', () => {
    const input = { spec: { replicas: 1, template: { containers: [{ name: 'app' }] } }, metadata: { name: 'x' } };
    const snapshot = structuredClone(input);
    const result = apply(input, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/paused', value: true },
    ]) as typeof input & { spec: { paused: boolean } };
    expect(input).toStrictEqual(snapshot);
    expect(result.spec).toEqual({ template: input.spec.template, replicas: 3, paused: true });
    expect(result.spec.template).toBe(input.spec.template);
    expect(result.metadata).toBe(input.metadata);
  });

  it('adds, appends with -, replaces, removes, moves, copies and tests without touching its input', () => {
    const result = apply(document, [
      { op: 'add', path: '/a/b/-', value: 4 },
      { op: 'add', path: '/a/b/0', value: 0 },
      { op: 'replace', path: '/a/x~1y', value: 'replaced' },
      { op: 'remove', path: '/a/t~0' },
      { op: 'copy', from: '/a/b/1', path: '/a/c' },
      { op: 'move', from: '/a/c', path: '/d' },
      { op: 'test', path: '/a/b', value: [0, 1, 2, 3, 4] },
    ]);
    expect(result).toEqual({ a: { b: [0, 1, 2, 3, 4], 'x/y': 'replaced' }, d: 1 });
    expect(document.a.b).toEqual([1, 2, 3]);
  });

  it('refuses what kustomize refuses', () => {
    expect(() => apply(document, [{ op: 'remove', path: '/a/missing' }])).toThrow(/operation 1 \(remove \/a\/missing\): no value at/);
    expect(() => apply(document, [{ op: 'replace', path: '/a/missing', value: 1 }])).toThrow(/no value at/);
    expect(() => apply(document, [{ op: 'add', path: '/missing/x', value: 1 }])).toThrow(/no value at \/missing/);
    expect(() => apply(document, [{ op: 'add', path: '/a/b/9', value: 1 }])).toThrow(/index 9 is out of range/);
    expect(() => apply(document, [{ op: 'test', path: '/a/b/0', value: 2 }])).toThrow(/test failed/);
    expect(() => apply(document, [{ op: 'move', from: '/a', path: '/a/b/z' }])).toThrow(/into itself/);
  });

  it('says which operation is malformed', () => {
    expect(() => parseJsonPatch({ op: 'add' })).toThrow(/list of operations/);
    expect(() => parseJsonPatch([{ op: 'add', path: '/a', value: 1 }, { op: 'add', path: '/b' }])).toThrow(/operation 2 \(add\): value is missing/);
    expect(() => parseJsonPatch([{ op: 'copy', path: '/a' }])).toThrow(/from is missing/);
  });
});
