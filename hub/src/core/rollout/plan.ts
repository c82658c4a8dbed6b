/**
 * A rollout plan as operators write it (API, CLI, or the `rollout:` section of fleet.yaml) and
 * as the engine reads it. The schemas are the operator API's (shared/src/api/rollout-plan.ts);
 * this adds what the engine derives from a plan. Pure.
 */
import type { FailureBudget } from '../../../../shared/src/api/rollout-plan.js';

export { Duration, FailureBudget, RolloutPlanInput, SelectorInput } from '../../../../shared/src/api/rollout-plan.js';
export type { RolloutPlan, WavePlan } from '../../../../shared/src/api/rollout-plan.js';

/** The number of failures a wave of `size` clusters tolerates. */
export function failureBudget(budget: FailureBudget, size: number): number {
  return 'count' in budget ? budget.count : Math.floor((budget.percent * size) / 100);
}
