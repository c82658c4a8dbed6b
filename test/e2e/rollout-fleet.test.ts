/**
 * Rollouts at fleet scale: 200 real agents in child processes (the fleet simulator), one hub,
 * one Git server and one simulated Kubernetes API whose controllers fail images tagged `:bad`.
 * Every plan has four waves: the canary stores, 10 %, 50 %, 100 %. Cases run in order, each
 * starting from the revision the previous one left the fleet on.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../hub/src/hub.js';
import { writeSigningKeyPair } from '../../hub/src/access/signing-keys.js';
import { startFleet } from '../../simulators/src/fleet/fleet.js';
import type { Fleet } from '../../simulators/src/fleet/fleet.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { startTestHub } from '../support/hub-fixture.js';
import { FLEET_APP, fleetRelease } from '../support/rollout-fleet.js';
import { makeTempDir } from '../support/temp-dir.js';

const COUNT = 200;
/**
 * Four canary stores (none flaky); 30 % of the fleet (i mod 10 < 3) labelled flaky; ten slices
 * of 20 stores (i mod 10), slice 5 holding the canaries.
 */
const labelsOf = (i: number) => ({ ring: i % 50 === 5 ? 'canary' : 'main', flaky: String(i % 10 < 3), slice: String(i % 10) });
const CANARY = 'site-0005';
/**
 * The offline cases roll out to slice 5 only (20 stores, same four waves), so that a deadline
 * short enough to wait out is still long enough for every wave on a busy 2-core machine.
 */
const SLICE = 'slice=5';
const DEADLINE = '8s';
const DEADLINE_MS = 8_000;

const plan = (revision: string, extra: Record<string, unknown> = {}) => ({
  revision,
  waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'ten', percent: 10 }, { name: 'half', percent: 50 }, { name: 'all', percent: 100 }],
  progressDeadline: '60s',
  ...extra,
});
const origin = { by: 'operator', name: 'test' } as const;

