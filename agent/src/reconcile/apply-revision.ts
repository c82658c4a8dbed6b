/**
 * One revision's objects into the cluster: apply them (a hand edit remediated is recorded as an
 * event), then — only if everything applied — prune what the last applied revision owned and
 * this one does not, then assess the health of what was applied, against the deadline counted
 * from when the revision was first applied.
 */
import { describeError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { AgentState } from '../core/agent-state.js';
import { objectIdentity } from '../core/apply/change-set.js';
import type { ChangeSetEntry } from '../core/apply/change-set.js';
import type { DriftPolicy } from '../core/apply/drift.js';
import { assessHealth, summarizeHealth } from '../core/apply/health.js';
import { mayDelete, planPrune } from '../core/apply/prune-plan.js';
import type { PrunePolicy } from '../core/apply/prune-plan.js';
import { describeRef, refOf } from '../core/kube-object.js';
import type { KubeObject, ObjectRef } from '../core/kube-object.js';
import type { PassOutcome } from '../core/reconcile-state.js';
import type { AgentStore } from '../ports/agent-store.js';
import type { KubeClient } from '../ports/kube.js';
import type { Applier } from './applier.js';

export interface RevisionApply {
  kube: KubeClient;
  applier: Applier;
  store: AgentStore;
  logger: Logger;
  clock: Clock;
  driftPolicy: DriftPolicy;
  prune: Omit<PrunePolicy, 'allowEmpty'>;
  healthDeadlineMs: number;
}

export async function applyRevision(
  context: RevisionApply,
  revision: string,
  objects: KubeObject[],
  allowEmpty: boolean,
  previous: AgentState,
): Promise<Extract<PassOutcome, { stage: 'apply' }>> {
  const { applier, clock, logger, store } = context;
  const { changes, live } = await applier.apply(objects, context.driftPolicy);
  for (const change of changes) {
    if (change.driftPaths && change.action === 'configured') {
      // Each remediation is an occurrence worth a record of its own; drift left in place under
      // the alert policy is carried by the Ready condition instead, not repeated every pass.
      const message = `${describeRef(change.ref)}: ${change.driftPaths.join(', ')} changed by hand; re-applied`;
      logger.warn({ object: describeRef(change.ref), paths: change.driftPaths }, 'drift remediated');
      store.appendEvent({ reason: 'DriftRemediated', message, severity: 'warning' }, new Date(clock.now()));
    }
  }
  const desired = objects.map(refOf);
  const now = clock.now();
  const appliedAt = previous.appliedRevision === revision && previous.appliedAt ? Date.parse(previous.appliedAt) : now;
  if (changes.some((c) => c.action === 'failed')) return { stage: 'apply', revision, changes, inventory: previous.inventory, appliedAt };

  // Prune only what the last applied revision owned, and only after everything applied.
  const { inventory, pruneRefused } = await prune(context, previous, desired, allowEmpty, changes);
  const health = summarizeHealth(
    objects.map((object) => {
      const current = live.get(objectIdentity(refOf(object)));
      return { ref: describeRef(refOf(object)), health: current ? assessHealth(current) : { status: 'Unknown' as const, reason: 'NotFound', message: 'not found after apply' } };
    }),
    { appliedAt, now, deadlineMs: context.healthDeadlineMs },
  );
  return { stage: 'apply', revision, changes, inventory, appliedAt, health, ...(pruneRefused ? { pruneRefused } : {}) };
}

/** Deletes what the plan allows, adding to `changes`; returns what the agent owns afterwards. */
async function prune(
  { kube, prune: policy }: RevisionApply,
  previous: AgentState,
  desired: ObjectRef[],
  allowEmpty: boolean,
  changes: ChangeSetEntry[],
): Promise<{ inventory: ObjectRef[]; pruneRefused?: string }> {
  const plan = previous.appliedRevision === null ? { ok: true as const, prune: [] } : planPrune(previous.inventory, desired, { ...policy, allowEmpty });
  if (!plan.ok) {
    // Still ours, still to be pruned once it is allowed.
    const kept = new Set(desired.map(objectIdentity));
    return { inventory: [...desired, ...previous.inventory.filter((ref) => !kept.has(objectIdentity(ref)))], pruneRefused: plan.message };
  }
  for (const ref of plan.prune) {
    const decision = mayDelete(await kube.get(ref).catch(() => undefined));
    if (decision.delete) {
      const deleted = await kube.delete(ref).then(() => true, (error: unknown) => describeError(error));
      changes.push(deleted === true ? { ref, action: 'deleted' } : { ref, action: 'failed', message: `prune: ${deleted}` });
    } else if (decision.reason !== 'Gone') {
      changes.push({ ref, action: 'skipped', message: decision.message });
    }
  }
  return { inventory: desired };
}
