/**
 * The hub, wired: store, broker, ingest, rollouts and the HTTP API. `main.ts` builds it from a config
 * file; tests and the demo build it directly.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { IsomorphicGitSource } from '../../shared/src/git/isomorphic-git-source.js';
import { FleetError } from '../../shared/src/errors.js';
import type { Logger } from '../../shared/src/logger.js';
import { loadSigningKey } from '../../shared/src/protocol/signing.js';
import type { SigningKey } from '../../shared/src/protocol/signing.js';
import { systemClock } from '../../shared/src/time/clock.js';
import type { Clock } from '../../shared/src/time/clock.js';
import { buildHttpApi } from './adapters/http-api/server.js';
import { EmbeddedBroker } from './adapters/broker/embedded-broker.js';
import type { BrokerCounters, BrokerTlsOptions } from './adapters/broker/embedded-broker.js';
import { gitRevisions } from './adapters/git-revisions.js';
import { openHubDatabase } from './adapters/store/hub-database.js';
import { SqliteApiTokenStore } from './adapters/store/sqlite-api-token-store.js';
import { SqliteFleetStore } from './adapters/store/sqlite-fleet-store.js';
import { SqliteRolloutStore } from './adapters/store/sqlite-rollout-store.js';
import { ApiTokenVerifier, createApiToken } from './access/api-tokens.js';
import { ClusterChanges } from './ingest/cluster-changes.js';
import type { HubConfig } from './config/hub-config.js';
import { verifyToken } from './access/credentials.js';
import { DirectiveIssuer } from './rollouts/directive-issuer.js';
import { handlePresence } from './ingest/presence.js';
import type { PresenceCounters } from './ingest/presence.js';
import { registerCluster } from './access/registry.js';
import { ReportIngest } from './ingest/report-ingest.js';
import { RolloutService } from './rollouts/rollout-service.js';
import { GitRolloutWatcher } from './rollouts/git-rollout-watcher.js';
import type { ApiRole } from './ports/api-token-store.js';
import type { FleetStore } from './ports/fleet-store.js';

export interface Hub {
  mqttUrl: string;
  httpUrl: string;
  store: FleetStore;
  ingest: ReportIngest;
  /** Present when the config has `signing` and `source`. */
  directives: DirectiveIssuer | undefined;
  /** Present with `directives`. */
  rollouts: RolloutService | undefined;
  registerCluster(id: string, labels: Record<string, string>): Promise<string>;
  /** Creates an operator API token and returns it (shown only once). */
  createApiToken(name: string, role: ApiRole): Promise<string>;
  /** Live counts of what the broker refused and what ingest accepted or rejected. */
  counters: HubCounters;
  close(): Promise<void>;
}

export interface HubCounters {
  broker: Readonly<BrokerCounters>;
  ingest: Readonly<ReportIngest['counters']>;
  presence: Readonly<PresenceCounters>;
}

export interface HubOptions {
  config: HubConfig;
  logger: Logger;
  /** Time for the rollouts, directives, presence and ingest (default the system clock). */
  clock?: Clock;
}

