/**
 * `fleet.yaml`: per-cluster customization of a bundle. It sits at the bundle path and chooses,
 * by cluster label selector (first match wins), which overlay folder to render and which
 * variables to substitute. Pure. The format is documented in docs/fleet-yaml.md.
 */
import { z } from 'zod';

const LabelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});

export const ClusterSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(LabelSelectorRequirement).optional(),
});
export type ClusterSelector = z.infer<typeof ClusterSelector>;

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
});
export type FleetFile = z.infer<typeof FleetFile>;
export type FleetTarget = FleetFile['targets'][number];

export interface ClusterIdentity {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** The first target whose selector matches the cluster, if any. */
export function selectTarget(fleet: FleetFile, cluster: ClusterIdentity): FleetTarget | undefined {
  return fleet.targets.find((target) => selectorMatches(target.clusterSelector, cluster.labels));
}

export function selectorMatches(selector: ClusterSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const matched =
      operator === 'In' ? has && values.includes(labels[key]!)
      : operator === 'NotIn' ? !has || !values.includes(labels[key]!)
      : operator === 'Exists' ? has
      : !has;
    if (!matched) return false;
  }
  return true;
}
