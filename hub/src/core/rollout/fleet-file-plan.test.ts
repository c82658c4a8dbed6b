import { describe, expect, it } from 'vitest';
import { planFromFleetFile } from './fleet-file-plan.js';

const SHA = 'c'.repeat(40);

describe('planFromFleetFile', () => {
  it('reads the rollout section as a plan for the commit it is in', () => {
    const result = planFromFleetFile('targets: []\nrollout:\n  waves:\n    - {name: canary, selector: ring=canary, bake: 5m}\n    - {name: all, percent: 100}\n  onFailure: rollback\n', SHA);
    expect(result).toMatchObject({ ok: true, plan: { revision: SHA, onFailure: 'rollback', waves: [{ name: 'canary', bake: '5m' }, { name: 'all', percent: 100 }] } });
  });

  it('has no plan without a rollout section', () => {
    expect(planFromFleetFile('vars: {a: "1"}\n', SHA)).toEqual({ ok: true, plan: undefined });
    expect(planFromFleetFile('', SHA)).toEqual({ ok: true, plan: undefined });
  });

  it.each([
    ['rollout: [1]\n', 'rollout must be a mapping'],
    ['rollout: {revision: main, waves: [{name: a}]}\n', 'rollout has no revision'],
    ['rollout: {waves: []}\n', 'fleet.yaml: rollout:'],
    ['rollout: {waves: [{name: a}]}\nrollout: {}\n', 'not valid YAML'],
  ])('refuses %j, saying why', (text, message) => {
    const result = planFromFleetFile(text, SHA);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });
});
