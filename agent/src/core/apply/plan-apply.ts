/**
 * Decides what to send to the cluster: the rendered objects, stamped with the agent's ownership
 * label, in the order the API server needs them (Namespaces and CRDs before what lives in them).
 * Pure.
 */
import type { KubeObject } from '../kube-object.js';

/** Marks every object this agent applied; prune will only ever touch objects carrying it. */
export const OWNER_LABEL = 'edge-fleet.dev/owner';
export const OWNER_VALUE = 'edge-agent';
export const FIELD_MANAGER = 'edge-agent';

const STAGE: Readonly<Record<string, number>> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
};

export function planApply(objects: readonly KubeObject[]): KubeObject[] {
  return objects
    .map((object, index) => ({ object: withOwnerLabel(object), index }))
    .sort((a, b) => stageOf(a.object) - stageOf(b.object) || a.index - b.index)
    .map(({ object }) => object);
}

const stageOf = (object: KubeObject): number => STAGE[object.kind] ?? 2;

function withOwnerLabel(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: { ...object.metadata, labels: { ...object.metadata.labels, [OWNER_LABEL]: OWNER_VALUE } },
  };
}
