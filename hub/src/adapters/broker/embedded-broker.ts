/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1). Each cluster logs in with its id as both client
 * id and username and its token as password, or over TLS with a client certificate whose CN is
 * its id; the topic ACL confines it to its own topics. Every connection passes a rate limit and
 * a packet-size guard before aedes sees a byte.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { Aedes } from 'aedes';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from '../../../../shared/src/logger.js';
import type { Clock } from '../../../../shared/src/time/clock.js';
import { MAX_PAYLOAD_BYTES } from '../../../../shared/src/protocol/protocol.js';
import { parseClusterTopic, topics } from '../../../../shared/src/protocol/topics.js';
import { mayPublish, maySubscribe } from '../../core/topic-acl.js';
import type { FleetBus, InboundChannel, InboundHandler } from '../../ports/fleet-bus.js';
import { DEFAULT_CONNECTION_RATE, DEFAULT_MAX_PACKET_BYTES } from './broker-limits.js';
import { ConnectionRateLimit } from './connection-rate-limit.js';
import type { RateLimit } from './connection-rate-limit.js';
import { GuardedConnection } from './mqtt-frame-guard.js';
import type { PeerInfo } from './mqtt-frame-guard.js';

export interface BrokerTlsOptions {
  host: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  /** CA that client certificates must chain to; without it no client certificate is asked for. */
  ca?: Buffer;
  /** Refuse the TLS handshake of a client without a valid certificate. */
  requireClientCert: boolean;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Resolves true when `token` is the valid credential of cluster `clusterId`. */
  verifyCredentials(clusterId: string, token: string): Promise<boolean>;
  logger: Logger;
  /** Largest MQTT remaining length (variable header + payload) accepted from a client. */
  maxPacketBytes?: number;
  connectionRate?: { overall: RateLimit; perAddress: RateLimit };
  tls?: BrokerTlsOptions;
  /** For the connection rate limit (default the system clock). */
  clock?: Clock;
}

const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export interface BrokerCounters {
  oversizedPackets: number;
  rateLimitedConnections: number;
  refusedCertificates: number;
  /** CONNECTs refused: missing or wrong credentials, or a client id that is not the cluster. */
  refusedLogins: number;
  /** PUBLISHes refused by the topic ACL or the payload limit (each also closes the connection). */
  refusedPublishes: number;
  /** SUBSCRIBE filters refused by the topic ACL (answered 0x80 in the SUBACK). */
  refusedSubscriptions: number;
}

