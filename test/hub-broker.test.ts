import { join } from 'node:path';
/**
 * The hub's broker and ingest through real mqtt.js clients over TCP: who may connect, what they
 * may touch, and that reports are committed once and acknowledged only after the commit.
 */
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConfig } from '../hub/src/config/hub-config.js';
import type { Hub } from '../hub/src/hub.js';
import { MAX_PAYLOAD_BYTES } from '../shared/src/protocol/protocol.js';
import { topics } from '../shared/src/protocol/topics.js';
import { startTestHub } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const at = '2026-11-22T10:00:00.000Z';
const statusRecord = (seq: number, revision: string) => ({
  seq,
  kind: 'status',
  at,
  status: { appliedRevision: revision, desiredRevision: revision, health: 'Unknown', conditions: [], objectCount: 1 },
});

describe('hub broker and ingest', () => {
  const temp = makeTempDir('hub-broker');
  let hub: Hub;
  const tokens: Record<string, string> = {};
  const clients: MqttClient[] = [];

  const connect = async (clientId: string, username: string, password: string) => {
    const client = await connectAsync(hub.mqttUrl, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    hub = await startTestHub(temp.dir);
    tokens['store-a'] = await hub.registerCluster('store-a', { tier: 'canary' });
    tokens['store-b'] = await hub.registerCluster('store-b', {});
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await hub.close();
    temp.remove();
  });

  it('refuses a wrong token, a missing one and a client id that is not the authenticated cluster', async () => {
    await expect(connect('store-a', 'store-a', 'wrong')).rejects.toThrow(/Bad username or password/i);
    await expect(connectAsync(hub.mqttUrl, { clientId: 'store-a', reconnectPeriod: 0 })).rejects.toThrow();
    await expect(connect('store-b', 'store-a', tokens['store-a']!)).rejects.toThrow(/Identifier rejected/i);
  });

  it('commits a report, acknowledges it after the commit, and ignores a replay', async () => {
    const client = await connect('store-a', 'store-a', tokens['store-a']!);
    await client.subscribeAsync(topics.ack('store-a'), { qos: 1 });
    const acks: number[] = [];
    client.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString()).upTo));
    const send = (records: unknown[]) =>
      client.publishAsync(topics.report('store-a'), JSON.stringify({ v: 1, clusterId: 'store-a', records }), { qos: 1 });

    await send([statusRecord(1, 'a'.repeat(40)), statusRecord(2, 'b'.repeat(40))]);
    await expect.poll(() => acks).toEqual([2]);
    expect(hub.store.getCluster('store-a')).toMatchObject({ lastSeq: 2, status: { appliedRevision: 'b'.repeat(40) } });

    // A replay of an old record (an agent that missed the ack) is acknowledged but changes nothing.
    await send([statusRecord(1, 'c'.repeat(40))]);
    await expect.poll(() => acks).toEqual([2, 2]);
    expect(hub.store.getCluster('store-a')?.status?.appliedRevision).toBe('b'.repeat(40));
  });

  it('drops malformed reports and counts them, without acknowledging', async () => {
    const before = hub.ingest.counters.rejected;
    const client = await connect('store-b', 'store-b', tokens['store-b']!);
    await client.publishAsync(topics.report('store-b'), 'not json', { qos: 1 });
    await client.publishAsync(topics.report('store-b'), JSON.stringify({ v: 1, clusterId: 'store-a', records: [statusRecord(9, 'd'.repeat(40))] }), { qos: 1 });
    await expect.poll(() => hub.ingest.counters.rejected).toBe(before + 2);
    expect(hub.store.getCluster('store-a')?.lastSeq).toBe(2);
  });

  it("refuses subscriptions to another cluster's topics, wildcards and $SYS", async () => {
    const client = await connect('store-b', 'store-b', tokens['store-b']!);
    for (const filter of [topics.ack('store-a'), topics.directive('store-a'), 'fleet/v1/c/+/ack', '#', '$SYS/#']) {
      // The broker answers SUBACK 0x80, which mqtt.js turns into a rejection.
      await expect(client.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/);
    }
    const own = await client.subscribeAsync(topics.directive('store-b'), { qos: 1 });
    expect(own[0]?.qos).toBe(1);
  });

  it("disconnects a cluster that publishes on another cluster's topic, and ingests nothing from it", async () => {
    const client = await connect('store-b', 'store-b', tokens['store-b']!);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topics.report('store-a'), JSON.stringify({ v: 1, clusterId: 'store-a', records: [statusRecord(50, 'e'.repeat(40))] }), { qos: 1 });
    await closed;
    expect(hub.store.getCluster('store-a')?.lastSeq).toBe(2);
  });

  it('tracks presence, including the last will when a link dies', async () => {
    const client = await connectAsync(hub.mqttUrl, {
      clientId: 'store-b',
      username: 'store-b',
      password: tokens['store-b']!,
      reconnectPeriod: 0,
      will: { topic: topics.presence('store-b'), payload: Buffer.from(JSON.stringify({ v: 1, clusterId: 'store-b', state: 'offline', agentVersion: 't' })), qos: 1, retain: true },
    });
    await client.publishAsync(topics.presence('store-b'), JSON.stringify({ v: 1, clusterId: 'store-b', state: 'online', agentVersion: 't' }), { qos: 1, retain: true });
    await expect.poll(() => hub.store.getCluster('store-b')?.presence).toBe('online');
    client.stream.destroy();
    await expect.poll(() => hub.store.getCluster('store-b')?.presence).toBe('offline');
    await client.endAsync(true);
  });
});

describe('hub broker config', () => {
  it('limits packets and connection rates by default, with no TLS listener', () => {
    const { mqtt } = HubConfig.parse({});
    expect(mqtt.maxPacketBytes).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    expect(mqtt.connectionRate).toEqual({ perSecond: 200, burst: 500, perAddressPerSecond: 20, perAddressBurst: 40 });
    expect(mqtt.tls).toBeUndefined();
  });

  it('refuses requireClientCert without a CA to verify certificates against', () => {
    const tls = { certFile: 'server.crt', keyFile: 'server.key', requireClientCert: true };
    const result = HubConfig.safeParse({ mqtt: { tls } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['mqtt', 'tls', 'caFile']);
    expect(HubConfig.parse({ mqtt: { tls: { ...tls, caFile: 'ca.crt' } } }).mqtt.tls).toMatchObject({ port: 8883, requireClientCert: true });
  });

  it('refuses to start with a signing key it cannot load, naming the file and the way to make one', async () => {
    const temp = makeTempDir('hub-signing');
    try {
      const keyFile = join(temp.dir, 'missing.key');
      const config = { signing: { keyFile }, source: { url: 'https://git.example/fleet.git' } };
      await expect(startTestHub(temp.dir, { config })).rejects.toThrow(`cannot load the signing key ${keyFile} (create one with \`hub keygen\`)`);
      expect(HubConfig.parse(config).signing).toEqual({ keyFile, directiveTtlHours: 168 });
    } finally {
      temp.remove();
    }
  });
});
