/** Staged apply through the reconciler: CRDs before their custom resources, clear failures, a ChangeSet-driven status. */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentState } from '../agent/src/core/agent-state.js';
import { memoryAgent } from './support/memory-agent.js';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: shelves.stores.example.com}
spec:
  group: stores.example.com
  scope: Namespaced
  names: {kind: Shelf, plural: shelves, singular: shelf}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
const shelf = 'apiVersion: stores.example.com/v1\nkind: Shelf\nmetadata: {name: aisle-1, namespace: default}\nspec: {slots: 12}\n';
const ready = (state: AgentState) => state.conditions.find((c) => c.type === 'Ready');

describe('staged apply', () => {
  let agent: ReturnType<typeof memoryAgent> | undefined;
  afterEach(() => agent?.db.close());

  it('applies a CRD and a resource of its kind from the same revision, the CRD first', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    // Sorted by path the Shelf comes first; the CRD must still be applied and established before it.
    git.commit('main', { 'app/a-shelf.yaml': shelf, 'app/z-crd.yaml': crd });
    const state = await reconciler.reconcile();
    expect(ready(state)).toMatchObject({ status: 'True' });
    expect(state.inventory.map((r) => r.kind)).toEqual(['CustomResourceDefinition', 'Shelf']);
    expect((await kube.get({ apiVersion: 'stores.example.com/v1', kind: 'Shelf', name: 'aisle-1', namespace: 'default' }))?.['spec']).toEqual({ slots: 12 });
  });

  it('fails clearly on a kind the cluster does not serve, applies the rest, and keeps the last good revision', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    const good = git.commit('main', { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n' });
    await reconciler.reconcile();
    git.commit('main', { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: default}\n', 'app/shelf.yaml': shelf });
    const state = await reconciler.reconcile();
    expect(state.appliedRevision).toBe(good);
    expect(ready(state)).toMatchObject({ status: 'False', reason: 'ApplyFailed' });
    expect(ready(state)?.message).toMatch(/Shelf\/default\/aisle-1: the API server does not serve Shelf in stores\.example\.com\/v1/);
    expect(await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'b', namespace: 'default' })).toBeDefined();
    // Nothing is pruned while a revision is only partly applied.
    expect(await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'default' })).toBeDefined();
  });
});
