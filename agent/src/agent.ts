/**
 * The agent, wired from its settings: Git source, Kubernetes client, SQLite state and revision
 * cache, and hub link around the reconciler. `main.ts` builds it from a config file; the fleet
 * simulator and tests build it directly, possibly with in-memory adapters swapped in.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../shared/src/logger.js';
import { loadTrustedKeys } from '../../shared/src/protocol/signing.js';
import { systemClock } from '../../shared/src/time/clock.js';
import type { Clock } from '../../shared/src/time/clock.js';
import { openAgentDatabase } from './adapters/store/agent-database.js';
import { createCommitVerifier } from './adapters/commit-signature/index.js';
import { IsomorphicGitSource } from '../../shared/src/git/isomorphic-git-source.js';
import { connectKube } from './adapters/kube/kube-connection.js';
import { MqttUplink } from './adapters/uplink/mqtt-uplink.js';
import { SqliteAgentStore } from './adapters/store/sqlite-agent-store.js';
import { RateLimitedKube } from './adapters/kube/rate-limited-kube.js';
import { SqliteAppliedObjects } from './adapters/store/sqlite-applied-objects.js';
import { SqliteRevisionCache } from './adapters/store/sqlite-revision-cache.js';
import { StandaloneUplink } from './adapters/uplink/standalone-uplink.js';
import type { AgentSettings } from './config/agent-config.js';
import type { GitSource } from '../../shared/src/git/git-source.js';
import type { KubeClient } from './ports/kube.js';
import type { Uplink } from './ports/uplink.js';
import { Reconciler } from './reconcile/reconciler.js';
import type { CommitCheck } from './reconcile/revision-source.js';

export const AGENT_VERSION = '0.1.0';

export interface RunningAgent {
  reconciler: Reconciler;
  stop(): Promise<void>;
}

export interface AgentOverrides {
  kube?: KubeClient;
  git?: GitSource;
  uplink?: Uplink;
  clock?: Clock;
}

export async function startAgent(settings: AgentSettings, logger: Logger, overrides: AgentOverrides = {}): Promise<RunningAgent> {
  // The system clock's timers keep the process alive: in track mode with no hub, nothing else is
  // open between two fetches.
  const clock = overrides.clock ?? systemClock;
  mkdirSync(settings.dataDir, { recursive: true });
  const { db, movedAside } = openAgentDatabase(join(settings.dataDir, 'agent.db'), clock);
  const store = new SqliteAgentStore(db);
  if (movedAside) {
    const message = `the agent database was corrupt and was moved to ${movedAside}; rebuilding from Git`;
    logger.error(message);
    store.appendEvent({ reason: 'DatabaseRebuilt', message, severity: 'error' }, new Date(clock.now()));
  }
  const git =
    overrides.git ??
    new IsomorphicGitSource({
      url: settings.source.url,
      dir: join(settings.dataDir, 'git'),
      timeoutMs: settings.source.timeoutSeconds * 1000,
      connectTimeoutMs: settings.source.connectTimeoutSeconds * 1000,
      logger,
      ...(settings.gitCredentials ? { auth: settings.gitCredentials } : {}),
    });
  const ownKube = overrides.kube ? undefined : await connectKube(settings.kubernetes);
  const { ratePerSecond, burst, concurrency } = settings.kubernetes;
  const kube = new RateLimitedKube(overrides.kube ?? ownKube!, { ratePerSecond, burst }, clock);
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
    labels: settings.labels,
    git,
    branch: settings.source.branch,
    path: settings.source.path,
    kube,
    store,
    cache: new SqliteRevisionCache(db),
    applied: new SqliteAppliedObjects(db),
    uplink,
    logger: logger.child({ component: 'reconciler' }),
    clock,
    limits: settings.source.limits,
    applier: { concurrency },
    driftPolicy: settings.drift.policy,
    prune: { maxPruneShare: settings.prune.maxShare },
    healthDeadlineMs: settings.health.deadlineSeconds * 1000,
    keepRevisions: settings.cache.keepRevisions,
    mode: settings.mode,
    ...(settings.trustedHubKeys ? { directives: { trusted: loadTrustedKeys(settings.trustedHubKeys), repo: settings.source.url } } : {}),
    ...(settings.trustedSigners ? { verifyCommit: await commitCheck(settings.trustedSigners) } : {}),
  });
  reconciler.start(settings.intervalSeconds * 1000, settings.drift.intervalSeconds * 1000);
  return {
    reconciler,
    async stop() {
      await reconciler.stop();
      await uplink.close();
      ownKube?.close();
      db.close();
    },
  };
}

async function commitCheck(signers: NonNullable<AgentSettings['trustedSigners']>): Promise<CommitCheck> {
  const verify = await createCommitVerifier(signers);
  return async (raw) => {
    const verdict = await verify(raw);
    return verdict.ok ? { ok: true } : { ok: false, message: verdict.message };
  };
}
