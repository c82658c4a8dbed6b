/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1). Each cluster logs in with its id as both client
 * id and username and its token as password; the topic ACL confines it to its own topics.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Aedes } from 'aedes';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from '../../../shared/src/logger.js';
import { MAX_PAYLOAD_BYTES } from '../../../shared/src/protocol.js';
import { parseClusterTopic, topics } from '../../../shared/src/topics.js';
import { mayPublish, maySubscribe } from '../core/topic-acl.js';
import type { FleetBus, InboundChannel, InboundHandler } from '../ports/fleet-bus.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Resolves true when `token` is the valid credential of cluster `clusterId`. */
  verifyCredentials(clusterId: string, token: string): Promise<boolean>;
  logger: Logger;
}

const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;

export class EmbeddedBroker implements FleetBus {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const { logger } = options;
    const broker = await Aedes.createBroker({
      connectTimeout: 10_000,
      maxClientsIdLength: 63,
      authenticate: (client, username, password, done) => {
        const refuse = (code: number, message: string) => {
          logger.warn({ clientId: client.id, username }, message);
          done(Object.assign(new Error(message), { returnCode: code }) as AuthenticateError, false);
        };
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
        if (packet.payload.length > MAX_PAYLOAD_BYTES) return callback(new Error('payload too large'));
        const decision = mayPublish(client.id, packet.topic, packet.retain);
        if (decision.allowed) return callback(null);
        logger.warn({ clientId: client.id, topic: packet.topic }, decision.reason);
        callback(new Error(decision.reason));
      },
      authorizeSubscribe: (client: Client, subscription, callback) => {
        const decision = maySubscribe(client.id, subscription.topic);
        if (decision.allowed) return callback(null, subscription);
        logger.warn({ clientId: client.id, topic: subscription.topic }, decision.reason);
        // A null subscription is refused in the SUBACK (0x80) without dropping the connection.
        callback(null, null);
      },
    });
    broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'client error'));
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const bus = new EmbeddedBroker(broker, server, `mqtt://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`);
    server.on('connection', (socket) => {
      bus.sockets.add(socket);
      socket.on('close', () => bus.sockets.delete(socket));
    });
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
        done();
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
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
  }
}
