/**
 * Forwards outbox records to the hub while connected. Rows leave the outbox only when the hub's
 * acknowledgement arrives (a PUBACK proves nothing: the broker sends it before the hub commits).
 * After a reconnect, or when an ack is overdue, everything unacknowledged is sent again; the hub
 * deduplicates by seq.
 */
import { describeError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import { MAX_PAYLOAD_BYTES, MAX_RECORDS_PER_REPORT, PROTOCOL_VERSION } from '../../../shared/src/protocol/protocol.js';
import type { Report, ReportRecord } from '../../../shared/src/protocol/protocol.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { Uplink } from '../ports/uplink.js';

const ACK_TIMEOUT_MS = 15_000;

export class OutboxPump {
  private sentUpTo = 0;
  private lastSentAt = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly clusterId: string,
    private readonly store: AgentStore,
    private readonly uplink: Uplink,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    uplink.onAck((ack) => {
      store.acknowledge(ack.upTo);
      void this.flush();
    });
    uplink.onConnect(() => {
      this.sentUpTo = 0;
      void this.flush();
    });
  }

  /** Sends what has not been sent; concurrent callers share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (!this.uplink.isConnected()) return;
    if (this.sentUpTo > 0 && this.clock.now() - this.lastSentAt > ACK_TIMEOUT_MS) this.sentUpTo = 0;
    try {
      for (;;) {
        const pending = this.store.pendingRecords(MAX_RECORDS_PER_REPORT, this.sentUpTo);
        if (pending.length === 0) return;
        const report = fittingReport(this.clusterId, pending);
        const batch = report.records;
        await this.uplink.publishReport(report);
        this.sentUpTo = batch.at(-1)!.seq;
        this.lastSentAt = this.clock.now();
      }
    } catch (error) {
      this.logger.debug({ error: describeError(error) }, 'report not sent; will retry');
    }
  }
}

/**
 * The report of the oldest records that fits the broker's payload limit: the broker would close
 * the connection on a larger one, and the agent would send it again after every reconnect. One
 * record always fits (the protocol bounds every field).
 */
export function fittingReport(clusterId: string, records: readonly ReportRecord[]): Report {
  let count = records.length;
  for (;;) {
    const report: Report = { v: PROTOCOL_VERSION, clusterId, records: records.slice(0, count) };
    if (count === 1 || Buffer.byteLength(JSON.stringify(report)) <= MAX_PAYLOAD_BYTES) return report;
    count = Math.ceil(count / 2);
  }
}
