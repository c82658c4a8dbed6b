import { describe, expect, it } from 'vitest';
import { compareKeysV2 } from './key-order.js';
import { formatNumber } from './number-format.js';
import { serializeObjects, serializeValue } from './serialize.js';

describe('serializeValue (go-yaml v2 as kubectl kustomize prints)', () => {
  it('orders keys naturally: digits as numbers, letters after other characters', () => {
    const keys = ['a10', 'a2', 'A', '_b', '1', '01', '-x', 'a02', 'a2b'].sort(compareKeysV2);
    expect(keys).toEqual(['-x', '_b', '1', '01', 'A', 'a2', 'a2b', 'a02', 'a10']);
  });

  it('quotes strings that would read back as another type, in YAML 1.1 terms', () => {
    const out = serializeValue({ a: 'yes', b: 'y', c: '0755', d: '1:20', e: '2001-12-14', f: '<<', g: '', h: '1e3', i: 'plain' });
    expect(out).toBe('a: "yes"\nb: "y"\nc: "0755"\nd: "1:20"\ne: "2001-12-14"\nf: <<\ng: ""\nh: "1e3"\ni: plain\n');
  });

  it('single-quotes indicators and escapes what cannot be printed', () => {
    expect(serializeValue({ a: '- x', b: "it's", c: '#x', d: 'a\tb', e: '😀', f: ' lead' }))
      .toBe("a: '- x'\nb: it's\nc: '#x'\nd: \"a\\tb\"\ne: \"\\U0001F600\"\nf: ' lead'\n");
  });

  it('writes multi-line strings as literal blocks with chomping and indentation hints', () => {
    expect(serializeValue({ a: 'x\ny', b: 'x\n', c: 'x\n\n', d: '  x\n' }))
      .toBe('a: |-\n  x\n  y\nb: |\n  x\nc: |+\n  x\n\nd: |2\n    x\n');
  });

  it('folds long plain scalars after column 80 at a single space', () => {
    const long = `${'word '.repeat(20)}end`;
    const out = serializeValue({ key: long });
    expect(out.split('\n')[0]!.length).toBeGreaterThan(80);
    expect(out).toBe(`key: ${'word '.repeat(15)}word\n  ${'word '.repeat(4)}end\n`);
  });

  it('puts sequences flush under their key and flow-writes empty collections', () => {
    expect(serializeValue({ l: [{ b: 1, a: [1, []] }, {}], m: {} }))
      .toBe('l:\n- a:\n  - 1\n  - []\n  b: 1\n- {}\nm: {}\n');
  });

  it('writes long or multi-line keys as complex keys', () => {
    const key = 'k'.repeat(129);
    expect(serializeValue({ [key]: 1, 'a\nb': 2 })).toBe(`? |-\n  a\n  b\n: 2\n? ${key}\n: 1\n`);
  });

  it('joins documents with ---', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
    expect(serializeObjects([object, object])).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
  });
});

describe('formatNumber (JSON then go-yaml v2)', () => {
  it.each([
    [5, '5'], [2.0, '2'], [0.5, '0.5'], [1e-6, '1e-06'], [12345678.9, '1.23456789e+07'], [1e20, '1e+20'],
    [15000000000, '15000000000'], [-0, '0'], [123456.5, '123456.5'],
  ])('%d → %s', (input, expected) => {
    expect(formatNumber(input)).toBe(expected);
  });
});
