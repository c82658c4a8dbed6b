import type { Condition } from '../../../shared/src/protocol/protocol.js';

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Sets conditions the way Kubernetes does: `lastTransitionTime` moves only when a condition's
 * status changes, so operators can see how long a cluster has been in its state. Pure.
 */
export function setConditions(previous: readonly Condition[], next: readonly ConditionInput[], now: Date): Condition[] {
  return next.map((condition) => {
    const before = previous.find((c) => c.type === condition.type);
    const lastTransitionTime =
      before && before.status === condition.status ? before.lastTransitionTime : now.toISOString();
    return { ...condition, lastTransitionTime };
  });
}
