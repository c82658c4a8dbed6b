/**
 * A small directed fleet for API and CLI tests: a Git server with the fleet repository, a
 * signing hub with rollouts, the simulated Kubernetes API, and real agents in this process.
 * Releases are a Deployment whose image tag is the release number; `release(n, true)` gives the
 * clusters labelled flaky=true an image that never starts.
 */
import { join } from 'node:path';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/kube/http-kube.js';
import { AgentConfig, resolveAgentSettings } from '../../agent/src/config/agent-config.js';
import type { Hub } from '../../hub/src/hub.js';
import { writeSigningKeyPair } from '../../hub/src/access/signing-keys.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import { quietLogger, startTestHub } from './hub-fixture.js';

/** The bundle folder of the fleet repository. */
export const FLEET_APP = 'apps/web';
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

/**
 * The files of release `n`: a Deployment with image tag `n` and a ConfigMap saying `n`;
 * `badOnFlaky` gives the clusters labelled flaky=true an image that never starts; `rollout` is
 * a `rollout:` section appended to fleet.yaml.
 */
export const fleetRelease = (n: number, badOnFlaky = false, rollout = '') => ({
  [`${FLEET_APP}/deployment.yaml`]: deployment,
  [`${FLEET_APP}/config.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {release: "${n}"}\n`,
  [`${FLEET_APP}/fleet.yaml`]: `vars: {tag: "${n}"}\ntargets:\n  - name: flaky\n    clusterSelector: {matchLabels: {flaky: "true"}}\n    vars: {tag: "${badOnFlaky ? 'bad' : n}"}\n  - name: rest\n${rollout}`,
});

export interface RolloutFleet {
  hub: Hub;
  /** Commits release `n` (`fleetRelease`) on main and returns its SHA. */
  commitRelease(n: number, badOnFlaky?: boolean, rollout?: string): Promise<string>;
  close(): Promise<void>;
}

/** `hubRollouts` adds to the hub's `rollouts` config (e.g. `watchSeconds` for rollouts from Git). */
export async function startRolloutFleet(
  dir: string,
  clusters: Readonly<Record<string, Record<string, string>>>,
  options: { hubRollouts?: Record<string, unknown> } = {},
): Promise<RolloutFleet> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const bare = await createBareRepo(join(dir, 'repos'), 'fleet.git');
    const git = await startGitServer({ root: join(dir, 'repos') });
    cleanups.push(() => git.close());
    const kube = await startKubeApiServer({ port: 0, controllers: { readyAfterMs: 200, failures: { imageTags: ['bad'], progressDeadlineMs: 500 } } });
    cleanups.push(() => kube.close());
    const keyFile = join(dir, 'hub.key');
    writeSigningKeyPair(keyFile);
    const hub = await startTestHub(dir, { config: { source: { url: git.repoUrl('fleet.git'), path: FLEET_APP }, signing: { keyFile }, rollouts: { tickMs: 200, ...options.hubRollouts } } });
    cleanups.push(() => hub.close());
    const agents: RunningAgent[] = [];
    cleanups.push(async () => void (await Promise.all(agents.map((agent) => agent.stop()))));
    for (const [id, labels] of Object.entries(clusters)) {
      const token = await hub.registerCluster(id, labels);
      const config = AgentConfig.parse({
        clusterId: id,
        labels,
        source: { url: git.repoUrl('fleet.git'), path: FLEET_APP },
        hub: { url: hub.mqttUrl, trustedKeyFiles: [`${keyFile}.pub`] },
        dataDir: join(dir, id),
        intervalSeconds: 0.5,
        health: { deadlineSeconds: 3 },
      });
      agents.push(await startAgent(resolveAgentSettings(config, dir, { FLEET_AGENT_TOKEN: token }), quietLogger(), { kube: httpKubeFromUrl(kube.clusterUrl(id)) }));
    }
    return {
      hub,
      commitRelease: (n, badOnFlaky = false, rollout = '') => commitFiles(bare, { branch: 'main', message: `release ${n}`, files: fleetRelease(n, badOnFlaky, rollout) }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
