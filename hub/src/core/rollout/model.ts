/**
 * The rollout engine's data: a rollout, each cluster's progress in it, what the engine reads of
 * the fleet, and what it asks the shell to do. Plain data, so it persists and compares as is.
 */
import type { ClusterPhase, RolloutStatus } from '../../../../shared/src/api/rollouts.js';
import type { Health } from '../../../../shared/src/protocol/protocol.js';
import type { RolloutPlan } from './plan.js';

// Statuses and phases are the operator API's: the engine's values are what the API answers.
export type { ClusterPhase, RolloutStatus } from '../../../../shared/src/api/rollouts.js';

export interface ClusterProgress {
  /** Index of its wave in the plan. */
  wave: number;
  phase: ClusterPhase;
  /** What it ran before this rollout first directed it: the rollback target. */
  previousRevision: string | null;
  /** Seq of the last directive this rollout gave it (set by the shell when recorded). */
  directiveSeq: number | null;
  /** When it was last directed (epoch ms), for the progress deadline. */
  directedAt: number | null;
  /** Since when it has been healthy (epoch ms), for the bake time. */
  healthySince: number | null;
  /** Why it failed, timed out or was skipped. */
  reason: string | null;
}

/** Statuses in which the engine still directs clusters. */
export const ACTIVE_STATUSES: ReadonlySet<RolloutStatus> = new Set(['running', 'paused', 'awaitingApproval', 'rollingBack']);

export interface Rollout {
  id: string;
  plan: RolloutPlan;
  /** The plan's revision resolved to a full SHA. */
  revision: string;
  status: RolloutStatus;
  /** Why it is paused, awaiting approval, aborted, rolled back or superseded. */
  reason: string | null;
  /** Index of the wave in progress (or awaiting approval). */
  wave: number;
  waveStartedAt: number;
  /** Failures an operator chose to proceed past (on resume), by cluster id. */
  acknowledged: readonly string[];
  clusters: ReadonlyMap<string, ClusterProgress>;
  createdAt: number;
  updatedAt: number;
}

/** What the engine reads of a cluster. */
export interface FleetMember {
  id: string;
  labels: Readonly<Record<string, string>>;
  online: boolean;
  appliedRevision: string | null;
  desiredRevision: string | null;
  health: Health;
  /** The agent reports Stalled=True: it cannot make progress on `desiredRevision` (render, apply or health). */
  stalled: boolean;
  /** Why, from the Ready condition. */
  message: string;
  /** Seq of the last directive the agent accepted. */
  directiveSeq: number | null;
}

export type FleetView = ReadonlyMap<string, FleetMember>;

export interface DirectiveIntent {
  clusterId: string;
  revision: string;
  wave: string;
}

export interface AuditEntry {
  at: number;
  rolloutId: string;
  clusterId: string | null;
  /** e.g. `created`, `wave-started`, `paused`, `cluster:healthy`, `operator:approve`. */
  action: string;
  message: string;
}

export interface Step {
  rollout: Rollout;
  directives: DirectiveIntent[];
  audit: AuditEntry[];
  /** Clusters whose progress changed, for the shell to persist. */
  changed: string[];
}
