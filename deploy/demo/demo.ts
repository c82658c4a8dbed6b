/**
 * The demo fleet, as a function: a Git server with the example repository, the simulated
 * Kubernetes API, the hub with a fresh signing key, and N agents in this process in directed
 * mode (they run only what the hub's signed directives name), each with its own SQLite file and
 * simulated cluster. `main.ts` drives it from the terminal; a test drives it too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent } from '../../agent/src/agent.js';
import type { RunningAgent } from '../../agent/src/agent.js';
import { AgentConfig, resolveAgentSettings } from '../../agent/src/config/agent-config.js';
import { httpKubeFromUrl } from '../../agent/src/adapters/kube/http-kube.js';
import { HubConfig } from '../../hub/src/config/hub-config.js';
import type { RolloutPlanInput } from '../../hub/src/core/rollout/plan.js';
import { startHub } from '../../hub/src/hub.js';
import type { Hub } from '../../hub/src/hub.js';
import type { RolloutService } from '../../hub/src/rollouts/rollout-service.js';
import { writeSigningKeyPair } from '../../hub/src/access/signing-keys.js';
import type { Logger } from '../../shared/src/logger.js';
import { commitDirectory, commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';

export const EXAMPLE_REPO = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'fleet-repo');
const APP_PATH = 'apps/web';

export interface DemoOptions {
  agents: number;
  /** Preferred hub API port; falls back to any free port when taken. */
  httpPort?: number;
  intervalSeconds?: number;
  logger: Logger;
}

/** Every store at once: how the demo installs its first release. */
export const installPlan = (revision: string): RolloutPlanInput => ({ revision, waves: [{ name: 'all', percent: 100 }] });

/** A staged rollout: the canary stores, then 10 %, 50 % and every store; rolled back if a wave fails. */
export const stagedPlan = (revision: string): RolloutPlanInput => ({
  revision,
  waves: [
    { name: 'canary', selector: 'tier=canary' },
    { name: 'ten', percent: 10 },
    { name: 'half', percent: 50 },
    { name: 'all', percent: 100 },
  ],
  progressDeadline: '2m',
  onFailure: 'rollback',
});

export interface Demo {
  hub: Hub;
  /** The hub's rollout service (the demo hub always signs directives). */
  rollouts: RolloutService;
  kube: KubeApiServer;
  clusterIds: string[];
  /** Commits the next release of the example app and returns its SHA. */
  pushRelease(release: number): Promise<string>;
  initialRevision: string;
  /** Temporary directory holding repositories and databases; removed by `stop`. */
  dir: string;
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { logger } = options;
  const dir = mkdtempSync(join(tmpdir(), 'edge-fleet-demo-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const bare = await createBareRepo(join(dir, 'git'), 'fleet.git');
    const initialRevision = await commitDirectory(bare, { branch: 'main', sourceDir: EXAMPLE_REPO, message: 'Release 1' });
    const git: GitServer = await startGitServer({ root: join(dir, 'git'), port: 0, host: '127.0.0.1' });
    cleanups.push(() => git.close());
    const kube = await startKubeApiServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => kube.close());
    const keyFile = join(dir, 'hub.key');
    const { publicFile } = writeSigningKeyPair(keyFile);
    const source = { url: git.repoUrl('fleet.git'), path: APP_PATH };
    const hub = await startHubOnPreferredPort({ database: join(dir, 'hub.db'), keyFile, source }, options.httpPort ?? 8080, logger);
    cleanups.push(() => hub.close());

    const clusterIds = Array.from({ length: options.agents }, (_, i) => `store-${String(i + 1).padStart(3, '0')}`);
    const agents: RunningAgent[] = [];
    cleanups.push(() => Promise.all(agents.map((agent) => agent.stop())).then(() => undefined));
    for (const [index, clusterId] of clusterIds.entries()) {
      const labels = { region: index % 2 === 0 ? 'eu' : 'us', tier: index < 3 ? 'canary' : 'standard' };
      const token = await hub.registerCluster(clusterId, labels);
      const config = AgentConfig.parse({
        clusterId,
        labels,
        source: { url: source.url, branch: 'main', path: APP_PATH },
        hub: { url: hub.mqttUrl, trustedKeyFiles: [publicFile] },
        dataDir: join(dir, 'agents', clusterId),
        intervalSeconds: options.intervalSeconds ?? 1,
      });
      const settings = resolveAgentSettings(config, dir, { FLEET_AGENT_TOKEN: token });
      agents.push(await startAgent(settings, logger.child({ clusterId }), { kube: httpKubeFromUrl(kube.clusterUrl(clusterId)) }));
    }

    return {
      hub,
      rollouts: hub.rollouts!,
      kube,
      clusterIds,
      initialRevision,
      dir,
      stop,
      pushRelease: (release) =>
        commitFiles(bare, {
          branch: 'main',
          message: `Release ${release}`,
          files: {
            [`${APP_PATH}/config.yaml`]: configMapFor(release),
            [`${APP_PATH}/deployment.yaml`]: deploymentFor(release),
          },
        }),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface DemoHubFiles {
  database: string;
  keyFile: string;
  source: { url: string; path: string };
}

async function startHubOnPreferredPort({ database, keyFile, source }: DemoHubFiles, port: number, logger: Logger): Promise<Hub> {
  const config = (httpPort: number) =>
    HubConfig.parse({
      database,
      signing: { keyFile },
      source,
      rollouts: { tickMs: 250 },
      // Every demo agent connects from 127.0.0.1 at once: the per-address limit is for real fleets.
      mqtt: { host: '127.0.0.1', port: 0, connectionRate: { perAddressPerSecond: 1000, perAddressBurst: 1000 } },
      http: { host: '127.0.0.1', port: httpPort },
    });
  try {
    return await startHub({ config: config(port), logger });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    return startHub({ config: config(0), logger });
  }
}

const configMapFor = (release: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: storefront
data:
  greeting: "Welcome to the store"
  release: "${release}"
`;

const deploymentFor = (release: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: storefront
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
      annotations:
        edge-fleet.dev/release: "${release}"
    spec:
      containers:
        - name: web
          image: nginx:1.27.${release + 1}
          ports:
            - containerPort: 80
          envFrom:
            - configMapRef:
                name: web-config
`;
