import { describe, expect, it } from 'vitest';
import { parseSelector, selectorMatches } from './selector.js';

describe('parseSelector', () => {
  it.each([
    ['', {}],
    ['region=eu', { matchLabels: { region: 'eu' } }],
    ['region==eu, tier!=canary', { matchLabels: { region: 'eu' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['canary'] }] }],
    ['zone in (a, b),edge-fleet.dev/ring notin (0)', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'edge-fleet.dev/ring', operator: 'NotIn', values: ['0'] }] }],
    ['gpu,!legacy', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }, { key: 'legacy', operator: 'DoesNotExist' }] }],
  ])('parses %j', (text, selector) => {
    expect(parseSelector(text)).toEqual(selector);
  });

  it.each(['region=eu,,tier=a', 'region=e u', 'zone in a,b', '=eu', 'zone in (a,b c)'])('refuses %j, naming it', (text) => {
    expect(() => parseSelector(text)).toThrow(/is not a label selector requirement/);
  });

  it('matches as the structured form does', () => {
    const selector = parseSelector('region=eu,zone in (a,b),!legacy');
    expect(selectorMatches(selector, { region: 'eu', zone: 'a' })).toBe(true);
    expect(selectorMatches(selector, { region: 'eu', zone: 'c' })).toBe(false);
    expect(selectorMatches(selector, { region: 'eu', zone: 'a', legacy: 'yes' })).toBe(false);
    expect(selectorMatches(parseSelector(''), {})).toBe(true);
  });
});
