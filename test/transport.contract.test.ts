/**
 * One contract for the transport, run against both adapter pairs: MQTT (mqtt.js agents against
 * the hub's embedded aedes broker on a real TCP port) and the in-process memory broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryUplink } from '../agent/src/adapters/uplink/memory-uplink.js';
import { MqttUplink } from '../agent/src/adapters/uplink/mqtt-uplink.js';
import type { Uplink } from '../agent/src/ports/uplink.js';
import { EmbeddedBroker } from '../hub/src/adapters/broker/embedded-broker.js';
import { MemoryFleetBus } from '../hub/src/adapters/broker/memory-fleet-bus.js';
import type { FleetBus } from '../hub/src/ports/fleet-bus.js';
import { MemoryBroker } from '../shared/src/protocol/memory-broker.js';
import type { Report } from '../shared/src/protocol/protocol.js';
import { topics } from '../shared/src/protocol/topics.js';
import { quietLogger } from './support/hub-fixture.js';

interface TransportSetup {
  bus: FleetBus;
  /** An uplink for `clusterId`, resolved once connected. */
  connect(clusterId: string): Promise<Uplink>;
  /** An uplink that cannot reach the hub. */
  unreachable(clusterId: string): Uplink;
  teardown(): Promise<void>;
}

const nextEvent = <T>(subscribe: (handler: (value: T) => void) => void): Promise<T> =>
  new Promise((resolve) => subscribe(resolve));

const report = (clusterId: string, seq: number): Report => ({
  v: 1,
  clusterId,
  records: [{ seq, kind: 'event', at: '2026-11-22T10:00:00Z', event: { reason: 'Test', message: `record ${seq}`, severity: 'info' } }],
});

const setups: Record<string, () => Promise<TransportSetup>> = {
  'mqtt.js → aedes': async () => {
    const logger = quietLogger();
    const broker = await EmbeddedBroker.start({
      host: '127.0.0.1',
      port: 0,
      logger,
      verifyCredentials: async (id, token) => token === `token-${id}`,
    });
    const uplinks: Uplink[] = [];
    const open = (clusterId: string, url: string) => {
      const uplink = new MqttUplink({ url, clusterId, token: `token-${clusterId}`, agentVersion: 'test', logger, reconnect: { baseMs: 50, maxMs: 200 } });
      uplinks.push(uplink);
      return uplink;
    };
    return {
      bus: broker,
      connect: async (clusterId) => {
        const uplink = open(clusterId, broker.url);
        await nextEvent<void>((handler) => uplink.onConnect(handler));
        return uplink;
      },
      unreachable: (clusterId) => open(clusterId, 'mqtt://127.0.0.1:1'),
      teardown: async () => {
        await Promise.all(uplinks.map((uplink) => uplink.close()));
        await broker.close();
      },
    };
  },
  memory: async () => {
    const broker = new MemoryBroker();
    return {
      bus: new MemoryFleetBus(broker),
      connect: async (clusterId) => new MemoryUplink(broker, clusterId),
      unreachable: (clusterId) => {
        const uplink = new MemoryUplink(broker, clusterId);
        uplink.setOnline(false);
        return uplink;
      },
      teardown: async () => {},
    };
  },
};

for (const [name, setup] of Object.entries(setups)) {
  describe(`transport contract: ${name}`, () => {
    let current: TransportSetup | undefined;
    afterEach(async () => {
      await current?.teardown();
      current = undefined;
    });
    const start = async () => (current = await setup());

    it('delivers a report to the hub, attributed to the cluster that sent it', async () => {
      const { bus, connect } = await start();
      const received = nextEvent<[string, Buffer]>((handler) => bus.onMessage('report', (id, payload) => handler([id, payload])));
      const uplink = await connect('store-1');
      await uplink.publishReport(report('store-1', 1));
      const [clusterId, payload] = await received;
      expect(clusterId).toBe('store-1');
      expect(JSON.parse(payload.toString())).toEqual(report('store-1', 1));
    });

    it('announces presence', async () => {
      const { bus, connect } = await start();
      const presence = nextEvent<[string, Buffer]>((handler) => bus.onMessage('presence', (id, payload) => handler([id, payload])));
      await connect('store-2');
      const [clusterId, payload] = await presence;
      expect(clusterId).toBe('store-2');
      expect(JSON.parse(payload.toString())).toMatchObject({ clusterId: 'store-2', state: 'online' });
    });

    it("delivers the hub's acknowledgements to the cluster they are for, and only to it", async () => {
      const { bus, connect } = await start();
      const [mine, other] = await Promise.all([connect('store-3'), connect('store-4')]);
      const otherAcks: number[] = [];
      other.onAck((ack) => otherAcks.push(ack.upTo));
      const ack = nextEvent<{ upTo: number }>((handler) => mine.onAck(handler));
      await bus.publish(topics.ack('store-3'), JSON.stringify({ v: 1, upTo: 42 }), { retain: false });
      expect(await ack).toEqual({ v: 1, upTo: 42 });
      expect(otherAcks).toEqual([]);
    });

    it('refuses to publish while offline instead of queueing', async () => {
      const { unreachable } = await start();
      const uplink = unreachable('store-5');
      expect(uplink.isConnected()).toBe(false);
      await expect(uplink.publishReport(report('store-5', 1))).rejects.toThrow(/not connected/);
    });
  });
}
