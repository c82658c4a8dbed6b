/**
 * The agent's durable memory: what it applied, its conditions, and the outbox of records not yet
 * acknowledged by the hub. One adapter, `SqliteAgentStore`, over a file or `:memory:`
 * database; a state
 * change and the record announcing it are always committed together.
 */
import type { Condition, Directive, EventRecord, Health, ReportRecord } from '../../../shared/src/protocol.js';
import type { ObjectRef } from './kube.js';

export interface AgentState {
  appliedRevision: string | null;
  desiredRevision: string | null;
  health: Health;
  conditions: Condition[];
  /** The objects the applied revision consists of, in apply order. */
  inventory: ObjectRef[];
  /** Bytes kept to reconcile offline, as last measured. */
  cacheBytes: number;
  /** When the applied revision was first applied (ISO 8601), for its health deadline. */
  appliedAt: string | null;
  /** Objects whose live state differs from the applied revision and was left so (drift policy alert). */
  driftedObjects: number;
}

export const INITIAL_STATE: AgentState = {
  appliedRevision: null,
  desiredRevision: null,
  health: 'Unknown',
  conditions: [],
  inventory: [],
  cacheBytes: 0,
  appliedAt: null,
  driftedObjects: 0,
};

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
