/** What the agent knows of its cluster between passes: the durable part of its state. */
import type { Condition, Health } from '../../../shared/src/protocol/protocol.js';
import type { ObjectRef } from './kube-object.js';

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
