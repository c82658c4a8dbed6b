import { describe, expect, it } from 'vitest';
import { FleetSummary } from '../../../shared/src/api/clusters.js';
import { summarizeFleet } from './fleet-summary.js';
import type { ClusterView } from './cluster-view.js';

const A = 'a'.repeat(40);
const cluster = (id: string, presence: ClusterView['presence'], health?: 'Healthy' | 'Degraded', driftedObjects = 0): ClusterView => ({
  id,
  labels: {},
  presence,
  presenceAt: null,
  agentVersion: null,
  lastSeq: 0,
  statusAt: null,
  status: health
    ? { appliedRevision: A, desiredRevision: A, health, objectCount: 1, driftedObjects, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: '', lastTransitionTime: '2026-11-22T00:00:00Z' }] }
    : null,
});

describe('summarizeFleet', () => {
  it('counts presence, health, revisions and drift left in place', () => {
    const summary = summarizeFleet(
      [
        cluster('a', 'online', 'Healthy'),
        cluster('b', 'online', 'Degraded', 2),
        cluster('c', 'offline', 'Healthy'),
        cluster('d', 'unknown'),
      ],
      2,
    );
    expect(summary).toEqual({
      total: 4,
      online: 2,
      offline: 1,
      unknown: 1,
      health: { Healthy: 2, Degraded: 1, None: 1 },
      revisions: { [A]: 3, none: 1 },
      drifted: 1,
      activeRollouts: 2,
    });
    expect(FleetSummary.parse(summary)).toEqual(summary);
  });
});
