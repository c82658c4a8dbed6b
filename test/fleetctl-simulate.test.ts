/** `fleetctl rollout simulate` against a real hub: the fleet comes from its HTTP API. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../hub/src/hub.js';
import { addSimulateCommand } from '../hub/src/fleetctl/simulate-command.js';
import { startTestHub } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

describe('fleetctl rollout simulate against a hub', () => {
  const temp = makeTempDir('fleetctl-simulate-hub');
  let hub: Hub;
  let token: string;

  beforeAll(async () => {
    hub = await startTestHub(temp.dir);
    token = await hub.createApiToken('planner', 'viewer');
    for (const [id, ring] of [['store-c1', 'canary'], ['store-c2', 'canary'], ['store-1', 'main'], ['store-2', 'main'], ['store-3', 'main']] as const) {
      await hub.registerCluster(id, { ring });
    }
    // Presence as the agents would announce it; store-3 has never connected.
    for (const id of ['store-c1', 'store-c2', 'store-1']) hub.store.setPresence(id, 'online', '0.1.0', new Date());
    hub.store.setPresence('store-2', 'offline', '0.1.0', new Date());
  });

  afterAll(async () => {
    await hub?.close();
    temp.remove();
  });

  const run = async (plan: string, args: string[] = []) => {
    const file = join(temp.dir, 'plan.yaml');
    writeFileSync(file, plan);
    const out: string[] = [];
    const root = new Command('fleetctl').exitOverride();
    addSimulateCommand(root.command('rollout'), { print: (text) => out.push(text), env: {} }).exitOverride();
    await root.parseAsync(['rollout', 'simulate', '--hub', hub.httpUrl, '--token', token, '--plan', file, ...args], { from: 'user' });
    return out.join('\n');
  };

  const plan = (offlinePolicy: string) => `revision: main
offlinePolicy: ${offlinePolicy}
progressDeadline: 10m
waves:
  - {name: canary, selector: ring=canary, bake: 5m}
  - {name: rest}
`;

  it('waits on the clusters that are offline, or skips them', async () => {
    const waited = JSON.parse(await run(plan('wait'), ['-o', 'json'])) as Record<string, unknown>;
    expect(waited).toMatchObject({ fleet: 5, clusters: 5, status: 'running', end: 'stuck', exposure: { clusters: 3, failed: 0 } });
    const skipped = await run(plan('skip'));
    expect(skipped).toMatch(/^outcome: {3}succeeded after \d+m\d\ds of simulated time/);
    expect(skipped).toContain('exposure:  3 of 5 clusters in the rollout would run the new revision, 0 of them failing');
    expect(skipped).toMatch(/rest +3 +\S+ +\S+ +1 +0 +healthy=1,skipped=2/);
  });
});
