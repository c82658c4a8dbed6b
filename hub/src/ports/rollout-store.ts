/**
 * Rollouts as the hub keeps them: each rollout with every cluster's progress, and the audit log
 * of every transition. One adapter, `SqliteRolloutStore`, in the hub database beside the fleet.
 */
import type { AuditEntry, Rollout, RolloutStatus, Step } from '../core/rollout/model.js';

/** Who started a rollout: an operator (by name), or a commit seen on the watched branch. */
export type RolloutOrigin = { by: 'operator'; name: string } | { by: 'git'; commit: string };

export interface RolloutSummary {
  id: string;
  revision: string;
  status: RolloutStatus;
  reason: string | null;
  wave: number;
  waves: { name: string; clusters: number }[];
  clusters: number;
  origin: RolloutOrigin;
  createdAt: number;
  updatedAt: number;
}

export interface RolloutStore {
  /**
   * Saves steps — each rollout, the clusters it changed, its audit entries — in one transaction
   * with `recordDirectives`, which records the steps' directives and returns their seqs by
   * cluster; returns the rollouts as saved, with those seqs. `origin` is kept for a new rollout.
   */
  commit(steps: readonly { step: Step; origin?: RolloutOrigin }[], recordDirectives: () => ReadonlyMap<string, number>): Rollout[];
  get(id: string): Rollout | undefined;
  /** Whether a rollout was ever started for this commit of the watched branch. */
  startedFromCommit(commit: string): boolean;
  /** Rollouts still directing clusters, oldest first. */
  active(): Rollout[];
  /** Newest first. */
  list(options?: { limit?: number; status?: RolloutStatus }): RolloutSummary[];
  audit(options?: { rolloutId?: string; afterId?: number; limit?: number }): (AuditEntry & { id: number })[];
}
