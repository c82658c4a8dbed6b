/**
 * The hub, wired: store, broker, ingest and the HTTP API. `main.ts` builds it from a config
 * file; tests and the demo build it directly.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/src/logger.js';
import { buildHttpApi } from './adapters/http-api.js';
import { EmbeddedBroker } from './adapters/embedded-broker.js';
import type { BrokerCounters, BrokerTlsOptions } from './adapters/embedded-broker.js';
import { SqliteFleetStore } from './adapters/sqlite-fleet-store.js';
import type { HubConfig } from './config.js';
import { verifyToken } from './credentials.js';
import { handlePresence } from './presence.js';
import type { PresenceCounters } from './presence.js';
import { registerCluster } from './registry.js';
import { ReportIngest } from './report-ingest.js';
import type { FleetStore } from './ports/fleet-store.js';

export interface Hub {
  mqttUrl: string;
  httpUrl: string;
  store: FleetStore;
  ingest: ReportIngest;
  registerCluster(id: string, labels: Record<string, string>): Promise<string>;
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
  now?: () => Date;
}

export async function startHub({ config, logger, now = () => new Date() }: HubOptions): Promise<Hub> {
  // Certificate files are read before anything is opened, so a missing one leaks nothing.
  const tls = config.mqtt.tls ? readBrokerTls(config.mqtt.tls) : undefined;
  const store = new SqliteFleetStore(config.database);
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
    verifyCredentials: async (clusterId, token) => {
      const hash = store.tokenHashOf(clusterId);
      return hash !== undefined && (await verifyToken(token, hash));
    },
  });
  const ingest = new ReportIngest(store, broker, logger.child({ component: 'ingest' }));
  broker.onMessage('report', ingest.handle);
  const presenceCounters: PresenceCounters = { accepted: 0, rejected: 0 };
  broker.onMessage('presence', handlePresence(store, logger.child({ component: 'presence' }), now, presenceCounters));

  const api = buildHttpApi(store);
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
    registerCluster: (id, labels) => registerCluster(store, id, labels, now()),
    counters: { broker: broker.counters, ingest: ingest.counters, presence: presenceCounters },
    async close() {
      await api.close();
      await broker.close();
      ingest.flush();
      store.close();
    },
  };
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
