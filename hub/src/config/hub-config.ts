import { z } from 'zod';
import { DEFAULT_CONNECTION_RATE, DEFAULT_MAX_PACKET_BYTES } from '../adapters/broker/broker-limits.js';

const Port = z.number().int().min(0).max(65535);
const PerSecond = z.number().positive();

const MqttTls = z.strictObject({
  host: z.string().default('0.0.0.0'),
  port: Port.default(8883),
  /** PEM files; relative paths are relative to the config file. */
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  /** CA for client certificates; without it clients authenticate with tokens only. */
  caFile: z.string().min(1).optional(),
  requireClientCert: z.boolean().default(false),
});

const { overall, perAddress } = DEFAULT_CONNECTION_RATE;
const ConnectionRate = z.strictObject({
  perSecond: PerSecond.default(overall.perSecond),
  burst: PerSecond.default(overall.burst),
  perAddressPerSecond: PerSecond.default(perAddress.perSecond),
  perAddressBurst: PerSecond.default(perAddress.burst),
});

const Mqtt = z
  .strictObject({
    host: z.string().default('0.0.0.0'),
    port: Port.default(1883),
    /** Largest MQTT packet body a client may send; larger ones close its connection. */
    maxPacketBytes: z.number().int().min(1024).default(DEFAULT_MAX_PACKET_BYTES),
    connectionRate: ConnectionRate.prefault({}),
    tls: MqttTls.optional(),
  })
  .refine((mqtt) => !mqtt.tls?.requireClientCert || mqtt.tls.caFile !== undefined, {
    message: 'mqtt.tls.requireClientCert needs mqtt.tls.caFile to verify client certificates against',
    path: ['tls', 'caFile'],
  });

/** The repository the fleet pulls, as the agents spell it: directives name it and agents check it. */
const Source = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  branch: z.string().min(1).default('main'),
  path: z.string().default(''),
});

const Signing = z.strictObject({
  /** The hub's Ed25519 private key (PEM, from `hub keygen`); relative to the config file. */
  keyFile: z.string().min(1),
  /** How long a directive stays valid: an agent offline longer refuses it, and keeps what it runs. */
  directiveTtlHours: z.number().positive().default(168),
});

export const HubConfig = z.strictObject({
  /** SQLite file holding the fleet; relative paths are relative to the config file. */
  database: z.string().min(1).default('hub.db'),
  mqtt: Mqtt.prefault({}),
  http: z
    .strictObject({ host: z.string().default('0.0.0.0'), port: Port.default(8080) })
    .prefault({}),
  /** Reports wait at most `maxDelayMs` for others to share a transaction, or until `maxRecords` wait. */
  ingest: z
    .strictObject({ maxDelayMs: z.number().int().min(0).max(10_000).default(10), maxRecords: z.number().int().positive().default(2000) })
    .prefault({}),
  rollouts: z
    .strictObject({
      /** How often active rollouts are re-evaluated besides on every ingested batch. */
      tickMs: z.number().int().min(50).default(1000),
      /**
       * How often the hub looks for a new commit on `source.branch` whose fleet.yaml has a
       * `rollout:` section, to start its rollout; 0 turns rollouts from Git off.
       */
      watchSeconds: z.number().min(0).default(30),
    })
    .prefault({}),
  source: Source.optional(),
  /** Without it the hub issues no directives (agents in track mode only). */
  signing: Signing.optional(),
});
export type HubConfig = z.infer<typeof HubConfig>;
