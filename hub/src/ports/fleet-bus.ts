/**
 * The hub's side of the transport. Adapters: `EmbeddedBroker` (aedes, with authentication and
 * the topic ACL) and `MemoryFleetBus` (an in-process broker). Messages reaching a handler come
 * from an authenticated cluster on its own topic; their payloads are still unvalidated bytes.
 */
export type InboundChannel = 'presence' | 'report';

export type InboundHandler = (clusterId: string, payload: Buffer) => void;

export interface FleetBus {
  onMessage(channel: InboundChannel, handler: InboundHandler): void;
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
  close(): Promise<void>;
}
