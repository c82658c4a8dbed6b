/**
 * `fleet.yaml`: per-cluster customization of a bundle. It sits at the bundle path and chooses,
 * by cluster label selector (first match wins), which overlay folder to render and which
 * variables to substitute; the hub reads its `rollout:` section. One schema for both, so a file
 * one of them refuses the other refuses too. Pure. The format is documented in docs/fleet-yaml.md.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { ClusterSelector, selectorMatches } from './selector.js';

const Vars = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _'), z.string());

export const FleetFile = z.strictObject({
  /** Allow a revision that renders no objects to prune everything (used by apply and prune). */
  allowEmpty: z.boolean().default(false),
  /** Variables for every cluster; a target's own variables take precedence. */
  vars: Vars.default({}),
  targets: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        /** Omitted or `{}`: every cluster. */
        clusterSelector: ClusterSelector.default({}),
        /** Folder to render, relative to the bundle path; defaults to the bundle path itself. */
        overlay: z.string().min(1).optional(),
        vars: Vars.default({}),
      }),
    )
    .default([]),
  /** The hub's rollout plan for commits of this bundle (docs/rollouts.md); the agent ignores it. */
  rollout: z.unknown().optional(),
});
export type FleetFile = z.infer<typeof FleetFile>;
export type FleetTarget = FleetFile['targets'][number];

/** Why a fleet.yaml was refused; `line` (1-based) when the YAML itself is malformed. */
export interface FleetFileError {
  message: string;
  yaml: boolean;
  line?: number;
}

export function parseFleetFile(text: string): { ok: true; fleet: FleetFile } | { ok: false; error: FleetFileError } {
  let raw: unknown;
  try {
    raw = parse(text, { version: '1.1', uniqueKeys: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    return { ok: false, error: { message: (error as Error).message.split('\n')[0] ?? 'invalid YAML', yaml: true, ...(line ? { line } : {}) } };
  }
  const result = FleetFile.safeParse(raw);
  if (!result.success) return { ok: false, error: { message: z.prettifyError(result.error).replace(/\n/g, ' '), yaml: false } };
  return { ok: true, fleet: result.data };
}

export interface ClusterIdentity {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The first target whose selector matches the cluster, if any. */
export function selectTarget(fleet: FleetFile, cluster: ClusterIdentity): FleetTarget | undefined {
  return fleet.targets.find((target) => selectorMatches(target.clusterSelector, cluster.labels));
}
