/**
 * The hub's authentication and topic ACL against an MQTT client that is not ours: Mosquitto's
 * `mosquitto_pub` / `mosquitto_sub` (Debian package mosquitto-clients). mqtt.js shares our
 * assumptions; a second, independent implementation checks that the broker holds against the
 * wire protocol rather than against one library's habits.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../hub/src/hub.js';
import { topics } from '../shared/src/protocol/topics.js';
import { startTestHub } from './support/hub-fixture.js';
import { findOnPath } from './support/on-path.js';
import { makeTempDir } from './support/temp-dir.js';

const mosquittoPub = findOnPath('mosquitto_pub');
const mosquittoSub = findOnPath('mosquitto_sub');
const missing = mosquittoPub === undefined || mosquittoSub === undefined;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const report = (clusterId: string, seq: number) =>
  JSON.stringify({
    v: 1,
    clusterId,
    records: [{ seq, kind: 'event', at: '2026-11-22T10:00:00.000Z', event: { reason: 'Probe', message: `record ${seq}`, severity: 'info' } }],
  });

describe.skipIf(missing)(
  `hub ACL against mosquitto clients${missing ? ' (skipped: mosquitto_pub/mosquitto_sub are not on PATH; install mosquitto-clients)' : ''}`,
  () => {
    const temp = makeTempDir('hub-acl-mosquitto');
    let hub: Hub;
    let port: string;
    const tokens: Record<string, string> = {};

    /** Runs a mosquitto client with its own HOME (no user options file), MQTT 3.1.1, never throwing. */
    const run = (program: string, args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(
          program,
          ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', ...args],
          { env: { PATH: process.env['PATH'] ?? '', HOME: temp.dir }, timeout: 15_000 },
          (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      });
    const as = (clusterId: string, token = tokens[clusterId]!) => ['-i', clusterId, '-u', clusterId, '-P', token];
    const pub = (args: string[]) => run(mosquittoPub!, ['-q', '1', ...args]);
    const sub = (args: string[]) => run(mosquittoSub!, ['-q', '1', ...args]);

    beforeAll(async () => {
      hub = await startTestHub(temp.dir);
      port = new URL(hub.mqttUrl).port;
      tokens['store-a'] = await hub.registerCluster('store-a', {});
      tokens['store-b'] = await hub.registerCluster('store-b', {});
    });
    afterAll(async () => {
      await hub.close();
      temp.remove();
    });

    it('refuses a wrong token, no credentials, and a client id that is not the authenticated cluster', async () => {
      const before = hub.counters.broker.refusedLogins;
      const wrong = await pub([...as('store-a', 'not-the-token'), '-t', topics.report('store-a'), '-m', report('store-a', 1)]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/bad user name or password/i);

      const anonymous = await pub(['-i', 'store-a', '-t', topics.report('store-a'), '-m', report('store-a', 1)]);
      expect(anonymous.code).not.toBe(0);
      expect(anonymous.stderr).toMatch(/bad user name or password/i);

      // store-b's client id with store-a's valid credentials: a cluster impersonating another.
      const spoofed = await pub(['-i', 'store-b', '-u', 'store-a', '-P', tokens['store-a']!, '-t', topics.report('store-a'), '-m', report('store-a', 1)]);
      expect(spoofed.code).not.toBe(0);
      expect(spoofed.stderr).toMatch(/identifier rejected/i);

      expect(hub.counters.broker.refusedLogins).toBe(before + 3);
      expect(hub.counters.ingest.accepted).toBe(0);
      expect(hub.store.getCluster('store-a')?.lastSeq).toBe(0);
    });

    it("refuses publishing on another cluster's topics and on the hub's own channels, and ingests nothing", async () => {
      const forbidden = [
        topics.report('store-a'),
        topics.presence('store-a'),
        topics.ack('store-a'),
        // The hub's channels are the hub's, even under the cluster's own prefix.
        topics.ack('store-b'),
        topics.directive('store-b'),
        '$SYS/broker/uptime',
        'elsewhere',
      ];
      const before = { ...hub.counters.broker };
      const ingested = { ...hub.counters.ingest };
      for (const topic of forbidden) {
        const result = await pub([...as('store-b'), '-t', topic, '-m', report('store-a', 7)]);
        // The broker closes the connection instead of the PUBACK, so a QoS 1 publish fails.
        expect(result.code, topic).not.toBe(0);
        expect(result.stderr, topic).toMatch(/connection was lost/i);
      }
      // A cluster may not retain a report even on its own topic.
      const retained = await pub([...as('store-b'), '-r', '-t', topics.report('store-b'), '-m', report('store-b', 7)]);
      expect(retained.code).not.toBe(0);

      expect(hub.counters.broker.refusedPublishes - before.refusedPublishes).toBe(forbidden.length + 1);
      expect(hub.counters.ingest).toEqual(ingested);
      expect(hub.store.getCluster('store-a')?.lastSeq).toBe(0);
      expect(hub.store.getCluster('store-b')?.lastSeq).toBe(0);
    });

    it("refuses subscribing to another cluster's topics, wildcards and $SYS", async () => {
      const filters = [
        topics.ack('store-a'),
        topics.directive('store-a'),
        topics.report('store-a'),
        // Its own reports and presence are not for it to read back.
        topics.report('store-b'),
        topics.presence('store-b'),
        'fleet/v1/c/+/ack',
        'fleet/v1/c/store-b/+',
        'fleet/#',
        '#',
        '+/+/+/+/+',
        '$SYS/#',
        '$SYS/broker/clients/connected',
      ];
      const before = hub.counters.broker.refusedSubscriptions;
      for (const filter of filters) {
        // -E: exit once the SUBACK is in; a refused filter is answered 0x80.
        const result = await sub([...as('store-b'), '-E', '-t', filter]);
        expect(result.stderr, filter).toMatch(/All subscription requests were denied/);
      }
      expect(hub.counters.broker.refusedSubscriptions - before).toBe(filters.length);
    });

    it("commits a well-formed report and acknowledges it on the cluster's ack topic", async () => {
      const persistent = [...as('store-a'), '-c'];
      // A persistent session subscribed to the ack topic, as the agent keeps one: an ack published
      // while the subscriber is away is queued for it.
      const subscribed = await sub([...persistent, '-E', '-t', topics.ack('store-a')]);
      expect(subscribed.stderr).toBe('');

      const published = await pub([...persistent, '-t', topics.report('store-a'), '-m', report('store-a', 1)]);
      expect(published.code).toBe(0);

      const ack = await sub([...persistent, '-t', topics.ack('store-a'), '-C', '1', '-W', '10']);
      expect(ack.code).toBe(0);
      expect(JSON.parse(ack.stdout)).toEqual({ v: 1, upTo: 1 });
      expect(hub.store.getCluster('store-a')?.lastSeq).toBe(1);
      expect(hub.counters.ingest).toMatchObject({ accepted: 1, rejected: 0, committed: 1 });
    });
  },
);
