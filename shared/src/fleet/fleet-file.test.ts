import { describe, expect, it } from 'vitest';
import { selectorMatches } from './selector.js';
import { FleetFile, selectTarget } from './fleet-file.js';

describe('fleet.yaml targets', () => {
  const fleet = FleetFile.parse({
    targets: [
      { name: 'canary', clusterSelector: { matchLabels: { tier: 'canary' } }, overlay: 'overlays/canary' },
      { name: 'eu', clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu-west', 'eu-north'] }] }, overlay: 'overlays/eu' },
      { name: 'rest' },
    ],
  });
  const cluster = (labels: Record<string, string>) => ({ name: 'c', labels });

  it('chooses the first target that matches', () => {
    expect(selectTarget(fleet, cluster({ tier: 'canary', region: 'eu-west' }))?.name).toBe('canary');
    expect(selectTarget(fleet, cluster({ region: 'eu-north' }))?.name).toBe('eu');
    expect(selectTarget(fleet, cluster({ region: 'us' }))?.name).toBe('rest');
  });

  it('has no target when none matches', () => {
    expect(selectTarget(FleetFile.parse({ targets: [{ name: 'x', clusterSelector: { matchLabels: { a: 'b' } } }] }), cluster({}))).toBeUndefined();
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, { a: '1' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '' }, false],
    [{ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] }, { a: '1' }, false],
    [{}, { anything: 'x' }, true],
  ] as const)('selector %j on %j → %s', (selector, labels, expected) => {
    expect(selectorMatches(selector as never, labels)).toBe(expected);
  });

  it('refuses unknown fields and bad variable names', () => {
    expect(FleetFile.safeParse({ target: [] }).success).toBe(false);
    expect(FleetFile.safeParse({ vars: { 'not-valid': 'x' } }).success).toBe(false);
  });
});
