/**
 * The walking skeleton end to end, every part real: git over HTTP (git http-backend), the hub's
 * aedes broker with mqtt.js agents, the simulated Kubernetes API through client-node over HTTP,
 * SQLite files on disk. Three agents converge on commit A, then on commit B.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/kube/http-kube.js';
import { AgentConfig } from '../../agent/src/config/agent-config.js';
import type { Hub } from '../../hub/src/hub.js';
import type { ClusterView } from '../../hub/src/core/cluster-view.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { quietLogger, startTestHub } from '../support/hub-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';

const CLUSTERS = ['store-1', 'store-2', 'store-3'];
const configMap = (release: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: shop\ndata:\n  release: "${release}"\n`;
const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
const configRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app-config', namespace: 'shop' };

describe('end to end: Git commit → agents → simulated clusters → hub', () => {
  const temp = makeTempDir('e2e-skeleton');
  let git: GitServer;
  let kube: KubeApiServer;
  let hub: Hub;
  let bare: string;
  const agents: RunningAgent[] = [];

  let apiToken: string;

  const hubClusters = async (): Promise<ClusterView[]> => {
    const response = await fetch(`${hub.httpUrl}/api/v1/clusters`, { headers: { authorization: `Bearer ${apiToken}` } });
    return ((await response.json()) as { items: ClusterView[] }).items;
  };
  const appliedRevisions = async () => (await hubClusters()).map((c) => c.status?.appliedRevision);

  beforeAll(async () => {
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
    hub = await startTestHub(temp.dir);
    apiToken = await hub.createApiToken('test', 'viewer');
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await hub?.close();
    await kube?.close();
    await git?.close();
    temp.remove();
  });

  it('converges every cluster on commit A, then on commit B', async () => {
    const commitA = await commitFiles(bare, {
      branch: 'main',
      message: 'A',
      files: { 'apps/shop/namespace.yaml': namespace, 'apps/shop/config.yaml': configMap('A'), 'README.md': 'fleet' },
    });
    for (const clusterId of CLUSTERS) {
      const token = await hub.registerCluster(clusterId, { region: 'eu' });
      const { hub: _none, ...config } = AgentConfig.parse({
        clusterId,
        source: { url: git.repoUrl('fleet.git'), path: 'apps/shop' },
        dataDir: join(temp.dir, clusterId),
        intervalSeconds: 0.2,
      });
      agents.push(
        await startAgent({ ...config, mode: 'track', hub: { url: hub.mqttUrl, token } }, quietLogger(), {
          kube: httpKubeFromUrl(kube.clusterUrl(clusterId)),
        }),
      );
    }

    await expect.poll(appliedRevisions, { timeout: 20_000, interval: 100 }).toEqual([commitA, commitA, commitA]);
    for (const clusterId of CLUSTERS) {
      expect((await kube.cluster(clusterId).get(configRef))?.['data']).toEqual({ release: 'A' });
    }

    const commitB = await commitFiles(bare, { branch: 'main', message: 'B', files: { 'apps/shop/config.yaml': configMap('B') } });
    await expect.poll(appliedRevisions, { timeout: 20_000, interval: 100 }).toEqual([commitB, commitB, commitB]);
    for (const clusterId of CLUSTERS) {
      const live = await kube.cluster(clusterId).get(configRef);
      expect(live?.['data']).toEqual({ release: 'B' });
      expect(live?.metadata.labels).toMatchObject({ 'edge-fleet.dev/owner': 'edge-agent' });
    }

    const clusters = await hubClusters();
    expect(clusters.map((c) => [c.id, c.presence, c.status?.objectCount])).toEqual(CLUSTERS.map((id) => [id, 'online', 2]));
    expect(clusters.every((c) => c.status?.conditions.some((k) => k.type === 'Ready' && k.status === 'True'))).toBe(true);
  });

  it('shows the fleet through fleetctl', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../../hub/src/fleetctl/main.ts'), '--hub', hub.httpUrl, 'clusters'],
      { timeout: 20_000, env: { ...process.env, FLEET_TOKEN: apiToken } },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+PRESENCE\s+APPLIED/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(CLUSTERS);
    expect(lines.slice(1).every((line) => /online/.test(line) && /True\/ReconciliationSucceeded/.test(line))).toBe(true);
  });
});
