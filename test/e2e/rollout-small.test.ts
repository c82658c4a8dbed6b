/**
 * Rollouts end to end with a dozen real agents in this process: the hub's engine directs waves
 * over MQTT, agents fetch from git over HTTP and apply to the simulated API, whose controllers
 * make Deployments ready — or never, for a bad image on the clusters labelled `flaky`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/http-kube.js';
import { AgentConfig, resolveAgentSettings } from '../../agent/src/config.js';
import type { Hub } from '../../hub/src/hub.js';
import { writeSigningKeyPair } from '../../hub/src/signing-keys.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-fixtures.js';
import { startGitServer } from '../../simulators/src/git-server.js';
import type { GitServer } from '../../simulators/src/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { quietLogger, startTestHub } from '../support/hub-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';

const APP = 'apps/web';
const CLUSTERS = Array.from({ length: 12 }, (_, i) => `store-${String(i).padStart(2, '0')}`);
const labelsOf = (id: string) => {
  const n = Number(id.slice(-2));
  return { ring: n < 2 ? 'canary' : 'main', flaky: String(n % 3 === 2) };
};
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:\${tag}"}]}
`;
/** A release; `badOnFlaky` gives the clusters labelled flaky=true an image that never starts. */
const release = (n: number, badOnFlaky = false, rollout = '') => ({
  [`${APP}/deployment.yaml`]: deployment,
  [`${APP}/config.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {release: "${n}"}\n`,
  [`${APP}/fleet.yaml`]: `vars: {tag: "${n}"}\ntargets:\n  - name: flaky\n    clusterSelector: {matchLabels: {flaky: "true"}}\n    vars: {tag: "${badOnFlaky ? 'bad' : n}"}\n  - name: rest\n${rollout}`,
});
const plan = (revision: string, extra: Record<string, unknown> = {}) => ({
  revision,
  waves: [{ name: 'canary', selector: 'ring=canary' }, { name: 'quarter', percent: 25 }, { name: 'half', percent: 50 }, { name: 'all', percent: 100 }],
  progressDeadline: '20s',
  ...extra,
});

describe('rollouts with real agents', () => {
  const temp = makeTempDir('e2e-rollout');
  let git: GitServer;
  let kube: KubeApiServer;
  let hub: Hub;
  const agents: RunningAgent[] = [];
  const revisions: string[] = [];
  let bare: string;

  const applied = () => CLUSTERS.map((id) => hub.store.getCluster(id)?.status?.appliedRevision);

  beforeAll(async () => {
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0, controllers: { readyAfterMs: 200, failures: { imageTags: ['bad'], progressDeadlineMs: 500 } } });
    const keyFile = join(temp.dir, 'hub.key');
    writeSigningKeyPair(keyFile);
    hub = await startTestHub(temp.dir, { config: { source: { url: git.repoUrl('fleet.git'), path: APP }, signing: { keyFile }, rollouts: { tickMs: 200, watchSeconds: 0.3 } } });
    for (const n of [1, 2, 3]) revisions.push(await commitFiles(bare, { branch: 'main', message: `release ${n}`, files: release(n, n === 3) }));
    for (const id of CLUSTERS) {
      const token = await hub.registerCluster(id, labelsOf(id));
      const config = AgentConfig.parse({
        clusterId: id,
        labels: labelsOf(id),
        source: { url: git.repoUrl('fleet.git'), path: APP },
        hub: { url: hub.mqttUrl, trustedKeyFiles: [`${keyFile}.pub`] },
        dataDir: join(temp.dir, id),
        intervalSeconds: 0.5,
        health: { deadlineSeconds: 5 },
      });
      agents.push(await startAgent(resolveAgentSettings(config, temp.dir, { FLEET_AGENT_TOKEN: token }), quietLogger(), { kube: httpKubeFromUrl(kube.clusterUrl(id)) }));
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await hub?.close();
    await kube?.close();
    await git?.close();
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
    const commit = await commitFiles(bare, { branch: 'main', message: 'release 4', files: release(4, false, rollout) });
    await expect.poll(() => hub.rollouts!.list()[0], { timeout: 60_000, interval: 200 }).toMatchObject({ revision: commit, status: 'succeeded', origin: { by: 'git', commit } });
    expect(applied()).toEqual(CLUSTERS.map(() => commit));
  });
});
