/**
 * What `npm start` does, checked: the demo fleet of 50 agents reaches release 1, then release 2
 * within a minute of its commit, and stopping it leaves no temporary files behind.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../deploy/demo/demo.js';
import { quietLogger } from '../support/hub-fixture.js';

describe('the npm start demo', () => {
  it('brings 50 clusters to a new commit within 60 s', { timeout: 120_000 }, async () => {
    const demo = await startDemo({ agents: 50, httpPort: 0, logger: quietLogger() });
    try {
      const applied = () => demo.hub.store.listClusters().map((c) => c.status?.appliedRevision);
      await expect.poll(applied, { timeout: 60_000, interval: 250 }).toEqual(Array(50).fill(demo.initialRevision));

      const release2 = await demo.pushRelease(2);
      const committedAt = Date.now();
      await expect.poll(applied, { timeout: 60_000, interval: 250 }).toEqual(Array(50).fill(release2));
      expect(Date.now() - committedAt).toBeLessThan(60_000);

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
