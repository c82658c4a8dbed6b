import { FleetError } from '../../../../shared/src/errors.js';
import type { MemoryBroker } from '../../../../shared/src/protocol/memory-broker.js';
import { Ack, PROTOCOL_VERSION, parsePayload } from '../../../../shared/src/protocol/protocol.js';
import type { Presence, Report } from '../../../../shared/src/protocol/protocol.js';
import { topics } from '../../../../shared/src/protocol/topics.js';
import type { Uplink } from '../../ports/uplink.js';

/** An uplink over an in-process broker; `setOnline` simulates the link going down and up. */
export class MemoryUplink implements Uplink {
  private online = false;
  private readonly ackHandlers: ((ack: Ack) => void)[] = [];
  private readonly connectHandlers: (() => void)[] = [];
  private readonly directiveHandlers: ((payload: Buffer) => void)[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly clusterId: string,
    private readonly agentVersion = 'memory',
  ) {
    this.setOnline(true);
  }

  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    if (!online) {
      this.unsubscribe?.();
      this.broker.publish(topics.presence(this.clusterId), this.presence('offline'), { retain: true });
      return;
    }
    this.broker.publish(topics.presence(this.clusterId), this.presence('online'), { retain: true });
    const stopAcks = this.broker.subscribe(topics.ack(this.clusterId), (_topic, payload) => {
      const parsed = parsePayload(Ack, payload);
      if (parsed.ok) for (const handler of this.ackHandlers) handler(parsed.value);
    });
    const stopDirectives = this.broker.subscribe(topics.directive(this.clusterId), (_topic, payload) => {
      for (const handler of this.directiveHandlers) handler(payload);
    });
    this.unsubscribe = () => (stopAcks(), stopDirectives());
    queueMicrotask(() => this.connectHandlers.forEach((handler) => handler()));
  }

  isConnected(): boolean {
    return this.online;
  }

  async publishReport(report: Report): Promise<void> {
    if (!this.online) throw new FleetError('transient', 'not connected to the hub');
    this.broker.publish(topics.report(this.clusterId), JSON.stringify(report));
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
    this.setOnline(false);
  }

  private presence(state: Presence['state']): string {
    return JSON.stringify({ v: PROTOCOL_VERSION, clusterId: this.clusterId, state, agentVersion: this.agentVersion });
  }
}
