/**
 * The hub under garbage, from a seeded PRNG (FUZZ_SEED=n repeats a run): random bytes and
 * mutated MQTT packets on the raw TCP port, then malformed JSON on every topic an authenticated
 * cluster may publish on, and on the hub's own channels. Meanwhile a real agent (its SQLite
 * outbox, pump and uplink) keeps reporting. The hub must stay up, count every reject, and
 * commit the agent's records exactly once and in order.
 */
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import type { AgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { MqttUplink } from '../agent/src/adapters/uplink/mqtt-uplink.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { OutboxPump } from '../agent/src/hub-link/outbox-pump.js';
import type { Hub } from '../hub/src/hub.js';
import { MAX_PAYLOAD_BYTES } from '../shared/src/protocol/protocol.js';
import { topics } from '../shared/src/protocol/topics.js';
import { systemClock } from '../shared/src/time/clock.js';
import { startTestHub, quietLogger } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(start: number) {
  let state = start >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    int,
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes: (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}
type Random = ReturnType<typeof prng>;

// MQTT 3.1.1 packets, encoded by hand so that the fuzzer depends on no client library.
const remainingLength = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
};
const packet = (first: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([first, ...remainingLength(body.length)]), body]);
const mqttString = (value: string | Buffer): Buffer => {
  const bytes = Buffer.from(value);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const mqtt = {
  connect: (clientId: string, username: string, password: string) =>
    packet(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0xc2]), u16(30), mqttString(clientId), mqttString(username), mqttString(password)])),
  publish: (topic: string, payload: Buffer, qos: 0 | 1, id: number, retain = false) =>
    packet(0x30 | (qos << 1) | (retain ? 1 : 0), Buffer.concat([mqttString(topic), qos > 0 ? u16(id) : Buffer.alloc(0), payload])),
  subscribe: (id: number, filter: string) => packet(0x82, Buffer.concat([u16(id), mqttString(filter), Buffer.from([1])])),
  unsubscribe: (id: number, filter: string) => packet(0xa2, Buffer.concat([u16(id), mqttString(filter)])),
  puback: (id: number) => packet(0x40, u16(id)),
  pingreq: () => Buffer.from([0xc0, 0]),
  disconnect: () => Buffer.from([0xe0, 0]),
};

/** Flips, inserts, deletes, overwrites, duplicates or truncates bytes. */
function mutate(random: Random, input: Buffer): Buffer {
  let bytes = Buffer.from(input);
  for (let n = 1 + random.int(4); n > 0; n--) {
    const at = random.int(bytes.length + 1);
    switch (random.int(6)) {
      case 0:
        if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << random.int(8));
        break;
      case 1:
        bytes = Buffer.concat([bytes.subarray(0, at), random.bytes(1 + random.int(8)), bytes.subarray(at)]);
        break;
      case 2:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + random.int(8))]);
        break;
      case 3:
        if (at < bytes.length) bytes[at] = random.pick([0x00, 0x7f, 0x80, 0xff, 0x23, 0x2b, 0x24]);
        break;
      case 4:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(random.int(bytes.length))]);
        break;
      default:
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

const at = '2026-11-22T10:00:00.000Z';
const revision = 'd'.repeat(40);
const event = (seq: number, message = `event ${seq}`) => ({ seq, kind: 'event', at, event: { reason: 'Fuzz', message, severity: 'info' } });
const status = (seq: number) => ({
  seq,
  kind: 'status',
  at,
  status: { appliedRevision: revision, desiredRevision: revision, health: 'Healthy', conditions: [], objectCount: 1 },
});
const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
/** Invalid UTF-8 sequences: a stray continuation byte, a truncated sequence, an overlong '/', a surrogate. */
const INVALID_UTF8 = [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe]].map((b) => Buffer.from(b));

/** A random JSON value with random keys: never a well-formed report or presence. */
function randomJson(random: Random, depth = 0): unknown {
  switch (depth > 4 ? random.int(4) : random.int(6)) {
    case 0:
      return random.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 1:
      return random.pick(['', 'x', '\u0000', '\ud83d\ude00', 'fleet/v1/c/+/report', 'a'.repeat(5000)]);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.int(2) === 0 ? [] : {};
    case 4:
      return Array.from({ length: random.int(5) }, () => randomJson(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(5) }, (_, i) => [random.pick(['v', 'records', 'seq', `k${i}`, '__proto__']), randomJson(random, depth + 1)]));
  }
}

/**
 * A report payload for `clusterId`: valid (`valid: true`), or broken in one way that the schema
 * must catch. The `valid` flag is decided by construction, not by asking the hub's schema.
 */
