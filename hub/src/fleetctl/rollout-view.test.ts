import { describe, expect, it } from 'vitest';
import type { RolloutEvent, WaveProgress } from '../../../shared/src/api/rollouts.js';
import { auditTable, rolloutsTable, waveBar, watchFrame } from './rollout-view.js';
import { frameText } from './watch.js';

const wave = (name: string, clusters: number, phases: WaveProgress['phases'], state: WaveProgress['state']): WaveProgress => ({ index: 0, name, clusters, phases, state });
const SHA = 'abcdef0123456789'.padEnd(40, '0');

describe('rollout views', () => {
  it('draws a wave as healthy, failed and other shares of its bar', () => {
    expect(waveBar(wave('w', 4, { healthy: 2, failed: 1, directed: 1 }, 'active'), 8)).toBe('[####!!..]');
    expect(waveBar(wave('w', 3, { timedOut: 3 }, 'stopped'), 6)).toBe('[!!!!!!]');
    expect(waveBar(wave('w', 0, {}, 'pending'), 4)).toBe('[    ]');
  });

  it('renders a watch frame: headline, then one aligned line per wave', () => {
    const rollout: RolloutEvent = {
      id: 'r-1', revision: SHA, status: 'paused', reason: 'wave all: 1 of 2 clusters failed', plan: { revision: 'main', selector: {}, waves: [], progressDeadline: 1, offlinePolicy: 'wait', onFailure: 'pause' },
      wave: 1, createdAt: '2026-11-22T00:00:00.000Z', updatedAt: '2026-11-22T00:00:00.000Z',
      waves: [wave('canary', 1, { healthy: 1 }, 'done'), wave('all', 2, { healthy: 1, failed: 1 }, 'active')],
    };
    expect(watchFrame(rollout)).toEqual([
      'rollout r-1  revision abcdef012345  paused (wave all: 1 of 2 clusters failed)',
      'canary  [####################]  1/1 healthy, 0 failed, 0 other    done',
      'all     [##########!!!!!!!!!!]  1/2 healthy, 1 failed, 0 other    active',
    ]);
  });

  it('redraws in place on a terminal and prints plain lines otherwise', () => {
    expect(frameText(0, ['a', 'b'], false)).toBe('a\nb\n');
    expect(frameText(0, ['a'], true)).toBe('\x1b[2Ka\n\x1b[J');
    expect(frameText(2, ['a', 'b'], true)).toBe('\x1b[2F\x1b[2Ka\n\x1b[2Kb\n\x1b[J');
  });

  it('lists rollouts and audit entries as tables', () => {
    const list = rolloutsTable([
      { id: 'r-1', revision: SHA, status: 'running', reason: null, wave: 0, waves: [{ name: 'canary', clusters: 1 }], clusters: 3, origin: { by: 'operator', name: 'alice' }, createdAt: '2026-11-22T10:00:00.000Z', updatedAt: '2026-11-22T10:00:00.000Z' },
    ]);
    expect(list.split('\n')).toEqual([
      'ROLLOUT   REVISION       STATUS    WAVE     CLUSTERS   BY      CREATED',
      'r-1       abcdef012345   running   canary   3          alice   2026-11-22 10:00:00',
    ]);
    expect(auditTable([{ id: 7, at: '2026-11-22T10:00:00.000Z', rolloutId: 'r-1', clusterId: null, action: 'operator:pause', message: 'paused by alice' }]).split('\n')[1]).toBe(
      '7    2026-11-22 10:00:00   r-1       -         operator:pause   paused by alice',
    );
  });
});
