/**
 * The embedded broker under abuse, through real sockets: oversized packets, connection floods,
 * and the TLS listener with tokens and with client certificates (generated with openssl here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { connect, connectAsync } from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../hub/src/adapters/broker/embedded-broker.js';
import type { EmbeddedBrokerOptions } from '../hub/src/adapters/broker/embedded-broker.js';
import { MAX_PAYLOAD_BYTES } from '../shared/src/protocol/protocol.js';
import { topics } from '../shared/src/protocol/topics.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { quietLogger } from './support/hub-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const tokens = new Map([
  ['store-a', 'token-a'],
  ['store-b', 'token-b'],
]);

/** Brokers, clients and sockets opened by a test, closed after it. */
const opened = { brokers: [] as EmbeddedBroker[], clients: [] as MqttClient[], sockets: [] as Socket[] };
afterEach(async () => {
  for (const socket of opened.sockets.splice(0)) socket.destroy();
  await Promise.all(opened.clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(opened.brokers.splice(0).map((broker) => broker.close()));
});

const startBroker = async (options: Partial<EmbeddedBrokerOptions> = {}) => {
  const broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    port: 0,
    logger: quietLogger(),
    verifyCredentials: async (clusterId, token) => tokens.get(clusterId) === token,
    ...options,
  });
  opened.brokers.push(broker);
  return broker;
};

const connectCluster = async (url: string, clusterId: string, extra: IClientOptions = {}) => {
  const client = await connectAsync(url, {
    clientId: clusterId,
    username: clusterId,
    password: tokens.get(clusterId)!,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra,
  });
  opened.clients.push(client);
  return client;
};

const report = (clusterId: string, n: number) => JSON.stringify({ v: 1, clusterId, records: [], n });

/** Publishes a report and resolves once the broker has delivered it to the hub's handler. */
const roundTrip = async (received: string[], client: MqttClient, clusterId: string) => {
  const body = report(clusterId, received.length + 1);
  await client.publishAsync(topics.report(clusterId), body, { qos: 1 });
  await expect.poll(() => received).toContain(body);
};

const rawSocket = async (port: number, localAddress = '127.0.0.1') => {
  const socket = connectTcp({ host: '127.0.0.1', port, localAddress });
  opened.sockets.push(socket);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
};
const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
const portOf = (url: string) => Number(new URL(url).port);

describe('maximum packet size', () => {
  it('closes a connection announcing an oversized packet before it is buffered, and keeps serving others', async () => {
    const broker = await startBroker();
    const received: string[] = [];
    broker.onMessage('report', (_clusterId, payload) => received.push(payload.toString()));
    const bystander = await connectCluster(broker.url, 'store-a');
    await roundTrip(received, bystander, 'store-a');

    // A CONNECT announcing ~2 MiB: only the fixed header is sent; the guard must not wait for the rest.
    const hugeConnect = await rawSocket(portOf(broker.url));
    hugeConnect.write(Buffer.from([0x10, 0xff, 0xff, 0x7f]));
    await closed(hugeConnect);
    expect(broker.counters.oversizedPackets).toBe(1);

    // An authenticated cluster publishing past the limit loses its connection.
    const offender = await connectCluster(broker.url, 'store-b');
    const offenderClosed = new Promise<void>((resolve) => offender.once('close', () => resolve()));
    offender.publish(topics.report('store-b'), Buffer.alloc(MAX_PAYLOAD_BYTES + 64 * 1024, 0x7b), { qos: 1 });
    await offenderClosed;
    expect(broker.counters.oversizedPackets).toBe(2);
    expect(received.some((body) => body.startsWith('{{'))).toBe(false);

    await roundTrip(received, bystander, 'store-a');
    const again = await connectCluster(broker.url, 'store-b');
    await roundTrip(received, again, 'store-b');
  });

  it('lets a payload at the protocol limit through', async () => {
    const broker = await startBroker();
    const sizes: number[] = [];
    broker.onMessage('report', (_clusterId, payload) => sizes.push(payload.length));
    const client = await connectCluster(broker.url, 'store-a');
    await client.publishAsync(topics.report('store-a'), Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20), { qos: 1 });
    await expect.poll(() => sizes).toEqual([MAX_PAYLOAD_BYTES]);
    expect(broker.counters.oversizedPackets).toBe(0);
  });
});

describe('backlog', () => {
  it('delivers a backlog of thousands of queued messages to the hub without overflowing the stack', async () => {
    const broker = await startBroker();
    let delivered = 0;
    broker.onMessage('report', () => delivered++);
    // A subscriber that stops reading: acks to it stay in flight in aedes's emitter, which holds
    // only so many, so the reports arriving meanwhile queue behind them.
    const subscriber = await connectCluster(broker.url, 'store-a');
    await subscriber.subscribeAsync(topics.ack('store-a'), { qos: 1 });
    subscriber.stream.pause();
    const acks = Array.from({ length: 1_000 }, () => broker.publish(topics.ack('store-a'), 'x'.repeat(8 * 1024), { retain: false }));
    const sender = await connectCluster(broker.url, 'store-b');
    const reports = 20_000;
    await Promise.all(Array.from({ length: reports }, () => sender.publishAsync(topics.report('store-b'), '{}', { qos: 0 })));
    subscriber.stream.resume();
    await Promise.all(acks);
    await expect.poll(() => delivered, { timeout: 20_000 }).toBe(reports);
  });
});