export class EmbeddedBroker implements FleetBus {
  private tlsServer: TlsServer | undefined;
  /** `mqtts://` address of the TLS listener, when one is configured. */
  tlsUrl: string | undefined;

  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly url: string,
    /** Every open TCP socket, so close() does not wait for idle clients. */
    private readonly sockets: Set<Socket>,
    readonly counters: BrokerCounters,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const { logger } = options;
    const counters: BrokerCounters = {
      oversizedPackets: 0,
      rateLimitedConnections: 0,
      refusedCertificates: 0,
      refusedLogins: 0,
      refusedPublishes: 0,
      refusedSubscriptions: 0,
    };
    const broker = await Aedes.createBroker({
      connectTimeout: 10_000,
      maxClientsIdLength: 63,
      authenticate: (client, username, password, done) => {
        const refuse = (code: number, message: string) => {
          counters.refusedLogins += 1;
          logger.warn({ clientId: client.id, username }, message);
          done(Object.assign(new Error(message), { returnCode: code }) as AuthenticateError, false);
        };
        const peer = client.conn instanceof GuardedConnection ? client.conn.peer : undefined;
        const certified = peer?.verifiedCommonName;
        if (certified !== undefined) {
          if (certified !== client.id) {
            counters.refusedCertificates += 1;
            return refuse(NOT_AUTHORIZED, 'client certificate CN differs from the client id');
          }
          if (username && username !== client.id) return refuse(IDENTIFIER_REJECTED, 'client id differs from the cluster it authenticates as');
          // The verified certificate is the credential; a token sent as well must still be right.
          if (!password) return done(null, true);
        }
        if (!username || !password) return refuse(BAD_USERNAME_OR_PASSWORD, 'connection without credentials refused');
        if (client.id !== username) return refuse(IDENTIFIER_REJECTED, 'client id differs from the cluster it authenticates as');
        options.verifyCredentials(username, password.toString('utf8')).then(
          (valid) => (valid ? done(null, true) : refuse(BAD_USERNAME_OR_PASSWORD, 'wrong cluster credentials')),
          (error: unknown) => {
            logger.error({ err: error }, 'credential check failed');
            done(Object.assign(new Error('credential check failed'), { returnCode: 3 }) as AuthenticateError, false);
          },
        );
      },
      authorizePublish: (client, packet, callback) => {
        // A null client is the hub itself publishing through the broker.
        if (client === null) return callback(null);
        if (packet.payload.length > MAX_PAYLOAD_BYTES) {
          counters.refusedPublishes += 1;
          return callback(new Error('payload too large'));
        }
        const decision = mayPublish(client.id, packet.topic, packet.retain);
        if (decision.allowed) return callback(null);
        counters.refusedPublishes += 1;
        logger.warn({ clientId: client.id, topic: packet.topic }, decision.reason);
        callback(new Error(decision.reason));
      },
      authorizeSubscribe: (client: Client, subscription, callback) => {
        const decision = maySubscribe(client.id, subscription.topic);
        if (decision.allowed) return callback(null, subscription);
        counters.refusedSubscriptions += 1;
        logger.warn({ clientId: client.id, topic: subscription.topic }, decision.reason);
        // A null subscription is refused in the SUBACK (0x80) without dropping the connection.
        callback(null, null);
      },
    });
    broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'client error'));

    const sockets = new Set<Socket>();
    const rateLimit = new ConnectionRateLimit({ ...(options.connectionRate ?? DEFAULT_CONNECTION_RATE), ...(options.clock ? { clock: options.clock } : {}) });
    const maxPacketBytes = options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    // Runs on the raw TCP socket, before any TLS handshake, so a flood costs as little as possible.
    const admit = (socket: Socket): boolean => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // Acks are small and latency-bound: without this, Nagle's algorithm holds one back until the
      // client's delayed ACK of the previous segment (~40 ms).
      socket.setNoDelay(true);
      const decision = rateLimit.admit(socket.remoteAddress);
      if (decision.admitted) return true;
      counters.rateLimitedConnections += 1;
      logger.debug({ remoteAddress: socket.remoteAddress, limit: decision.reason }, 'connection refused by rate limit');
      socket.destroy();
      return false;
    };
    const serve = (socket: Socket, peer: PeerInfo) => {
      const connection = new GuardedConnection(socket, peer, maxPacketBytes, () => {
        counters.oversizedPackets += 1;
        logger.warn({ remoteAddress: peer.remoteAddress, maxPacketBytes }, 'connection closed: packet exceeds the size limit');
      });
      broker.handle(connection);
    };

    const server = createServer((socket) => {
      if (admit(socket)) serve(socket, { remoteAddress: socket.remoteAddress });
    });
    await listen(server, options.port, options.host);
    const bus = new EmbeddedBroker(broker, server, brokerUrl('mqtt', options.host, server), sockets, counters);

    if (options.tls) {
      const tlsOptions = options.tls;
      const tlsServer = createTlsServer({
        cert: tlsOptions.cert,
        key: tlsOptions.key,
        ...(tlsOptions.ca ? { ca: tlsOptions.ca, requestCert: true } : {}),
        rejectUnauthorized: tlsOptions.requireClientCert,
      });
      tlsServer.on('connection', (socket: Socket) => {
        admit(socket);
      });
      tlsServer.on('secureConnection', (socket: TLSSocket) => {
        serve(socket, { remoteAddress: socket.remoteAddress, ...verifiedCommonName(socket) });
      });
      tlsServer.on('tlsClientError', (error, socket) => {
        logger.debug({ err: error, remoteAddress: socket.remoteAddress }, 'TLS handshake failed');
      });
      try {
        await listen(tlsServer, tlsOptions.port, tlsOptions.host);
      } catch (error) {
        await bus.close();
        throw error;
      }
      bus.tlsServer = tlsServer;
      bus.tlsUrl = brokerUrl('mqtts', tlsOptions.host, tlsServer);
    }
    return bus;
  }

  get connectedClients(): number {
    return this.broker.connectedClients;
  }

  onMessage(channel: InboundChannel, handler: InboundHandler): void {
    this.broker.subscribe(
      topics.allClusters(channel),
      (packet, done) => {
        const parsed = parseClusterTopic(packet.topic);
        if (parsed) handler(parsed.clusterId, Buffer.from(packet.payload));
        // Not synchronously: when messages queue in aedes's emitter (more than its concurrency in
        // flight), a synchronous done() delivers the next one inside this call, and a backlog of
        // thousands overflows the stack.
        process.nextTick(done);
      },
      () => {},
    );
  }

  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: options.retain, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    const tlsServer = this.tlsServer;
    if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function brokerUrl(scheme: 'mqtt' | 'mqtts', host: string, server: Server): string {
  const { port } = server.address() as AddressInfo;
  return `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

/** The CN of a client certificate that verified against the configured CA, if any. */
function verifiedCommonName(socket: TLSSocket): { verifiedCommonName?: string } {
  if (!socket.authorized) return {};
  const commonName: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof commonName === 'string' ? { verifiedCommonName: commonName } : {};
}
