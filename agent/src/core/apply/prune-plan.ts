/**
 * What to delete when moving from one inventory to the next, and whether one live object may be
 * deleted at all. Both answers err on the side of keeping things: an edge cluster that loses a
 * workload because a tree came back empty or a label went missing is worse than one that keeps a
 * stale object until someone looks. Pure.
 */
import type { KubeObject, ObjectRef } from '../kube-object.js';
import { describeRef, refOf } from '../kube-object.js';
import { objectIdentity } from './change-set.js';
import { OWNER_LABEL, OWNER_VALUE } from './plan-apply.js';

/** Set to `disabled` (or `false`) on an object to keep it when it leaves the desired set. */
export const PRUNE_ANNOTATION = 'edge-fleet.dev/prune';
const OPT_OUT_VALUES = new Set(['disabled', 'false']);

export interface PrunePolicy {
  /** The revision may remove every object (an empty desired set); from `fleet.yaml`. */
  allowEmpty: boolean;
  /** Refuse to prune more than this share (0..1) of the previous inventory in one go. */
  maxPruneShare: number;
}

export const DEFAULT_PRUNE_POLICY: PrunePolicy = { allowEmpty: false, maxPruneShare: 0.5 };

export type PrunePlan =
  | { ok: true; prune: ObjectRef[] }
  | { ok: false; reason: 'EmptyRevision' | 'PruneGuard'; message: string };

/**
 * previous − desired by version-free identity, in reverse inventory order so that what was
 * applied last (namespaced objects) goes before what it lives in (Namespaces, CRDs).
 */
export function planPrune(previous: readonly ObjectRef[], desired: readonly ObjectRef[], policy: PrunePolicy): PrunePlan {
  const previousUnique = uniqueByIdentity(previous);
  if (desired.length === 0 && previousUnique.length > 0 && !policy.allowEmpty) {
    return {
      ok: false,
      reason: 'EmptyRevision',
      message:
        `the revision renders no objects; refusing to delete all ${previousUnique.length} objects applied before. ` +
        'If it is meant to remove everything, set allowEmpty: true in fleet.yaml',
    };
  }
  const wanted = new Set(desired.map(objectIdentity));
  const prune = previousUnique.filter((ref) => !wanted.has(objectIdentity(ref))).reverse();
  // Emptying the cluster on purpose is what allowEmpty says; the share guard is for accidents.
  const deliberateEmpty = desired.length === 0 && policy.allowEmpty;
  if (!deliberateEmpty && prune.length > 1 && prune.length > policy.maxPruneShare * previousUnique.length) {
    const percent = (share: number) => `${Math.round(share * 100)}%`;
    return {
      ok: false,
      reason: 'PruneGuard',
      message:
        `refusing to prune ${prune.length} of ${previousUnique.length} objects ` +
        `(${percent(prune.length / previousUnique.length)}) at once; at most ${percent(policy.maxPruneShare)} may go in one revision. ` +
        `First: ${describeRef(prune[0]!)}. If the removal is intended, raise maxPruneShare, ` +
        'set allowEmpty: true for a revision that removes everything, or remove the objects over several revisions',
    };
  }
  return { ok: true, prune };
}

export type DeleteDecision =
  | { delete: true }
  | { delete: false; reason: 'NotOwned' | 'OptedOut' | 'Gone'; message: string };

/**
 * Decides on the live object just before deleting it. The inventory says the agent applied it
 * once, but someone may have taken it over since (removed or changed our label) or asked us to
 * keep it (the annotation), and only the live object tells.
 */
export function mayDelete(live: KubeObject | undefined, ownerLabelValue: string = OWNER_VALUE): DeleteDecision {
  if (live === undefined) return { delete: false, reason: 'Gone', message: 'already deleted' };
  const name = describeRef(refOf(live));
  const owner = live.metadata.labels?.[OWNER_LABEL];
  if (owner !== ownerLabelValue) {
    const found = owner === undefined ? 'no such label' : `${OWNER_LABEL}=${owner}`;
    return {
      delete: false,
      reason: 'NotOwned',
      message: `${name} is not labelled ${OWNER_LABEL}=${ownerLabelValue} (${found}); left in place`,
    };
  }
  const annotation = live.metadata.annotations?.[PRUNE_ANNOTATION];
  if (annotation !== undefined && OPT_OUT_VALUES.has(annotation.trim().toLowerCase())) {
    return { delete: false, reason: 'OptedOut', message: `${name} has ${PRUNE_ANNOTATION}=${annotation}; left in place` };
  }
  return { delete: true };
}

function uniqueByIdentity(refs: readonly ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const id = objectIdentity(ref);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