describe('connection rate limit', () => {
  it('refuses a flood beyond the per-address and overall budgets, then admits a client once tokens refill', async () => {
    const clock = new ManualClock(0);
    const broker = await startBroker({
      connectionRate: { overall: { perSecond: 1, burst: 5 }, perAddress: { perSecond: 1, burst: 3 } },
      clock,
    });
    const flood = (localAddress: string, count: number) =>
      Promise.all(Array.from({ length: count }, () => rawSocket(portOf(broker.url), localAddress)));

    const first = await flood('127.0.0.1', 10);
    // The per-address burst admits 3 of 127.0.0.1's connections.
    await expect.poll(() => broker.counters.rateLimitedConnections).toBe(7);
    await expect.poll(() => first.filter((socket) => socket.closed).length).toBe(7);
    // Another address gets only what is left of the overall burst.
    await flood('127.0.0.2', 10);
    await expect.poll(() => broker.counters.rateLimitedConnections).toBe(15);

    // mqtt.js reports a socket closed before CONNACK only as 'close', so connectAsync would not settle.
    const refused = connect(broker.url, { clientId: 'store-a', username: 'store-a', password: tokens.get('store-a')!, reconnectPeriod: 0 });
    opened.clients.push(refused);
    refused.on('error', () => {});
    await new Promise<void>((resolve) => refused.once('close', () => resolve()));
    expect(refused.connected).toBe(false);
    expect(broker.counters.rateLimitedConnections).toBe(16);

    clock.advance(1000);
    const client = await connectCluster(broker.url, 'store-a');
    expect(client.connected).toBe(true);
    expect(broker.counters.rateLimitedConnections).toBe(16);
  });
});

const opensslMissing = spawnSync('openssl', ['version']).status !== 0;

describe.skipIf(opensslMissing)('TLS listener (skipped when openssl is not installed to generate certificates)', () => {
  const temp = makeTempDir('hub-broker-tls');
  const file = (name: string) => join(temp.dir, name);
  const pem = (name: string) => readFileSync(file(name));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: temp.dir, stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const issue = (name: string, commonName: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(Date.now()), '-days', '1', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  };

  beforeAll(() => {
    openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test fleet CA');
    issue('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    issue('store-a', 'store-a', 'extendedKeyUsage=clientAuth\n');
    issue('store-z', 'store-z', 'extendedKeyUsage=clientAuth\n');
  });
  afterAll(() => temp.remove());

  const tlsBroker = (requireClientCert: boolean) =>
    startBroker({ tls: { host: '127.0.0.1', port: 0, cert: pem('server.crt'), key: pem('server.key'), ca: pem('ca.crt'), requireClientCert } });
  const withCert = (name: string): IClientOptions => ({ ca: pem('ca.crt'), cert: pem(`${name}.crt`), key: pem(`${name}.key`), rejectUnauthorized: true });

  it('accepts a token over TLS, and still refuses a wrong one', async () => {
    const broker = await tlsBroker(false);
    const received: string[] = [];
    broker.onMessage('report', (_clusterId, payload) => received.push(payload.toString()));
    expect(broker.tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const client = await connectCluster(broker.tlsUrl!, 'store-a', { ca: pem('ca.crt'), rejectUnauthorized: true });
    await roundTrip(received, client, 'store-a');
    await expect(connectCluster(broker.tlsUrl!, 'store-b', { ca: pem('ca.crt'), password: 'wrong' })).rejects.toThrow(/Bad username or password/i);
  });

  it('accepts a client certificate whose CN is the client id, without a token', async () => {
    const broker = await tlsBroker(true);
    const received: string[] = [];
    broker.onMessage('report', (_clusterId, payload) => received.push(payload.toString()));
    const client = await connectAsync(broker.tlsUrl!, { clientId: 'store-a', reconnectPeriod: 0, connectTimeout: 5000, ...withCert('store-a') });
    opened.clients.push(client);
    await roundTrip(received, client, 'store-a');
  });

  it('refuses a certificate for another cluster, and a client without a certificate when one is required', async () => {
    const broker = await tlsBroker(true);
    await expect(
      connectAsync(broker.tlsUrl!, { clientId: 'store-a', reconnectPeriod: 0, connectTimeout: 5000, ...withCert('store-z') }),
    ).rejects.toThrow(/Not authorized/i);
    // Even with store-a's valid token: the certificate names a different cluster.
    await expect(connectCluster(broker.tlsUrl!, 'store-a', withCert('store-z'))).rejects.toThrow(/Not authorized/i);
    expect(broker.counters.refusedCertificates).toBe(2);
    await expect(connectCluster(broker.tlsUrl!, 'store-a', { ca: pem('ca.crt'), rejectUnauthorized: true })).rejects.toThrow();
  });
});
