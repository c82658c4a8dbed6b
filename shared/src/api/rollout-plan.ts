/**
 * A rollout plan: as operators write it (the body of `POST /api/v1/rollouts`, a plan file for
 * fleetctl, the `rollout:` section of fleet.yaml), and as the hub keeps and answers it once
 * parsed — durations in milliseconds, selectors structured, failure budgets typed. The format
 * is documented in docs/rollouts.md.
 */
import { z } from 'zod';
import { ClusterSelector, parseSelector } from '../fleet/selector.js';
import type { Assert, SameType } from './common.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h30m`, or a number of seconds. */
export const Duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return Math.round(value * 1000);
  if (!/^(\d+(ms|s|m|h|d))+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: `"${value}": a duration is like 30s, 15m, 1h30m or 2d, or a number of seconds` });
    return z.NEVER;
  }
  return [...value.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce((ms, [, n, unit]) => ms + Number(n) * UNITS[unit!]!, 0);
});

/** Structured, or the string form `region=eu,tier in (a,b)`. */
export const SelectorInput = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((value, ctx): ClusterSelector => {
  try {
    return typeof value === 'string' ? parseSelector(value) : ClusterSelector.parse(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message });
    return z.NEVER;
  }
});

/** A budget as the hub keeps it: a count of clusters, or a share of the wave. */
const Budget = z.union([z.object({ count: z.number().int().nonnegative() }), z.object({ percent: z.number().min(0).max(100) })]);

/** A count of clusters, or a share of the wave written `10%`. */
export const FailureBudget = z
  .union([z.number().int().nonnegative(), z.string()])
  .transform((value, ctx): z.infer<typeof Budget> => {
    if (typeof value === 'number') return { count: value };
    const percent = /^\d+(\.\d+)?%$/.test(value) ? Number(value.slice(0, -1)) : NaN;
    if (!(percent <= 100)) {
      ctx.addIssue({ code: 'custom', message: `"${value}": a failure budget is a count or a percentage up to 100%, like 10%` });
      return z.NEVER;
    }
    return { percent };
  });
export type FailureBudget = z.infer<typeof FailureBudget>;

const Wave = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a wave name is a DNS label'),
  /** Clusters of this wave must also match it. */
  selector: SelectorInput.optional(),
  /** Cumulative share of the rollout's clusters moved once this wave is done. */
  percent: z.number().gt(0).max(100).optional(),
  maxFailures: FailureBudget.default({ count: 0 }),
  /** How long every cluster of the wave must have stayed healthy before the next wave. */
  bake: Duration.default(0),
  /** The wave starts only when an operator approves it. */
  requireApproval: z.boolean().default(false),
});

export const RolloutPlanInput = z
  .strictObject({
    /** A branch, a tag or a full commit SHA; the hub resolves it to a SHA when the rollout is created. */
    revision: z.string().min(1).max(256),
    selector: SelectorInput.default({}),
    waves: z.array(Wave).min(1).max(32),
    /** How long a directed cluster may take to become healthy before it counts as failed. */
    progressDeadline: Duration.default(600_000),
    /** `wait` for offline clusters; `skip` them once the progress deadline has passed. */
    offlinePolicy: z.enum(['wait', 'skip']).default('wait'),
    onFailure: z.enum(['pause', 'abort', 'rollback']).default('pause'),
    /** Another seed for the stable ordering of percent waves, to pick other clusters first. */
    reshuffle: z.string().max(64).optional(),
  })
  .superRefine((plan, ctx) => {
    const names = new Set<string>();
    let percent = 0;
    plan.waves.forEach((wave, i) => {
      if (names.has(wave.name)) ctx.addIssue({ code: 'custom', path: ['waves', i, 'name'], message: `wave ${wave.name} appears twice` });
      names.add(wave.name);
      if (wave.percent !== undefined) {
        if (wave.percent < percent) {
          ctx.addIssue({ code: 'custom', path: ['waves', i, 'percent'], message: `percentages are cumulative: ${wave.percent}% follows ${percent}%` });
        }
        percent = wave.percent;
      }
    });
  });
export type RolloutPlanInput = z.input<typeof RolloutPlanInput>;

/** A plan as `RolloutPlanInput` parsed it: what the hub keeps and shows with each rollout. */
export const RolloutPlan = z.object({
  revision: z.string(),
  selector: ClusterSelector,
  waves: z.array(
    z.object({
      name: z.string(),
      selector: ClusterSelector.optional(),
      percent: z.number().optional(),
      maxFailures: Budget,
      /** Milliseconds. */
      bake: z.number(),
      requireApproval: z.boolean(),
    }),
  ),
  /** Milliseconds. */
  progressDeadline: z.number(),
  offlinePolicy: z.enum(['wait', 'skip']),
  onFailure: z.enum(['pause', 'abort', 'rollback']),
  reshuffle: z.string().optional(),
});
export type RolloutPlan = z.infer<typeof RolloutPlan>;
export type WavePlan = RolloutPlan['waves'][number];

// Parsing a plan gives exactly the shape the hub answers with.
type _ParsedPlanIsRolloutPlan = Assert<SameType<z.output<typeof RolloutPlanInput>, RolloutPlan>>;
