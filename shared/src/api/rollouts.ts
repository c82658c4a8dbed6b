/**
 * Rollouts and their audit log as the operator API answers them (`/api/v1/rollouts…`,
 * `/api/v1/audit`), and the queries those routes take. The rollout engine's statuses and phases
 * are these; its progress view (`rolloutDetail`) answers with these types.
 */
import { z } from 'zod';
import { Count, Timestamp, itemsOf } from './common.js';
import { RolloutPlan } from './rollout-plan.js';

export const RolloutStatus = z.enum(['running', 'paused', 'awaitingApproval', 'rollingBack', 'succeeded', 'aborted', 'rolledBack', 'superseded']);
export type RolloutStatus = z.infer<typeof RolloutStatus>;

/**
 * pending → directed → applied → healthy, or failed / timedOut; offline while its link is down;
 * skipped (offline past the deadline with `offlinePolicy: skip`, or nothing to roll back to);
 * superseded (a newer rollout took it); rolledBack.
 */
export const ClusterPhase = z.enum(['pending', 'directed', 'applied', 'healthy', 'failed', 'timedOut', 'offline', 'skipped', 'superseded', 'rolledBack']);
export type ClusterPhase = z.infer<typeof ClusterPhase>;

export const WaveState = z.enum(['pending', 'awaitingApproval', 'active', 'done', 'stopped']);
export type WaveState = z.infer<typeof WaveState>;

/** What an operator may do to a rollout: `POST /api/v1/rollouts/{id}/{action}`. */
export const OperatorAction = z.enum(['pause', 'resume', 'approve', 'abort', 'rollback']);
export type OperatorAction = z.infer<typeof OperatorAction>;

export const WaveProgress = z.object({
  index: Count,
  name: z.string(),
  state: WaveState,
  clusters: Count,
  /** Clusters by phase (only phases present). */
  phases: z.partialRecord(ClusterPhase, Count),
});
export type WaveProgress = z.infer<typeof WaveProgress>;

export const ClusterProgressView = z.object({
  id: z.string(),
  wave: z.string(),
  phase: ClusterPhase,
  reason: z.string().nullable(),
  previousRevision: z.string().nullable(),
  directedAt: Timestamp.nullable(),
  healthySince: Timestamp.nullable(),
});
export type ClusterProgressView = z.infer<typeof ClusterProgressView>;

/** A rollout's progress without its per-cluster list: what the event stream carries. */
export const RolloutEvent = z.object({
  id: z.string(),
  /** The plan's revision resolved to a full SHA. */
  revision: z.string(),
  status: RolloutStatus,
  /** Why it is paused, awaiting approval, aborted, rolled back or superseded. */
  reason: z.string().nullable(),
  plan: RolloutPlan,
  /** Index of the wave in progress or awaiting approval. */
  wave: Count,
  waves: z.array(WaveProgress),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RolloutEvent = z.infer<typeof RolloutEvent>;

/** A rollout with every cluster's progress, by cluster id. */
export const RolloutDetail = RolloutEvent.extend({ clusters: z.array(ClusterProgressView) });
export type RolloutDetail = z.infer<typeof RolloutDetail>;

/** `POST /api/v1/rollouts` (201). */
export const CreatedRollout = z.object({
  rollout: RolloutDetail,
  /** Clusters the plan's selector matched that no wave took. */
  unassigned: z.array(z.string()),
});
export type CreatedRollout = z.infer<typeof CreatedRollout>;

/** Who started a rollout: an operator (by token name), or a commit seen on the watched branch. */
export const RolloutOrigin = z.discriminatedUnion('by', [
  z.object({ by: z.literal('operator'), name: z.string() }),
  z.object({ by: z.literal('git'), commit: z.string() }),
]);
export type RolloutOrigin = z.infer<typeof RolloutOrigin>;

export const RolloutListItem = z.object({
  id: z.string(),
  revision: z.string(),
  status: RolloutStatus,
  reason: z.string().nullable(),
  wave: Count,
  waves: z.array(z.object({ name: z.string(), clusters: Count })),
  clusters: Count,
  origin: RolloutOrigin,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RolloutListItem = z.infer<typeof RolloutListItem>;

/** Newest first. */
export const RolloutList = itemsOf(RolloutListItem);
export type RolloutList = z.infer<typeof RolloutList>;

export const AuditItem = z.object({
  /** Increasing; pass the last one seen as `after` to read on. */
  id: Count,
  at: Timestamp,
  rolloutId: z.string(),
  clusterId: z.string().nullable(),
  /** e.g. `created`, `wave-started`, `paused`, `cluster:healthy`, `operator:approve`. */
  action: z.string(),
  message: z.string(),
});
export type AuditItem = z.infer<typeof AuditItem>;

/** Oldest first. */
export const AuditList = itemsOf(AuditItem);
export type AuditList = z.infer<typeof AuditList>;

/** An optional integer query parameter; empty counts as absent. */
const intQuery = (min: number, max: number) => {
  const expected = `an integer from ${min} to ${max}`;
  return z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number(expected).int(expected).min(min, expected).max(max, expected).optional());
};

export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;

export const RolloutsQuery = z.object({
  status: z.enum(RolloutStatus.options, `one of ${RolloutStatus.options.join(', ')}`).optional().meta({ description: 'only rollouts in this status' }),
  limit: intQuery(1, MAX_LIST_LIMIT).meta({ description: `at most this many (default ${DEFAULT_LIST_LIMIT})` }),
});
export type RolloutsQuery = z.infer<typeof RolloutsQuery>;

export const AuditQuery = z.object({
  rollout: z.string().optional().meta({ description: 'only this rollout' }),
  after: intQuery(0, Number.MAX_SAFE_INTEGER).meta({ description: 'entries after this id' }),
  limit: intQuery(1, MAX_LIST_LIMIT).meta({ description: `at most this many (default ${DEFAULT_LIST_LIMIT})` }),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
