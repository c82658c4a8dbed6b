/**
 * Signed directives end to end, every part real: `hub keygen` as shipped, the hub's aedes broker
 * with mqtt.js agents in directed mode, git over HTTP, the simulated Kubernetes API over HTTP.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/kube/http-kube.js';
import { AgentConfig, resolveAgentSettings } from '../../agent/src/config/agent-config.js';
import type { Hub } from '../../hub/src/hub.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { builtBinary } from '../support/built-binary.js';
import { quietLogger, startTestHub } from '../support/hub-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const APP = 'apps/shop';
const configMap = (release: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata: {release: "${release}"}\n`;
const configRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'default' };

describe('signed directives: hub keygen → hub → agents in directed mode', () => {
  const temp = makeTempDir('e2e-directives');
  const keyFile = join(temp.dir, 'hub-signing.key');
  let git: GitServer;
  let kube: KubeApiServer;
  let hub: Hub;
  let bare: string;
  let mqttPort: number;
  const agents = new Map<string, RunningAgent>();
  const tokens = new Map<string, string>();

  const hubConfig = () => ({
    source: { url: git.repoUrl('fleet.git'), path: APP },
    signing: { keyFile },
  });
  const startDirectedAgent = async (clusterId: string, dataDir = join(temp.dir, clusterId)) => {
    const config = AgentConfig.parse({
      clusterId,
      source: { url: git.repoUrl('fleet.git'), path: APP },
      hub: { url: `mqtt://127.0.0.1:${mqttPort}`, trustedKeyFiles: [`${keyFile}.pub`] },
      dataDir,
      intervalSeconds: 0.3,
    });
    const settings = resolveAgentSettings(config, temp.dir, { FLEET_AGENT_TOKEN: tokens.get(clusterId)! });
    agents.set(clusterId, await startAgent(settings, quietLogger(), { kube: httpKubeFromUrl(kube.clusterUrl(clusterId)) }));
  };
  const hubStatus = (clusterId: string) => hub.store.getCluster(clusterId)?.status;
  const release = async (clusterId: string) => (await kube.cluster(clusterId).get(configRef))?.['data'];

  beforeAll(async () => {
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
  });

  afterAll(async () => {
    await Promise.all([...agents.values()].map((agent) => agent.stop()));
    await hub?.close();
    await kube?.close();
    await git?.close();
    temp.remove();
  });

  it('keygen writes a private key only its owner can read, and never overwrites one', async () => {
    const hubBin = builtBinary('hub/src/main.js');
    const { stdout } = await run(process.execPath, [hubBin, 'keygen', '--out', keyFile]);
    expect(stdout).toMatch(/^key [0-9a-f]{16}\n/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(`${keyFile}.pub`).mode & 0o777).toBe(0o644 & ~process.umask());
    const again = await run(process.execPath, [hubBin, 'keygen', '--out', keyFile]).catch((error: { code: number; stderr: string }) => error);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('never overwrites') });
  });

  it('agents wait for a directive, then run exactly the directed revision; the hub sees which directive', async () => {
    const v1 = await commitFiles(bare, { branch: 'main', message: 'v1', files: { [`${APP}/app.yaml`]: configMap('1') } });
    const v2 = await commitFiles(bare, { branch: 'main', message: 'v2', files: { [`${APP}/app.yaml`]: configMap('2') } });
    hub = await startTestHub(temp.dir, { config: hubConfig() });
    mqttPort = Number(new URL(hub.mqttUrl).port);
    for (const id of ['store-1', 'store-2']) {
      tokens.set(id, await hub.registerCluster(id, {}));
      await startDirectedAgent(id);
    }
    await expect.poll(() => hubStatus('store-1')?.conditions.find((c) => c.type === 'Ready')?.reason, { timeout: 15_000 }).toBe('AwaitingDirective');
    expect(await release('store-1')).toBeUndefined();

    const [directive] = await hub.directives!.issue({ clusterIds: ['store-1'], revision: v1, rolloutId: 'r-1', wave: 'canary' });
    await expect.poll(() => hubStatus('store-1')?.appliedRevision, { timeout: 15_000 }).toBe(v1);
    expect(hubStatus('store-1')?.directive).toEqual({ seq: directive!.seq, rolloutId: 'r-1', wave: 'canary' });
    expect(await release('store-1')).toEqual({ release: '1' });
    expect(hubStatus('store-2')?.appliedRevision).toBeNull();

    // The head is v2, but store-1 runs what it was told; a newer directive moves it.
    await hub.directives!.issue({ clusterIds: ['store-1', 'store-2'], revision: v2, rolloutId: 'r-2', wave: 'all' });
    await expect.poll(() => ['store-1', 'store-2'].map((id) => hubStatus(id)?.appliedRevision), { timeout: 15_000 }).toEqual([v2, v2]);
    expect(await release('store-2')).toEqual({ release: '2' });
  });

  it('after a hub restart, a reinstalled agent still finds its directive (published again, retained)', async () => {
    const expected = hubStatus('store-2')?.appliedRevision;
    await agents.get('store-2')!.stop();
    agents.delete('store-2');
    await hub.close();
    await kube.cluster('store-2').delete(configRef);
    hub = await startTestHub(temp.dir, { config: { ...hubConfig(), mqtt: { port: mqttPort } } });
    await startDirectedAgent('store-2', join(temp.dir, 'store-2-reinstalled'));
    await expect.poll(() => release('store-2'), { timeout: 15_000 }).toEqual({ release: '2' });
    await expect.poll(() => hubStatus('store-2')?.appliedRevision, { timeout: 15_000 }).toBe(expected);
  });
});
