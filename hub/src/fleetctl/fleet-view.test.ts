import { describe, expect, it } from 'vitest';
import { editLabels, fleetSummaryText } from './fleet-view.js';

describe('fleet views', () => {
  it('summarizes the fleet with short revisions, most common first', () => {
    const text = fleetSummaryText({ total: 3, online: 2, offline: 1, unknown: 0, health: { Healthy: 2, Degraded: 1 }, revisions: { ['a'.repeat(40)]: 1, ['b'.repeat(40)]: 2 }, drifted: 1, activeRollouts: 0 });
    expect(text.split('\n')).toContain(`revisions         ${'b'.repeat(12)}=2 ${'a'.repeat(12)}=1`);
    expect(text.split('\n')).toContain('health            Healthy=2 Degraded=1');
  });

  it('edits labels kubectl style', () => {
    expect(editLabels({ a: '1', b: '2' }, ['a=3', 'b-', 'c='])).toEqual({ a: '3', c: '' });
    expect(() => editLabels({}, ['nope'])).toThrow(/key=value or key-/);
  });
});
