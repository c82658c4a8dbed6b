import { describe, expect, it } from 'vitest';
import { matchesSelector, parseLabelSelector, SelectorOperator } from './label-selector.js';
import type { Requirement } from './label-selector.js';

function parsed(input: string): Requirement[] {
  const result = parseLabelSelector(input);
  if (!result.ok) throw new Error(result.error);
  return result.requirements;
}

const matches = (selector: string, labels: Record<string, string>): boolean => matchesSelector(labels, parsed(selector));

describe('parseLabelSelector', () => {
  it('parses every operator', () => {
    expect(parsed('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g')).toEqual([
      { key: 'a', operator: SelectorOperator.equals, values: ['1'] },
      { key: 'b', operator: SelectorOperator.equals, values: ['2'] },
      { key: 'c', operator: SelectorOperator.notEquals, values: ['3'] },
      { key: 'd', operator: SelectorOperator.in, values: ['x', 'y'] },
      { key: 'e', operator: SelectorOperator.notIn, values: ['z'] },
      { key: 'f', operator: SelectorOperator.exists, values: [] },
      { key: 'g', operator: SelectorOperator.doesNotExist, values: [] },
    ]);
  });

  it('accepts the empty selector, prefixed keys and empty values', () => {
    expect(parsed('')).toEqual([]);
    expect(parsed('app.kubernetes.io/name=web,tier=')).toEqual([
      { key: 'app.kubernetes.io/name', operator: SelectorOperator.equals, values: ['web'] },
      { key: 'tier', operator: SelectorOperator.equals, values: [''] },
    ]);
  });

  it.each(['a=b=c', 'a in x', 'a in (x', 'a in ()', 'a,', '=b', '-a=b', 'a=-b', 'a notin (x,,y)', 'a b', '!a=b', 'a==(b)'])(
    'rejects %j',
    (input) => {
      const result = parseLabelSelector(input);
      expect(result.ok).toBe(false);
    },
  );
});

describe('matchesSelector', () => {
  const labels = { app: 'web', tier: 'front' };

  it('matches equality and inequality, where != also matches a missing key', () => {
    expect(matches('app=web', labels)).toBe(true);
    expect(matches('app==db', labels)).toBe(false);
    expect(matches('app!=db', labels)).toBe(true);
    expect(matches('zone!=eu', labels)).toBe(true);
  });

  it('matches sets, where notin also matches a missing key', () => {
    expect(matches('tier in (front,back)', labels)).toBe(true);
    expect(matches('tier notin (front)', labels)).toBe(false);
    expect(matches('zone notin (eu)', labels)).toBe(true);
    expect(matches('zone in (eu)', labels)).toBe(false);
  });

  it('matches existence and requires every requirement', () => {
    expect(matches('app,!zone', labels)).toBe(true);
    expect(matches('app,zone', labels)).toBe(false);
    expect(matches('app=web,tier=back', labels)).toBe(false);
    expect(matchesSelector(undefined, parsed('!app'))).toBe(true);
  });
});
