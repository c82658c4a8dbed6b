/**
 * Turns report payloads into durable records: validate, collect briefly, commit many clusters'
 * records in one transaction (deduplicated by cluster and seq), and only then acknowledge. The
 * ack is the agent's licence to delete its outbox rows, so it never precedes the commit.
 */
import { describeError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import { PROTOCOL_VERSION, Report, parsePayload } from '../../../shared/src/protocol/protocol.js';
import type { Ack } from '../../../shared/src/protocol/protocol.js';
import { topics } from '../../../shared/src/protocol/topics.js';
import { systemClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { FleetBus } from '../ports/fleet-bus.js';
import type { FleetStore, ReportBatch } from '../ports/fleet-store.js';

export interface ReportIngestOptions {
  /** Longest a report waits for others to share its transaction. */
  maxDelayMs?: number;
  /** Commit as soon as this many records are waiting. */
  maxRecords?: number;
  /** For the delay (default the system clock). */
  clock?: Clock;
}

export class ReportIngest {
  private queue: ReportBatch[] = [];
  private queuedRecords = 0;
  /** The flush of the batch being collected, due `maxDelayMs` after its first report; `flush()` cancels it. */
  private timer: unknown;
  private readonly clock: Clock;
  private readonly maxDelayMs: number;
  private readonly maxRecords: number;
  readonly counters = { accepted: 0, rejected: 0, committed: 0 };
  private readonly commitListeners: ((clusterIds: readonly string[]) => void)[] = [];

  constructor(
    private readonly store: FleetStore,
    private readonly bus: FleetBus,
    private readonly logger: Logger,
    options: ReportIngestOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 10;
    this.maxRecords = options.maxRecords ?? 2000;
    this.clock = options.clock ?? systemClock;
  }

  readonly handle = (clusterId: string, payload: Buffer): void => {
    const parsed = parsePayload(Report, payload);
    if (!parsed.ok || parsed.value.clusterId !== clusterId) {
      this.counters.rejected++;
      this.logger.warn({ clusterId, error: parsed.ok ? 'clusterId differs from the topic' : parsed.error }, 'report rejected');
      return;
    }
    this.counters.accepted++;
    this.queue.push({ clusterId, records: parsed.value.records });
    this.queuedRecords += parsed.value.records.length;
    if (this.queuedRecords >= this.maxRecords) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flush(), this.maxDelayMs);
  };

  /** Called after each committed batch with the clusters it held (e.g. to re-evaluate rollouts). */
  onCommit(listener: (clusterIds: readonly string[]) => void): void {
    this.commitListeners.push(listener);
  }

  /** Commits what is queued and acknowledges it. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const batches = this.queue;
    if (batches.length === 0) return;
    this.queue = [];
    this.queuedRecords = 0;
    let acked: Map<string, number>;
    try {
      acked = this.store.commitReports(batches);
    } catch (error) {
      // Nothing is acknowledged, so the agents keep their records and send them again.
      this.logger.error({ error: describeError(error) }, 'committing reports failed');
      return;
    }
    for (const batch of batches) this.counters.committed += batch.records.length;
    const clusterIds = [...acked.keys()];
    for (const listener of this.commitListeners) listener(clusterIds);
    for (const [clusterId, upTo] of acked) {
      const ack: Ack = { v: PROTOCOL_VERSION, upTo };
      this.bus.publish(topics.ack(clusterId), JSON.stringify(ack), { retain: false }).catch((error: unknown) => {
        this.logger.warn({ clusterId, error: describeError(error) }, 'publishing an acknowledgement failed');
      });
    }
  }
}
