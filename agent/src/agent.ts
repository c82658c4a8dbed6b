/**
 * The agent, wired from its settings: Git source, Kubernetes client, SQLite store and hub link
 * around the reconciler. `main.ts` builds it from a config file; the fleet simulator and tests
 * build it directly, possibly with in-memory adapters swapped in.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../shared/src/logger.js';
import { IsomorphicGitSource } from './adapters/isomorphic-git-source.js';
import { HttpKube, httpKubeFromUrl } from './adapters/http-kube.js';
import { MqttUplink } from './adapters/mqtt-uplink.js';
import { SqliteAgentStore } from './adapters/sqlite-agent-store.js';
import { StandaloneUplink } from './adapters/standalone-uplink.js';
import type { AgentSettings } from './config.js';
import type { KubeClient } from './ports/kube.js';
import type { Uplink } from './ports/uplink.js';
import { Reconciler } from './reconciler.js';

export const AGENT_VERSION = '0.1.0';

export interface RunningAgent {
  reconciler: Reconciler;
  stop(): Promise<void>;
}

export interface AgentOverrides {
  kube?: KubeClient;
  uplink?: Uplink;
  now?: () => Date;
}

export async function startAgent(settings: AgentSettings, logger: Logger, overrides: AgentOverrides = {}): Promise<RunningAgent> {
  mkdirSync(settings.dataDir, { recursive: true });
  const store = new SqliteAgentStore(join(settings.dataDir, 'agent.db'));
  const git = new IsomorphicGitSource({
    url: settings.source.url,
    dir: join(settings.dataDir, 'git'),
    timeoutMs: settings.source.timeoutSeconds * 1000,
    logger,
    ...(settings.gitCredentials ? { auth: settings.gitCredentials } : {}),
  });
  const kube = overrides.kube ?? (await kubeFor(settings.kubernetes));
  const uplink =
    overrides.uplink ??
    (settings.hub
      ? new MqttUplink({
          url: settings.hub.url,
          clusterId: settings.clusterId,
          token: settings.hub.token,
          agentVersion: AGENT_VERSION,
          logger: logger.child({ component: 'uplink' }),
        })
      : new StandaloneUplink());
  const reconciler = new Reconciler({
    clusterId: settings.clusterId,
    git,
    branch: settings.source.branch,
    path: settings.source.path,
    kube,
    store,
    uplink,
    logger: logger.child({ component: 'reconciler' }),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  reconciler.start(settings.intervalSeconds * 1000);
  return {
    reconciler,
    async stop() {
      await reconciler.stop();
      await uplink.close();
      store.close();
    },
  };
}

async function kubeFor(settings: AgentSettings['kubernetes']): Promise<KubeClient> {
  if (settings.server) return httpKubeFromUrl(settings.server);
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (settings.kubeconfig) config.loadFromFile(settings.kubeconfig);
  else config.loadFromDefault();
  return new HttpKube(config);
}
