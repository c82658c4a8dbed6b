/**
 * Rollouts end to end with a dozen real agents in this process: the hub's engine directs waves
 * over MQTT, agents fetch from git over HTTP and apply to the simulated API, whose controllers
 * make Deployments ready — or never, for a bad image on the clusters labelled `flaky`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../hub/src/hub.js';
import { startRolloutFleet } from '../support/rollout-fleet.js';
import type { RolloutFleet } from '../support/rollout-fleet.js';
import { makeTempDir } from '../support/temp-dir.js';

const CLUSTERS = Array.from({ length: 12 }, (_, i) => `store-${String(i).padStart(2, '0')}`);
const labelsOf = (id: string) => {
  const n = Number(id.slice(-2));
  return { ring: n < 2 ? 'canary' : 'main', flaky: String(n % 3 === 2) };
};
const plan = (revision: string, extra: Record<string, unknown> = {}) => ({
  revision,
  waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'quarter', percent: 25 }, { name: 'half', percent: 50 }, { name: 'all', percent: 100 }],
  progressDeadline: '20s',
  ...extra,
});

describe('rollouts with real agents', () => {
  const temp = makeTempDir('e2e-rollout');
  let fleet: RolloutFleet;
  let hub: Hub;
  const revisions: string[] = [];

  const applied = () => CLUSTERS.map((id) => hub.store.getCluster(id)?.status?.appliedRevision);

  beforeAll(async () => {
    fleet = await startRolloutFleet(temp.dir, Object.fromEntries(CLUSTERS.map((id) => [id, labelsOf(id)])), { hubRollouts: { watchSeconds: 0.3 } });
    hub = fleet.hub;
    for (const n of [1, 2, 3]) revisions.push(await fleet.commitRelease(n, n === 3));
  }, 60_000);

  afterAll(async () => {
    await fleet?.close();
    temp.remove();
  });

  it('moves every cluster through four waves to a healthy revision', { timeout: 90_000 }, async () => {
    const { rollout } = await hub.rollouts!.create(plan(revisions[1]!), { by: 'operator', name: 'test' });
    expect(rollout.status).toBe('running');
    await expect.poll(() => hub.rollouts!.get(rollout.id)?.status, { timeout: 60_000, interval: 200 }).toBe('succeeded');
    expect(applied()).toEqual(CLUSTERS.map(() => revisions[1]));
  });

  it('stops a revision that fails on the flaky clusters in an early wave and rolls back', { timeout: 90_000 }, async () => {
    const { rollout } = await hub.rollouts!.create(plan(revisions[2]!, { onFailure: 'rollback' }), { by: 'operator', name: 'test' });
    await expect.poll(() => hub.rollouts!.get(rollout.id)?.status, { timeout: 60_000, interval: 200 }).toBe('rolledBack');
    const final = hub.rollouts!.get(rollout.id)!;
    const touched = [...final.clusters.values()].filter((p) => p.directedAt !== null).length;
    // The stable order puts the first flaky store in wave half: 6 of 12 stores ran the bad
    // revision (2 canaries, 1 in quarter, 3 in half), 1 of them failing, before it stopped.
    expect(final.reason).toMatch(/^wave half: 1 of 3 clusters failed, more than the 0 allowed/);
    expect(touched).toBe(6);
    await expect.poll(applied, { timeout: 30_000, interval: 200 }).toEqual(CLUSTERS.map(() => revisions[1]));
  });

  it('starts a rollout by itself for a new commit whose fleet.yaml has a rollout section', { timeout: 90_000 }, async () => {
    const rollout = 'rollout:\n  waves:\n    - {name: canary, selector: ring=canary}\n    - {name: all, percent: 100}\n  progressDeadline: 20s\n';
    const commit = await fleet.commitRelease(4, false, rollout);
    await expect.poll(() => hub.rollouts!.list()[0], { timeout: 60_000, interval: 200 }).toMatchObject({ revision: commit, status: 'succeeded', origin: { by: 'git', commit } });
    expect(applied()).toEqual(CLUSTERS.map(() => commit));
  });
});
