/**
 * The agent's link to the hub. Adapters: `MqttUplink` (mqtt.js to the hub's broker) and
 * `MemoryUplink` (an in-process broker). Being offline is normal: publishing while offline
 * rejects at once and nothing is queued here — the outbox in SQLite is the only queue.
 */
import type { Ack, Report } from '../../../shared/src/protocol/protocol.js';

export interface Uplink {
  isConnected(): boolean;
  /** Resolves once the broker has taken the report; rejects when offline. */
  publishReport(report: Report): Promise<void>;
  /** Called with every valid acknowledgement from the hub. */
  onAck(handler: (ack: Ack) => void): void;
  /**
   * Called with the raw bytes of every message on the cluster's directive topic (retained, so the
   * latest arrives again on each connection); checking them is the agent's job.
   */
  onDirective(handler: (payload: Buffer) => void): void;
  /** Called on every (re)connection, so that the outbox can be replayed. */
  onConnect(handler: () => void): void;
  /** Announces the agent offline and disconnects. */
  close(): Promise<void>;
}