describe(`rollouts across a fleet of ${COUNT} real agents`, () => {
  const temp = makeTempDir('e2e-fleet');
  const keyFile = join(temp.dir, 'hub.key');
  let git: GitServer;
  let kube: KubeApiServer;
  let hub: Hub;
  let fleet: Fleet;
  let bare: string;
  let mqttPort: number;

  const startHub = (port = 0) =>
    startTestHub(temp.dir, {
      config: {
        source: { url: git.repoUrl('fleet.git'), path: FLEET_APP },
        signing: { keyFile },
        rollouts: { tickMs: 200 },
        // The whole fleet connects from 127.0.0.1 at once: the per-address limit is for real fleets.
        mqtt: { port, connectionRate: { perSecond: 2000, burst: 2000, perAddressPerSecond: 2000, perAddressBurst: 2000 } },
      },
    });
  const statuses = () => fleet.clusterIds.map((id) => hub.store.getCluster(id)?.status);
  /** Clusters not (yet) healthy on `revision`, with what they report, so that a failure says who. */
  const notOn = (revision: string, ids: readonly string[] = fleet.clusterIds) =>
    ids.flatMap((id) => {
      const s = hub.store.getCluster(id)?.status;
      return s?.appliedRevision === revision && s.health === 'Healthy' ? [] : [`${id}: ${s?.appliedRevision?.slice(0, 7) ?? 'none'} ${s?.health ?? ''}`];
    });
  /** Status and reason, so that a rollout stuck in another status says why. */
  const outcomeOf = (id: string) => {
    const rollout = hub.rollouts!.get(id);
    return { status: rollout?.status, reason: rollout?.reason ?? null };
  };
  const commitRelease = (n: number, badOnFlaky = false) => commitFiles(bare, { branch: 'main', message: `release ${n}`, files: fleetRelease(n, badOnFlaky) });

  beforeAll(async () => {
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0, controllers: { readyAfterMs: 200, failures: { imageTags: ['bad'], progressDeadlineMs: 500 } } });
    writeSigningKeyPair(keyFile);
    hub = await startHub();
    mqttPort = Number(new URL(hub.mqttUrl).port);
    const tokens: Record<string, string> = {};
    for (let i = 0; i < COUNT; i++) {
      const id = `site-${String(i).padStart(4, '0')}`;
      tokens[id] = await hub.registerCluster(id, labelsOf(i));
    }
    fleet = await startFleet({
      count: COUNT,
      hub: { mqttUrl: hub.mqttUrl, tokens },
      git: { url: git.repoUrl('fleet.git'), path: FLEET_APP },
      kubeUrl: kube.url,
      trustedKeyFile: `${keyFile}.pub`,
      labels: labelsOf,
      dataDir: join(temp.dir, 'agents'),
      agentsPerProcess: 50,
      intervalSeconds: 1,
      agentConfig: { health: { deadlineSeconds: 3 } },
    });
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
    await hub?.close();
    await kube?.close();
    await git?.close();
    temp.remove();
  }, 60_000);

  it('moves every cluster through four waves to a healthy revision', { timeout: 90_000 }, async () => {
    await expect.poll(() => hub.store.listClusters().filter((c) => c.presence === 'online').length, { timeout: 60_000, interval: 250 }).toBe(COUNT);
    const revision = await commitRelease(1);
    const { rollout } = await hub.rollouts!.create(plan(revision), origin);
    expect(rollout.clusters.size).toBe(COUNT);
    await expect.poll(() => outcomeOf(rollout.id), { timeout: 80_000, interval: 250 }).toEqual({ status: 'succeeded', reason: null });
    expect(notOn(revision)).toEqual([]);
  });

  it('stops a revision that fails on 30 % of the clusters in wave ten and rolls it back', { timeout: 90_000 }, async () => {
    const previous = statuses()[0]!.appliedRevision;
    const revision = await commitRelease(2, true);
    const { rollout } = await hub.rollouts!.create(plan(revision, { onFailure: 'rollback' }), origin);
    await expect.poll(() => outcomeOf(rollout.id).status, { timeout: 80_000, interval: 250 }).toBe('rolledBack');
    const final = hub.rollouts!.get(rollout.id)!;
    const ran = [...final.clusters].filter(([, p]) => p.directedAt !== null).map(([id]) => id);
    // The stable order (SHA-256 of the cluster id) puts 1 flaky store among the 16 of wave ten:
    // 20 of 200 clusters ran the bad revision (the 4 canaries and wave ten), 1 of them failing.
    expect(final.reason).toMatch(/^wave ten: 1 of 16 clusters failed, more than the 0 allowed/);
    expect(ran).toHaveLength(20);
    await expect.poll(() => notOn(previous!), { timeout: 30_000, interval: 250 }).toEqual([]);
  });

  it('waits for an offline canary past the progress deadline, and completes once it is back', { timeout: 120_000 }, async () => {
    await fleet.setOnline(CANARY, false);
    let rolloutId: string;
    try {
      await expect.poll(() => hub.store.getCluster(CANARY)?.presence, { timeout: 10_000, interval: 100 }).toBe('offline');
      const revision = await commitRelease(3);
      ({ rollout: { id: rolloutId } } = await hub.rollouts!.create(plan(revision, { selector: SLICE, offlinePolicy: 'wait', progressDeadline: DEADLINE }), origin));
      const canary = () => hub.rollouts!.get(rolloutId)!.clusters.get(CANARY)!;
      await expect.poll(() => Date.now() - canary().directedAt! > DEADLINE_MS + 1000, { timeout: 30_000, interval: 250 }).toBe(true);
      expect(canary().phase).toBe('offline');
      expect(hub.rollouts!.get(rolloutId)).toMatchObject({ status: 'running', wave: 0 });
    } finally {
      await fleet.setOnline(CANARY, true);
    }
    await expect.poll(() => outcomeOf(rolloutId), { timeout: 90_000, interval: 250 }).toEqual({ status: 'succeeded', reason: null });
    const final = hub.rollouts!.get(rolloutId)!;
    expect(final.clusters.size).toBe(20);
    expect(notOn(final.revision, [...final.clusters.keys()])).toEqual([]);
  });

  it('skips an offline canary after the progress deadline with offlinePolicy skip', { timeout: 120_000 }, async () => {
    await fleet.setOnline(CANARY, false);
    let revision: string;
    try {
      await expect.poll(() => hub.store.getCluster(CANARY)?.presence, { timeout: 10_000, interval: 100 }).toBe('offline');
      const before = hub.store.getCluster(CANARY)!.status!.appliedRevision;
      revision = await commitRelease(4);
      const { rollout } = await hub.rollouts!.create(plan(revision, { selector: SLICE, offlinePolicy: 'skip', progressDeadline: DEADLINE }), origin);
      await expect.poll(() => outcomeOf(rollout.id), { timeout: 90_000, interval: 250 }).toEqual({ status: 'succeeded', reason: null });
      expect(hub.rollouts!.get(rollout.id)!.clusters.get(CANARY)).toMatchObject({ phase: 'skipped', reason: `offline past the progress deadline (${DEADLINE})` });
      const rest = [...hub.rollouts!.get(rollout.id)!.clusters.keys()].filter((id) => id !== CANARY);
      expect(rest).toHaveLength(19);
      expect(notOn(revision, rest)).toEqual([]);
      expect(hub.store.getCluster(CANARY)!.status!.appliedRevision).toBe(before);
    } finally {
      await fleet.setOnline(CANARY, true);
    }
    // Its directive was published retained when its wave started: back online, it catches up.
    await expect.poll(() => hub.store.getCluster(CANARY)?.status?.appliedRevision, { timeout: 20_000, interval: 250 }).toBe(revision);
  });

  it('reaches the same outcome when the hub restarts mid-rollout', { timeout: 120_000 }, async () => {
    const revision = await commitRelease(5);
    const { rollout } = await hub.rollouts!.create(plan(revision), origin);
    await expect.poll(() => hub.rollouts!.get(rollout.id)!.wave, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    await hub.close();
    hub = await startHub(mqttPort);
    expect(hub.mqttUrl).toContain(`:${mqttPort}`);
    await expect.poll(() => outcomeOf(rollout.id), { timeout: 100_000, interval: 250 }).toEqual({ status: 'succeeded', reason: null });
    expect(notOn(revision)).toEqual([]);
    // The restarted hub found every cluster of the rollout, the later waves' pending ones too.
    const final = hub.rollouts!.get(rollout.id)!;
    expect(final.clusters.size).toBe(COUNT);
    expect([...final.clusters.values()].every((p) => p.phase === 'healthy')).toBe(true);
  });
});
