import { describe, expect, it } from 'vitest';
import type { ClusterProgress, Rollout } from './model.js';
import { RolloutPlanInput } from './plan.js';
import { rolloutDetail } from './progress.js';

const progress = (wave: number, phase: ClusterProgress['phase']): ClusterProgress => ({ wave, phase, previousRevision: null, directiveSeq: null, directedAt: phase === 'pending' ? null : 0, healthySince: null, reason: null });

const rollout = (status: Rollout['status'], wave: number): Rollout => ({
  id: 'r1',
  plan: RolloutPlanInput.parse({ revision: 'main', waves: [{ name: 'canary' }, { name: 'all' }] }),
  revision: 'b'.repeat(40),
  status,
  reason: null,
  wave,
  waveStartedAt: 0,
  acknowledged: [],
  clusters: new Map([
    ['s2', progress(1, 'pending')],
    ['s1', progress(0, 'healthy')],
    ['s3', progress(1, 'pending')],
  ]),
  createdAt: 0,
  updatedAt: 1000,
});

describe('rolloutDetail', () => {
  it('counts each wave by phase and lists clusters by id', () => {
    const detail = rolloutDetail(rollout('awaitingApproval', 1));
    expect(detail.waves).toEqual([
      { index: 0, name: 'canary', state: 'done', clusters: 1, phases: { healthy: 1 } },
      { index: 1, name: 'all', state: 'awaitingApproval', clusters: 2, phases: { pending: 2 } },
    ]);
    expect(detail.clusters.map((c) => [c.id, c.wave, c.phase])).toEqual([['s1', 'canary', 'healthy'], ['s2', 'all', 'pending'], ['s3', 'all', 'pending']]);
    expect(detail.updatedAt).toBe('1970-01-01T00:00:01.000Z');
  });

  it.each([
    ['running', 0, ['active', 'pending']],
    ['succeeded', 1, ['done', 'done']],
    ['rollingBack', 0, ['stopped', 'pending']],
  ] as const)('shows the waves of a %s rollout', (status, wave, states) => {
    expect(rolloutDetail(rollout(status, wave)).waves.map((w) => w.state)).toEqual(states);
  });

  it('leaves clusters out when asked', () => {
    expect(rolloutDetail(rollout('running', 0), { clusters: false }).clusters).toEqual([]);
  });
});
