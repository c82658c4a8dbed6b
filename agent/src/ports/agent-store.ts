/**
 * The agent's durable memory: what it applied, its conditions, and the outbox of records not yet
 * acknowledged by the hub. One adapter, `SqliteAgentStore`, over a file or `:memory:`
 * database; a state change and the record announcing it are always committed together.
 */
import type { Directive, EventRecord, ReportRecord } from '../../../shared/src/protocol/protocol.js';
import type { AgentState } from '../core/agent-state.js';

/**
 * The reason of the event that stands for events the outbox dropped: while the hub is
 * unreachable the outbox keeps a capped number of events, the newest.
 */
export const EVENTS_DROPPED_REASON = 'EventsDropped';

export interface AgentStore {
  readState(): AgentState;
  /**
   * Saves `state` and queues a status record announcing it, in one transaction; returns its seq.
   * A status not yet acknowledged is superseded: the outbox holds at most one.
   */
  saveState(state: AgentState, at: Date): number;
  /** The hub directive accepted last, if any. */
  acceptedDirective(): Directive | undefined;
  /** Records `directive` as accepted, with an event saying so, in one transaction; returns the event's seq. */
  acceptDirective(directive: Directive, at: Date): number;
  /** Queues an event record; returns its seq. */
  appendEvent(event: EventRecord['event'], at: Date): number;
  /** The oldest unacknowledged records with seq > `afterSeq` (default 0), in seq order. */
  pendingRecords(limit: number, afterSeq?: number): ReportRecord[];
  /** How many records wait for the hub's acknowledgement. */
  pendingCount(): number;
  /** Drops every record with seq ≤ `upTo`; returns how many were dropped. */
  acknowledge(upTo: number): number;
}
