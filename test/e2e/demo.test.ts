/**
 * What `npm start` does, checked: the demo fleet of 50 agents in directed mode installs release 1,
 * then a staged rollout of release 2 goes through its four waves (canary stores, 10 %, 50 %,
 * every store) within a minute, and stopping it leaves no temporary files behind.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { installPlan, stagedPlan, startDemo } from '../../deploy/demo/demo.js';
import { rolloutDetail } from '../../hub/src/core/rollout/progress.js';
import { quietLogger } from '../support/hub-fixture.js';

const origin = { by: 'operator', name: 'demo-test' } as const;

describe('the npm start demo', () => {
  it('rolls a new release out to 50 clusters in four waves within 60 s', { timeout: 120_000 }, async () => {
    const demo = await startDemo({ agents: 50, httpPort: 0, logger: quietLogger() });
    try {
      const applied = () => demo.hub.store.listClusters().map((c) => c.status?.appliedRevision);
      const install = await demo.rollouts.create(installPlan(demo.initialRevision), origin);
      await expect.poll(() => demo.rollouts.get(install.rollout.id)?.status, { timeout: 60_000, interval: 250 }).toBe('succeeded');
      expect(applied()).toEqual(Array(50).fill(demo.initialRevision));

      const release2 = await demo.pushRelease(2);
      const committedAt = Date.now();
      const { rollout } = await demo.rollouts.create(stagedPlan(release2), origin);
      await expect.poll(() => demo.rollouts.get(rollout.id)?.status, { timeout: 60_000, interval: 250 }).toBe('succeeded');
      expect(Date.now() - committedAt).toBeLessThan(60_000);
      const detail = rolloutDetail(demo.rollouts.get(rollout.id)!);
      // 3 canary stores, then up to 10 % (5), 50 % (25) and every store (50), cumulatively.
      expect(detail.waves.map((w) => [w.name, w.clusters, w.state])).toEqual([
        ['canary', 3, 'done'],
        ['ten', 2, 'done'],
        ['half', 20, 'done'],
        ['all', 25, 'done'],
      ]);
      expect(applied()).toEqual(Array(50).fill(release2));
      expect(demo.hub.store.listClusters().every((c) => c.status?.health === 'Healthy')).toBe(true);

      const deployment = await demo.kube
        .cluster('store-050')
        .get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'storefront' });
      expect(JSON.stringify(deployment?.['spec'])).toContain('nginx:1.27.3');
    } finally {
      await demo.stop();
    }
    expect(existsSync(demo.dir)).toBe(false);
  });
});