function reportPayload(random: Random, clusterId: string, seq: number): { payload: Buffer; valid: boolean } {
  const good = { v: 1, clusterId, records: [status(seq), event(seq + 1)] };
  const json = (value: unknown) => ({ payload: Buffer.from(JSON.stringify(value)), valid: false });
  switch (random.int(16)) {
    case 0:
      return { payload: Buffer.from(JSON.stringify(good)), valid: true };
    case 1:
      // Valid, with strings a lenient decoder must not confuse: multibyte and escaped characters.
      return { payload: Buffer.from(JSON.stringify({ ...good, records: [status(seq), event(seq + 1, 'ünïcødé \ud83d\ude80 "quoted" \\ \u2028')] })), valid: true };
    case 2:
      return json({ ...good, records: [{ ...event(seq), seq: random.pick([`${seq}`, -1, 0, 1.5, 1e308, 2 ** 53, null]) }] });
    case 3:
      return json({ ...good, clusterId: random.pick(['agent-good', clusterId === 'fuzz-0' ? 'fuzz-1' : 'fuzz-0', 'FUZZ', '', '+', 'a/b']) });
    case 4:
      return json({ ...good, v: random.pick([0, 2, '1', null]) });
    case 5:
      return json({ ...good, records: random.pick([[], {}, 'records', null, Array.from({ length: 257 }, (_, i) => event(seq + i))]) });
    case 6:
      return json({ ...good, records: [event(seq + 1), event(seq)] });
    case 7:
      return json({ ...good, records: [{ ...status(seq), status: { ...status(seq).status, conditions: JSON.parse(deep(200)) as unknown } }] });
    case 8:
      // Deeper than any recursive parser should follow.
      return { payload: Buffer.from(`{"v":1,"clusterId":"${clusterId}","records":${deep(20_000 + random.int(40_000))}}`), valid: false };
    case 9:
      return json({ ...good, records: [{ ...event(seq), event: { reason: '', message: 'x', severity: random.pick(['fatal', 1, null]) } }] });
    case 10:
      return json({ ...good, records: [{ ...event(seq), at: random.pick(['yesterday', 0, '2026-13-45T99:00:00Z']) }], extra: random.int(2) === 0 ? undefined : 1 });
    case 11: {
      // Well-formed JSON but for invalid UTF-8 inside a string.
      const text = JSON.stringify({ ...good, records: [event(seq, 'MARK')] });
      const [before, after] = text.split('MARK') as [string, string];
      return { payload: Buffer.concat([Buffer.from(before), random.pick(INVALID_UTF8), Buffer.from(after)]), valid: false };
    }
    case 12:
      // No JSON text ends with '{', whatever the mutation did before it.
      return { payload: Buffer.concat([mutate(random, Buffer.from(JSON.stringify(good))), Buffer.from('{')]), valid: false };
    case 13:
      return { payload: random.bytes(random.int(512)), valid: false };
    case 14:
      return json({ ...good, records: [{ ...event(seq), event: { reason: 'x', message: 'm'.repeat(4097), severity: 'info' } }] });
    default:
      return json(randomJson(random));
  }
}

function presencePayload(random: Random, clusterId: string): { payload: Buffer; valid: boolean } {
  const good = { v: 1, clusterId, state: 'online', agentVersion: '1.2.3' };
  switch (random.int(6)) {
    case 0:
      return { payload: Buffer.from(JSON.stringify(good)), valid: true };
    case 1:
      return { payload: Buffer.from(JSON.stringify({ ...good, clusterId: 'agent-good' })), valid: false };
    case 2:
      return { payload: Buffer.from(JSON.stringify({ ...good, state: random.pick(['dancing', 1, null]) })), valid: false };
    case 3:
      return { payload: Buffer.from(JSON.stringify({ ...good, agentVersion: 'v'.repeat(65) })), valid: false };
    case 4:
      return { payload: Buffer.concat([Buffer.from('{"v":1,"clusterId":"' + clusterId + '","state":"online","agentVersion":"'), random.pick(INVALID_UTF8), Buffer.from('"}')]), valid: false };
    default:
      return { payload: Buffer.from(JSON.stringify(randomJson(random))), valid: false };
  }
}

