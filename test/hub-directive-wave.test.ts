/**
 * A wave of 10,000 directives through the real embedded broker, with some of the agents
 * connected. Deliveries to them are asynchronous, so aedes's emitter fills up (concurrency 100)
 * and queues the rest; it drains its queue recursively, synchronously for the topics of clusters
 * that are not connected, and publishing all 10,000 at once overflowed the stack. The issuer
 * keeps a window of publishes in flight.
 */
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../hub/src/adapters/broker/embedded-broker.js';
import { SqliteFleetStore } from '../hub/src/adapters/store/sqlite-fleet-store.js';
import { openHubDatabase } from '../hub/src/adapters/store/hub-database.js';
import { DirectiveIssuer } from '../hub/src/rollouts/directive-issuer.js';
import { Directive } from '../shared/src/protocol/protocol.js';
import { generateSigningKeyPair, loadSigningKey } from '../shared/src/protocol/signing.js';
import { topics } from '../shared/src/protocol/topics.js';
import { systemClock } from '../shared/src/time/clock.js';
import { quietLogger } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const CLUSTERS = 10_000;
const CONNECTED = 150;
const ids = Array.from({ length: CLUSTERS }, (_, i) => `store-${String(i).padStart(5, '0')}`);

describe('a wave of 10,000 directives', () => {
  const temp = makeTempDir('hub-directive-wave');
  let broker: EmbeddedBroker;
  let store: SqliteFleetStore;

  beforeAll(async () => {
    const db = openHubDatabase(join(temp.dir, 'hub.db'));
    store = new SqliteFleetStore(db);
    db.transaction(() => ids.forEach((id) => store.registerCluster(id, {}, 'unused', new Date())))();
    const unlimited = { perSecond: 10_000, burst: 10_000 };
    broker = await EmbeddedBroker.start({ host: '127.0.0.1', port: 0, logger: quietLogger(), verifyCredentials: async () => true, connectionRate: { overall: unlimited, perAddress: unlimited } });
  });

  afterAll(async () => {
    await broker?.close();
    store?.close();
    temp.remove();
  });

  it('reaches the connected agents, and is retained for the others', async () => {
    const agents: MqttClient[] = [];
    const received = new Map<string, number>();
    try {
      for (const id of ids.slice(0, CONNECTED)) {
        const agent = await connectAsync(broker.url, { clientId: id, username: id, password: 'token', reconnectPeriod: 0 });
        agents.push(agent);
        agent.on('message', (_topic, payload) => received.set(id, Directive.parse(JSON.parse(payload.toString())).seq));
        await agent.subscribeAsync(topics.directive(id), { qos: 1 });
      }
      await issueAndCheck(received);
    } finally {
      await Promise.all(agents.map((agent) => agent.endAsync(true)));
    }
  });

  async function issueAndCheck(received: ReadonlyMap<string, number>): Promise<void> {
    const issuer = new DirectiveIssuer({ store, bus: broker, key: loadSigningKey(generateSigningKeyPair().privateKeyPem), repo: 'https://git.example/fleet.git', path: 'clusters', logger: quietLogger(), clock: systemClock });
    const issued = await issuer.issue({ clusterIds: ids, revision: 'b'.repeat(40), rolloutId: 'r-wave', wave: 'all' });
    expect(issued).toHaveLength(CLUSTERS);
    await expect.poll(() => received.size).toBe(CONNECTED);
    expect(received.get(ids[0]!)).toBe(issued[0]!.seq);

    // The last cluster connects afterwards and finds its directive retained.
    const last = ids.at(-1)!;
    const client = await connectAsync(broker.url, { clientId: last, username: last, password: 'token', reconnectPeriod: 0 });
    try {
      const message = new Promise<Buffer>((resolve) => client.once('message', (_topic, payload) => resolve(payload)));
      await client.subscribeAsync(topics.directive(last), { qos: 1 });
      expect(Directive.parse(JSON.parse((await message).toString()))).toMatchObject({ clusterId: last, rolloutId: 'r-wave', seq: issued.at(-1)!.seq });
    } finally {
      await client.endAsync(true);
    }
  }
});
