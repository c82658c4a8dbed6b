/**
 * The `rollout:` section of a bundle's fleet.yaml: the plan the hub follows for every new commit
 * of the watched branch. Its `revision` is the commit itself, so the section has none. Pure.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { RolloutPlanInput } from './plan.js';

/** `plan` is the plan as written (checked), with its revision: what `RolloutService.create` takes. */
export type FleetFilePlan = { ok: true; plan: RolloutPlanInput | undefined } | { ok: false; error: string };

export function planFromFleetFile(text: string, commit: string): FleetFilePlan {
  let raw: unknown;
  try {
    raw = parse(text, { version: '1.1', uniqueKeys: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { ok: false, error: `fleet.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const section = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['rollout'] : undefined;
  if (section === undefined || section === null) return { ok: true, plan: undefined };
  if (typeof section !== 'object' || Array.isArray(section)) return { ok: false, error: 'fleet.yaml: rollout must be a mapping' };
  if ('revision' in section) return { ok: false, error: 'fleet.yaml: rollout has no revision: it rolls out the commit it is in' };
  const plan = { ...section, revision: commit } as RolloutPlanInput;
  const result = RolloutPlanInput.safeParse(plan);
  if (!result.success) return { ok: false, error: `fleet.yaml: rollout: ${z.prettifyError(result.error).replace(/\n/g, ' ')}` };
  return { ok: true, plan };
}
