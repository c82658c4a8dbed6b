/**
 * The result of an apply as plain data, in the manner of Flux's ChangeSet: one entry per object
 * with what happened to it. The shell logs, reports and records inventories from it. Pure.
 */
import type { ObjectRef } from '../kube-object.js';

export const ChangeAction = {
  created: 'created',
  configured: 'configured',
  unchanged: 'unchanged',
  deleted: 'deleted',
  skipped: 'skipped',
  failed: 'failed',
} as const;
export type ChangeAction = (typeof ChangeAction)[keyof typeof ChangeAction];

export interface ChangeSetEntry {
  ref: ObjectRef;
  action: ChangeAction;
  /** Why an object was skipped or failed, or a note on what changed. */
  message?: string;
  /** For `configured` objects found drifted: the JSON paths that differed from the applied state. */
  driftPaths?: string[];
}

export type ChangeSet = ChangeSetEntry[];

export type ChangeSetSummary = Record<ChangeAction, number> & { text: string };

const ACTION_ORDER = Object.values(ChangeAction);

/** Counts per action and a one-line text such as "2 created, 1 configured, 37 unchanged". */
export function summarizeChangeSet(changes: readonly ChangeSetEntry[]): ChangeSetSummary {
  const counts = Object.fromEntries(ACTION_ORDER.map((action) => [action, 0])) as Record<ChangeAction, number>;
  for (const change of changes) counts[change.action] += 1;
  const parts = ACTION_ORDER.filter((action) => counts[action] > 0).map((action) => `${counts[action]} ${action}`);
  return { ...counts, text: parts.length > 0 ? parts.join(', ') : 'no objects' };
}

/**
 * `group/kind/namespace/name`, without the version: a move from `v1beta1` to `v1` is the same
 * object to the API server, so it must be the same object to inventory and prune. Core-group
 * kinds have an empty group and cluster-scoped ones an empty namespace (`/Namespace//shop`).
 */
export function objectIdentity(ref: ObjectRef): string {
  return `${groupOf(ref.apiVersion)}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** `apps/v1` → `apps`, `v1` → `` (the core group). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
