import { describe, expect, it } from 'vitest';
import { cloneJson } from './json-value.js';

describe('cloneJson', () => {
  it('copies nested objects and arrays without sharing them', () => {
    const original = { a: [1, { b: 'x' }], c: { d: null, e: true }, f: -0 };
    const copy = cloneJson(original);
    expect(copy).toStrictEqual(structuredClone(original));
    expect(copy.a).not.toBe(original.a);
    expect(copy.a[1]).not.toBe(original.a[1]);
    expect(copy.c).not.toBe(original.c);
  });

  it('copies a __proto__ key as a key, not as a prototype', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = cloneJson(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(copy['__proto__']).toStrictEqual({ polluted: true });
  });
});
