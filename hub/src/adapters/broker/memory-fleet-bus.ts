import type { MemoryBroker } from '../../../../shared/src/protocol/memory-broker.js';
import { parseClusterTopic, topics } from '../../../../shared/src/protocol/topics.js';
import type { FleetBus, InboundChannel, InboundHandler } from '../../ports/fleet-bus.js';

export class MemoryFleetBus implements FleetBus {
  private readonly unsubscribers: (() => void)[] = [];

  constructor(private readonly broker: MemoryBroker) {}

  onMessage(channel: InboundChannel, handler: InboundHandler): void {
    this.unsubscribers.push(
      this.broker.subscribe(topics.allClusters(channel), (topic, payload) => {
        const parsed = parseClusterTopic(topic);
        if (parsed) handler(parsed.clusterId, payload);
      }),
    );
  }

  async publish(topic: string, payload: string, options: { retain: boolean }): Promise<void> {
    this.broker.publish(topic, payload, options);
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
  }
}
