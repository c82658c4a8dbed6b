/**
 * The `rollout:` section of a bundle's fleet.yaml: the plan the hub follows for every new commit
 * of the watched branch. Its `revision` is the commit itself, so the section has none. The file
 * is read with the schema the agents use, so a fleet.yaml the agents would refuse rolls nothing
 * out. Pure.
 */
import { z } from 'zod';
import { parseFleetFile } from '../../../../shared/src/fleet/fleet-file.js';
import { RolloutPlanInput } from './plan.js';

/** `plan` is the plan as written (checked), with its revision: what `RolloutService.create` takes. */
export type FleetFilePlan = { ok: true; plan: RolloutPlanInput | undefined } | { ok: false; error: string };

export function planFromFleetFile(text: string, commit: string): FleetFilePlan {
  const parsed = parseFleetFile(text);
  if (!parsed.ok) return { ok: false, error: parsed.error.yaml ? `fleet.yaml is not valid YAML: ${parsed.error.message}` : `fleet.yaml: ${parsed.error.message}` };
  const section = parsed.fleet.rollout;
  if (section === undefined || section === null) return { ok: true, plan: undefined };
  if (typeof section !== 'object' || Array.isArray(section)) return { ok: false, error: 'fleet.yaml: rollout must be a mapping' };
  if ('revision' in section) return { ok: false, error: 'fleet.yaml: rollout has no revision: it rolls out the commit it is in' };
  const plan = { ...section, revision: commit } as RolloutPlanInput;
  const result = RolloutPlanInput.safeParse(plan);
  if (!result.success) return { ok: false, error: `fleet.yaml: rollout: ${z.prettifyError(result.error).replace(/\n/g, ' ')}` };
  return { ok: true, plan };
}
