/**
 * The fleet simulator itself, small: real agents in two child processes connect to a real hub,
 * one goes offline and comes back on the same data dir, and stopping the fleet leaves no
 * process behind — nor does the parent going away.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../hub/src/hub.js';
import { writeSigningKeyPair } from '../../hub/src/access/signing-keys.js';
import { startFleet } from '../../simulators/src/fleet/fleet.js';
import { createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { startTestHub } from '../support/hub-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the fleet simulator', () => {
  const temp = makeTempDir('e2e-fleet-sim');
  const keyFile = join(temp.dir, 'hub.key');
  let git: GitServer;
  let kube: KubeApiServer;
  let hub: Hub;

  beforeAll(async () => {
    await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
    writeSigningKeyPair(keyFile);
    hub = await startTestHub(temp.dir, { config: { source: { url: git.repoUrl('fleet.git') }, signing: { keyFile } } });
  });

  afterAll(async () => {
    await hub?.close();
    await kube?.close();
    await git?.close();
    temp.remove();
  });

  it('runs agents in child processes, takes one offline and back, and stops them all', { timeout: 60_000 }, async () => {
    const ids = ['site-0000', 'site-0001', 'site-0002'];
    const tokens: Record<string, string> = {};
    for (const id of ids) tokens[id] = await hub.registerCluster(id, { ring: id === 'site-0000' ? 'canary' : 'main' });
    const fleet = await startFleet({
      count: 3,
      hub: { mqttUrl: hub.mqttUrl, tokens },
      git: { url: git.repoUrl('fleet.git') },
      kubeUrl: kube.url,
      trustedKeyFile: `${keyFile}.pub`,
      labels: (i) => ({ ring: i === 0 ? 'canary' : 'main' }),
      dataDir: join(temp.dir, 'agents'),
      agentsPerProcess: 2,
      intervalSeconds: 1,
    });
    const presence = () => ids.map((id) => hub.store.getCluster(id)?.presence);
    try {
      expect(fleet.clusterIds).toEqual(ids);
      await expect.poll(presence, { timeout: 20_000, interval: 100 }).toEqual(['online', 'online', 'online']);
      const stats = await fleet.stats();
      expect(stats.map((s) => s.agents)).toEqual([2, 1]);

      await fleet.setOnline('site-0001', false);
      await expect.poll(presence, { timeout: 10_000, interval: 100 }).toEqual(['online', 'offline', 'online']);
      expect(existsSync(join(temp.dir, 'agents', 'site-0001', 'agent.db'))).toBe(true);
      await fleet.setOnline('site-0001', true);
      await expect.poll(presence, { timeout: 10_000, interval: 100 }).toEqual(['online', 'online', 'online']);
      await expect(fleet.setOnline('site-9999', false)).rejects.toThrow(/no cluster site-9999/);

      await fleet.stop();
      expect(stats.map((s) => alive(s.pid))).toEqual([false, false]);
      await expect.poll(presence, { timeout: 10_000, interval: 100 }).toEqual(['offline', 'offline', 'offline']);
    } finally {
      await fleet.stop();
    }
  });

  it('refuses a cluster without a token before starting any process', async () => {
    await expect(
      startFleet({ count: 1, hub: { mqttUrl: hub.mqttUrl, tokens: {} }, git: { url: git.repoUrl('fleet.git') }, kubeUrl: kube.url, trustedKeyFile: `${keyFile}.pub`, dataDir: join(temp.dir, 'none') }),
    ).rejects.toThrow(/no hub token for cluster site-0000/);
  });

  it('leaves no agent host running when its parent dies', { timeout: 30_000 }, async () => {
    // A parent that starts a host and is then killed without a chance to clean up.
    const parent = fork(join(import.meta.dirname, 'fixtures', 'fleet-parent.ts'), [join(temp.dir, 'orphan')], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const hostPid = await new Promise<number>((resolve) => parent.once('message', (pid) => resolve(pid as number)));
    expect(alive(hostPid)).toBe(true);
    parent.kill('SIGKILL');
    await expect.poll(() => alive(hostPid), { timeout: 10_000, interval: 100 }).toBe(false);
  });
});
