import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { Logger } from '../../../../shared/src/logger.js';
import { backoffDelay } from '../../../../shared/src/backoff.js';
import type { BackoffPolicy } from '../../../../shared/src/backoff.js';
import { FleetError } from '../../../../shared/src/errors.js';
import { Ack, PROTOCOL_VERSION, parsePayload } from '../../../../shared/src/protocol/protocol.js';
import type { Presence, Report } from '../../../../shared/src/protocol/protocol.js';
import { topics } from '../../../../shared/src/protocol/topics.js';
import type { Uplink } from '../../ports/uplink.js';

export interface MqttUplinkOptions {
  /** e.g. `mqtt://hub.example:1883` or `mqtts://…`. */
  url: string;
  clusterId: string;
  token: string;
  agentVersion: string;
  logger: Logger;
  keepaliveSeconds?: number;
  reconnect?: BackoffPolicy;
}

export class MqttUplink implements Uplink {
  private readonly client: MqttClient;
  private readonly ackHandlers: ((ack: Ack) => void)[] = [];
  private readonly connectHandlers: (() => void)[] = [];
  private readonly directiveHandlers: ((payload: Buffer) => void)[] = [];
  private failedAttempts = 0;

  constructor(private readonly options: MqttUplinkOptions) {
    const { clusterId, logger } = options;
    const policy = options.reconnect ?? { baseMs: 1000, maxMs: 60_000 };
    // mqtt.connect (not connectAsync) returns at once, so the agent starts and reconciles offline.
    this.client = connect(options.url, {
      clientId: clusterId,
      username: clusterId,
      password: options.token,
      protocolVersion: 4,
      // A persistent session: acks and directives published while the agent was away still arrive.
      clean: false,
      keepalive: options.keepaliveSeconds ?? 30,
      connectTimeout: 10_000,
      reconnectPeriod: backoffDelay(0, policy) + 100,
      queueQoSZero: false,
      will: { topic: topics.presence(clusterId), payload: this.presence('offline'), qos: 1, retain: true },
    });
    this.client.on('error', (error) => logger.warn({ err: error }, 'hub connection error'));
    this.client.on('close', () => {
      // mqtt.js has a fixed reconnect period; re-drawing it before each attempt gives jittered backoff.
      this.client.options.reconnectPeriod = backoffDelay(this.failedAttempts++, policy) + 100;
    });
    this.client.on('connect', () => {
      this.failedAttempts = 0;
      logger.info({ url: options.url }, 'connected to hub');
      this.client.publish(topics.presence(clusterId), this.presence('online'), { qos: 1, retain: true });
      this.client.subscribe([topics.ack(clusterId), topics.directive(clusterId)], { qos: 1 }, (error) => {
        if (error) logger.error({ err: error }, 'cannot subscribe to acknowledgements and directives');
      });
      for (const handler of this.connectHandlers) handler();
    });
    this.client.on('message', (topic, payload) => {
      if (topic === topics.directive(clusterId)) {
        for (const handler of this.directiveHandlers) handler(payload);
        return;
      }
      if (topic !== topics.ack(clusterId)) return;
      const parsed = parsePayload(Ack, payload);
      if (!parsed.ok) {
        logger.warn({ topic, error: parsed.error }, 'ignoring a malformed acknowledgement');
        return;
      }
      for (const handler of this.ackHandlers) handler(parsed.value);
    });
  }

  isConnected(): boolean {
    return this.client.connected;
  }

  publishReport(report: Report): Promise<void> {
    if (!this.client.connected) {
      return Promise.reject(new FleetError('transient', 'not connected to the hub'));
    }
    return new Promise((resolve, reject) => {
      this.client.publish(topics.report(this.options.clusterId), JSON.stringify(report), { qos: 1 }, (error) =>
        error ? reject(new FleetError('transient', 'publishing a report failed', { cause: error })) : resolve(),
      );
    });
  }

  onAck(handler: (ack: Ack) => void): void {
    this.ackHandlers.push(handler);
  }

  onDirective(handler: (payload: Buffer) => void): void {
    this.directiveHandlers.push(handler);
  }

  onConnect(handler: () => void): void {
    this.connectHandlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.client.connected) {
      await new Promise<void>((resolve) =>
        this.client.publish(topics.presence(this.options.clusterId), this.presence('offline'), { qos: 1, retain: true }, () =>
          resolve(),
        ),
      );
    }
    await this.client.endAsync();
  }

  private presence(state: Presence['state']): string {
    const presence: Presence = {
      v: PROTOCOL_VERSION,
      clusterId: this.options.clusterId,
      state,
      agentVersion: this.options.agentVersion,
    };
    return JSON.stringify(presence);
  }
}
