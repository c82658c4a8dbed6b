import type { Ack, Report } from '../../../../shared/src/protocol/protocol.js';
import type { Uplink } from '../../ports/uplink.js';

/**
 * The uplink of an agent with no hub (a dev cluster in track mode): reports have nowhere to go,
 * so each is acknowledged at once and the outbox stays empty. Status remains in the local
 * database and logs.
 */
export class StandaloneUplink implements Uplink {
  private readonly ackHandlers: ((ack: Ack) => void)[] = [];

  isConnected(): boolean {
    return true;
  }

  async publishReport(report: Report): Promise<void> {
    const upTo = report.records.at(-1)!.seq;
    queueMicrotask(() => this.ackHandlers.forEach((handler) => handler({ v: 1, upTo })));
  }

  onAck(handler: (ack: Ack) => void): void {
    this.ackHandlers.push(handler);
  }

  /** No hub, no directives. */
  onDirective(): void {}

  onConnect(): void {}

  async close(): Promise<void> {}
}
