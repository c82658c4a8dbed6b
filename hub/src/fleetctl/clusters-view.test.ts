import { describe, expect, it } from 'vitest';
import { clustersTable } from './clusters-view.js';

describe('clustersTable', () => {
  it('aligns one row per cluster with its revision, readiness and labels', () => {
    const table = clustersTable([
      {
        id: 'store-1',
        labels: { region: 'eu', tier: 'canary' },
        presence: 'online',
        presenceAt: null,
        agentVersion: '0.1.0',
        lastSeq: 4,
        statusAt: null,
        status: {
          appliedRevision: 'abcdef0123456789'.padEnd(40, '0'),
          desiredRevision: null,
          health: 'Unknown',
          objectCount: 3,
          conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: '', lastTransitionTime: '2026-11-22T00:00:00Z' }],
        },
      },
      { id: 'store-20', labels: {}, presence: 'unknown', presenceAt: null, agentVersion: null, lastSeq: 0, status: null, statusAt: null },
    ]);
    expect(table.split('\n')).toEqual([
      'CLUSTER    PRESENCE   APPLIED        HEALTH    READY          OBJECTS   LABELS',
      'store-1    online     abcdef012345   Unknown   True/Applied   3         region=eu,tier=canary',
      'store-20   unknown    -              -         -              -         -',
    ]);
  });
});
