/** Prune safety through the reconciler: only what the agent applied and still owns, never everything at once. */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentState } from '../agent/src/core/agent-state.js';
import { configMapRef, configMapYaml, memoryAgent } from './support/memory-agent.js';

describe('prune', () => {
  let agent: ReturnType<typeof memoryAgent> | undefined;
  afterEach(() => agent?.db.close());
  const ready = (state: AgentState) => state.conditions.find((c) => c.type === 'Ready');

  it('deletes what a new revision no longer has, and nothing it does not own', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b'), 'app/c.yaml': configMapYaml('c') });
    await reconciler.reconcile();
    await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign', namespace: 'default' } }, { fieldManager: 'someone-else' });
    git.commit('main', { 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b') });
    const state = await reconciler.reconcile();
    expect(await kube.get(configMapRef('c'))).toBeUndefined();
    expect(await kube.get(configMapRef('a'))).toBeDefined();
    expect(await kube.get(configMapRef('foreign'))).toBeDefined();
    expect(state.inventory.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('leaves an object whose ownership label was removed by hand, or that opted out', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    git.commit('main', {
      'app/keep.yaml': configMapYaml('keep'),
      'app/mine.yaml': configMapYaml('mine'),
      'app/opted.yaml': configMapYaml('opted', {}, '  annotations: {edge-fleet.dev/prune: disabled}\n'),
      'app/x.yaml': configMapYaml('x'),
    });
    await reconciler.reconcile();
    await kube.patch(configMapRef('mine'), 'merge', { metadata: { labels: { 'edge-fleet.dev/owner': null } } });
    git.commit('main', { 'app/keep.yaml': configMapYaml('keep'), 'app/x.yaml': configMapYaml('x') });
    const state = await reconciler.reconcile();
    expect(await kube.get(configMapRef('mine'))).toBeDefined();
    expect(await kube.get(configMapRef('opted'))).toBeDefined();
    expect(ready(state)).toMatchObject({ status: 'True' });
  });

  it('refuses to prune everything when a revision comes back empty, unless fleet.yaml allows it', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b') });
    await reconciler.reconcile();
    git.commit('main', { 'app/README.md': 'nothing here now' });
    const refused = await reconciler.reconcile();
    expect(ready(refused)).toMatchObject({ status: 'False', reason: 'PruneRefused' });
    expect(await kube.get(configMapRef('a'))).toBeDefined();
    expect(refused.inventory.map((r) => r.name)).toEqual(['a', 'b']);

    git.commit('main', { 'app/fleet.yaml': 'allowEmpty: true\n' });
    const emptied = await reconciler.reconcile();
    expect(await kube.get(configMapRef('a'))).toBeUndefined();
    expect(emptied.inventory).toEqual([]);
    expect(ready(emptied)).toMatchObject({ status: 'True' });
  });

  it('refuses to prune more than the allowed share of the inventory at once, and says why', async () => {
    agent = memoryAgent({ prune: { maxPruneShare: 0.25 } });
    const { git, kube, reconciler } = agent;
    const files = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`app/${n}.yaml`, configMapYaml(n)]));
    git.commit('main', files);
    await reconciler.reconcile();
    git.commit('main', { 'app/a.yaml': configMapYaml('a'), 'app/b.yaml': configMapYaml('b') });
    const state = await reconciler.reconcile();
    expect(ready(state)).toMatchObject({ status: 'False', reason: 'PruneRefused' });
    expect(ready(state)?.message).toMatch(/2 of 4/);
    expect(await kube.get(configMapRef('d'))).toBeDefined();
  });
});