export async function startHub({ config, logger, clock = systemClock }: HubOptions): Promise<Hub> {
  // Certificate files are read before anything is opened, so a missing one leaks nothing.
  const tls = config.mqtt.tls ? readBrokerTls(config.mqtt.tls) : undefined;
  const signingKey = config.signing ? readSigningKey(config.signing.keyFile) : undefined;
  const db = openHubDatabase(config.database);
  const store = new SqliteFleetStore(db);
  const apiTokens = new SqliteApiTokenStore(db);
  const clusterChanges = new ClusterChanges(store);
  const broker = await EmbeddedBroker.start({
    host: config.mqtt.host,
    port: config.mqtt.port,
    maxPacketBytes: config.mqtt.maxPacketBytes,
    connectionRate: {
      overall: { perSecond: config.mqtt.connectionRate.perSecond, burst: config.mqtt.connectionRate.burst },
      perAddress: { perSecond: config.mqtt.connectionRate.perAddressPerSecond, burst: config.mqtt.connectionRate.perAddressBurst },
    },
    ...(tls ? { tls } : {}),
    logger: logger.child({ component: 'broker' }),
    clock,
    verifyCredentials: async (clusterId, token) => {
      const hash = store.tokenHashOf(clusterId);
      return hash !== undefined && (await verifyToken(token, hash));
    },
  });
  const ingest = new ReportIngest(store, broker, logger.child({ component: 'ingest' }), { ...config.ingest, clock });
  broker.onMessage('report', ingest.handle);
  ingest.onCommit((clusterIds) => clusterChanges.emit(clusterIds));
  const presenceCounters: PresenceCounters = { accepted: 0, rejected: 0 };
  const presence = handlePresence(store, logger.child({ component: 'presence' }), clock, presenceCounters, (clusterId) => clusterChanges.emit([clusterId]));
  broker.onMessage('presence', presence);

  let directives: DirectiveIssuer | undefined;
  let rollouts: RolloutService | undefined;
  let gitWatcher: GitRolloutWatcher | undefined;
  if (signingKey && config.source) {
    directives = new DirectiveIssuer({
      store,
      bus: broker,
      key: signingKey,
      repo: config.source.url,
      path: config.source.path,
      logger: logger.child({ component: 'directives' }),
      clock,
      ttlMs: config.signing!.directiveTtlHours * 3_600_000,
    });
    const republished = await directives.republish();
    logger.info({ keyId: signingKey.keyId, republished }, 'directives signed and published');
    const rolloutStore = new SqliteRolloutStore(db);
    rollouts = new RolloutService({
      fleet: store,
      rollouts: rolloutStore,
      directives,
      resolveRevision: gitRevisions({ url: config.source!.url }),
      logger: logger.child({ component: 'rollouts' }),
      clock,
      tickMs: config.rollouts.tickMs,
      changes: clusterChanges,
    });
    ingest.onCommit(() => rollouts!.nudge());
    rollouts.start();
    if (config.rollouts.watchSeconds > 0) {
      gitWatcher = watchGitRollouts(config, rollouts, rolloutStore, logger, clock);
      gitWatcher.start();
    }
  } else if (signingKey) {
    logger.warn('signing is configured without source: no directives will be issued');
  }

  const api = buildHttpApi({ store, tokens: new ApiTokenVerifier(apiTokens), clusterChanges, rollouts });
  try {
    await api.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    await broker.close();
    store.close();
    throw error;
  }
  const { port } = api.server.address() as AddressInfo;
  const httpUrl = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
  logger.info({ mqtt: broker.url, http: httpUrl }, 'hub started');

  return {
    mqttUrl: broker.url,
    httpUrl,
    store,
    ingest,
    directives,
    rollouts,
    registerCluster: (id, labels) => registerCluster(store, id, labels, new Date(clock.now())),
    createApiToken: (name, role) => createApiToken(apiTokens, name, role, new Date(clock.now())),
    counters: { broker: broker.counters, ingest: ingest.counters, presence: presenceCounters },
    async close() {
      await gitWatcher?.stop();
      await rollouts?.stop();
      await api.close();
      await broker.close();
      ingest.flush();
      store.close();
    },
  };
}

function readSigningKey(file: string): SigningKey {
  try {
    return loadSigningKey(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new FleetError('validation', `cannot load the signing key ${file} (create one with \`hub keygen\`)`, { cause });
  }
}

function readBrokerTls(tls: NonNullable<HubConfig['mqtt']['tls']>): BrokerTlsOptions {
  return {
    host: tls.host,
    port: tls.port,
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    requireClientCert: tls.requireClientCert,
  };
}

/** The watcher of the fleet branch, with its own Git cache beside the database. */
function watchGitRollouts(config: HubConfig, rollouts: RolloutService, store: SqliteRolloutStore, logger: Logger, clock: Clock): GitRolloutWatcher {
  const source = config.source!;
  const dir = config.database === ':memory:' ? mkdtempSync(join(tmpdir(), 'hub-git-')) : `${config.database}.git`;
  return new GitRolloutWatcher({
    git: new IsomorphicGitSource({ url: source.url, dir, logger }),
    branch: source.branch,
    path: source.path,
    rollouts,
    store,
    logger: logger.child({ component: 'git-rollouts' }),
    clock,
    intervalMs: config.rollouts.watchSeconds * 1000,
  });
}