// The seed is in the suite's name, so a failure always says how to repeat it.
describe(`hub under fuzzing (seed ${seed}: FUZZ_SEED=${seed} repeats this run)`, () => {
  const temp = makeTempDir('hub-fuzz');
  const random = prng(seed);
  let hub: Hub;
  const tokens: Record<string, string> = {};
  let agent: { database: AgentDatabase; store: SqliteAgentStore; uplink: MqttUplink; pump: OutboxPump; seqs: number[] };

  /** Queues one event in the agent's outbox and lets the pump send it. */
  const agentReports = () => {
    const seq = agent.store.appendEvent({ reason: 'Steady', message: `steady ${agent.seqs.length + 1}`, severity: 'info' }, new Date());
    agent.seqs.push(seq);
    void agent.pump.flush();
  };

  beforeAll(async () => {
    // Every fuzzing connection comes from 127.0.0.1: lift the per-address budget, as load tests do.
    hub = await startTestHub(temp.dir, { config: { mqtt: { connectionRate: { perSecond: 10_000, burst: 10_000, perAddressPerSecond: 10_000, perAddressBurst: 10_000 } } } });
    for (const id of ['agent-good', 'fuzz-raw', 'fuzz-0', 'fuzz-1', 'fuzz-2']) tokens[id] = await hub.registerCluster(id, {});
    const database = openAgentDatabase(join(temp.dir, 'agent.db'));
    const store = new SqliteAgentStore(database.db);
    const uplink = new MqttUplink({ url: hub.mqttUrl, clusterId: 'agent-good', token: tokens['agent-good']!, agentVersion: 'fuzz', logger: quietLogger() });
    const connected = new Promise<void>((resolve) => uplink.onConnect(resolve));
    const pump = new OutboxPump('agent-good', store, uplink, quietLogger(), systemClock);
    agent = { database, store, uplink, pump, seqs: [] };
    await connected;
  });
  afterAll(async () => {
    await agent.uplink.close();
    agent.database.db.close();
    await hub.close();
    temp.remove();
  });

  it('survives random bytes and mutated MQTT packets on the raw port', async () => {
    const port = Number(new URL(hub.mqttUrl).port);
    const templates = (): Buffer[] => {
      const id = 1 + random.int(65_535);
      return [
        mqtt.connect('fuzz-raw', 'fuzz-raw', tokens['fuzz-raw']!),
        mqtt.publish(topics.report('fuzz-raw'), Buffer.from(JSON.stringify({ v: 1, clusterId: 'fuzz-raw', records: [event(id)] })), 1, id),
        mqtt.publish(topics.presence('fuzz-raw'), Buffer.from('{"v":1}'), 1, id, true),
        mqtt.publish(random.pick(['fleet/v1/c/+/report', '#', '$SYS/x', topics.report('agent-good'), topics.ack('agent-good')]), Buffer.from('{}'), random.pick([0, 1] as const), id),
        mqtt.subscribe(id, random.pick([topics.ack('fuzz-raw'), '#', '$SYS/#', 'fleet/v1/c/+/ack', topics.ack('agent-good'), ''])),
        mqtt.unsubscribe(id, '#'),
        mqtt.puback(id),
        mqtt.pingreq(),
        mqtt.disconnect(),
      ];
    };
    /** Sends `bytes`, half-closes, and resolves when the broker has closed the connection. */
    const throwAt = (bytes: Buffer) =>
      new Promise<void>((resolve) => {
        const socket = connectTcp({ host: '127.0.0.1', port });
        // Whatever the broker makes of the bytes, the connection must end; 2 s is a bound, not a wait.
        const bound = setTimeout(() => socket.destroy(), 2_000);
        socket.on('error', () => {});
        socket.on('data', () => {});
        socket.on('close', () => {
          clearTimeout(bound);
          resolve();
        });
        socket.on('connect', () => socket.end(bytes));
      });

    const rounds = 240;
    for (let round = 0; round < rounds; round += 8) {
      await Promise.all(
        Array.from({ length: 8 }, () => {
          const kind = random.int(4);
          if (kind === 0) return throwAt(random.bytes(1 + random.int(2048)));
          const all = templates();
          // A valid CONNECT first (mostly), then some packets, the whole stream mutated.
          const chosen = [...(random.chance(0.8) ? [all[0]!] : []), ...Array.from({ length: 1 + random.int(5) }, () => random.pick(all.slice(1)))];
          const stream = Buffer.concat(chosen);
          return throwAt(kind === 1 ? stream : mutate(random, stream));
        }),
      );
      agentReports();
    }

    // Still serving: a fresh login works, and the agent's link never dropped.
    const probe = await connectAsync(hub.mqttUrl, { clientId: 'fuzz-0', username: 'fuzz-0', password: tokens['fuzz-0']!, reconnectPeriod: 0 });
    await probe.endAsync();
    expect(agent.uplink.isConnected()).toBe(true);
    expect(hub.counters.broker.refusedPublishes + hub.counters.broker.refusedLogins).toBeGreaterThan(0);
  });

  it('counts every malformed payload on every cluster topic and ingests none of it', async () => {
    const before = structuredClone(hub.counters);
    const expected = { reports: { valid: 0, invalid: 0 }, presence: { valid: 0, invalid: 0 }, refusedPublishes: 0 };
    const clients = new Map<string, MqttClient>();
    const clientFor = async (clusterId: string) => {
      const open = clients.get(clusterId);
      if (open?.connected) return open;
      const client = await connectAsync(hub.mqttUrl, { clientId: clusterId, username: clusterId, password: tokens[clusterId]!, reconnectPeriod: 0 });
      clients.set(clusterId, client);
      return client;
    };
    /** A publish the broker refuses: it closes the connection instead of a PUBACK. */
    const refused = async (clusterId: string, topic: string, payload: Buffer, retain = false) => {
      const client = await clientFor(clusterId);
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish(topic, payload, { qos: 1, retain }, () => {});
      await closed;
      expected.refusedPublishes++;
    };

    const fuzzers = ['fuzz-0', 'fuzz-1', 'fuzz-2'];
    const seqs = new Map(fuzzers.map((id) => [id, 1]));
    for (let i = 0; i < 300; i++) {
      const clusterId = random.pick(fuzzers);
      const choice = random.int(20);
      if (choice < 13) {
        const seq = seqs.get(clusterId)!;
        const { payload, valid } = reportPayload(random, clusterId, seq);
        if (valid) seqs.set(clusterId, seq + 2);
        expected.reports[valid ? 'valid' : 'invalid']++;
        await (await clientFor(clusterId)).publishAsync(topics.report(clusterId), payload, { qos: 1 });
      } else if (choice < 17) {
        const { payload, valid } = presencePayload(random, clusterId);
        expected.presence[valid ? 'valid' : 'invalid']++;
        await (await clientFor(clusterId)).publishAsync(topics.presence(clusterId), payload, { qos: 1, retain: random.chance(0.5) });
      } else if (choice === 17) {
        // Past the protocol's payload limit but inside the broker's packet limit.
        await refused(clusterId, topics.report(clusterId), Buffer.alloc(MAX_PAYLOAD_BYTES + 1 + random.int(512), 0x20));
      } else if (choice === 18) {
        // The hub's own channels, another cluster's topics, and a retained report.
        const topic = random.pick([topics.ack(clusterId), topics.directive(clusterId), topics.report('agent-good'), topics.presence('agent-good')]);
        await refused(clusterId, topic, reportPayload(random, 'agent-good', 1).payload);
      } else {
        await refused(clusterId, topics.report(clusterId), Buffer.from(JSON.stringify({ v: 1, clusterId, records: [event(1)] })), true);
      }
      if (i % 2 === 0) agentReports();
    }
    await Promise.all([...clients.values()].map((client) => client.endAsync(true)));

    // PUBACK precedes delivery to the hub's handlers, so the counts catch up shortly after.
    const delta = () => ({
      reportsRejected: hub.counters.ingest.rejected - before.ingest.rejected,
      presenceAccepted: hub.counters.presence.accepted - before.presence.accepted,
      presenceRejected: hub.counters.presence.rejected - before.presence.rejected,
      refusedPublishes: hub.counters.broker.refusedPublishes - before.broker.refusedPublishes,
    });
    await expect
      .poll(delta, { timeout: 10_000 })
      .toEqual({
        reportsRejected: expected.reports.invalid,
        presenceAccepted: expected.presence.valid,
        presenceRejected: expected.presence.invalid,
        refusedPublishes: expected.refusedPublishes,
      });
    // Valid fuzz reports were accepted too (the agent's own reports add to `accepted`).
    expect(hub.counters.ingest.accepted - before.ingest.accepted).toBeGreaterThanOrEqual(expected.reports.valid);
    // Each fuzzer's committed seq is that of its last valid report: no malformed one slipped in.
    // Ingest commits in batches after a short delay, so the last ones may still be on their way.
    for (const fuzzer of fuzzers) await expect.poll(() => hub.store.getCluster(fuzzer)?.lastSeq).toBe(seqs.get(fuzzer)! - 1);
  });

  it("commits the steady agent's records exactly once and in order", async () => {
    await expect.poll(() => agent.store.pendingCount(), { timeout: 15_000 }).toBe(0);
    const db = new Database(join(temp.dir, 'hub.db'), { readonly: true });
    try {
      // rowid is the order of insertion.
      const rows = db.prepare("SELECT seq, message FROM events WHERE cluster_id = 'agent-good' ORDER BY rowid").all() as { seq: number; message: string }[];
      expect(rows.map((row) => row.seq)).toEqual(agent.seqs);
      expect(rows.map((row) => row.message)).toEqual(agent.seqs.map((_, i) => `steady ${i + 1}`));
    } finally {
      db.close();
    }
    expect(hub.store.getCluster('agent-good')?.lastSeq).toBe(agent.seqs.at(-1));
    expect(agent.seqs.length).toBeGreaterThan(150);
  });
});
