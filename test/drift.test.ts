/** Drift through the reconciler: hand edits found by a dry-run compare, remediated or only reported. */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeClient } from '../agent/src/ports/kube.js';
import type { AgentState } from '../agent/src/core/agent-state.js';
import { configMapRef, configMapYaml, memoryAgent } from './support/memory-agent.js';

/** Counts the requests that reach the cluster. */
function counting(kube: KubeClient) {
  const counts = { apply: 0, dryRun: 0, get: 0, list: 0, delete: 0 };
  const client: KubeClient = {
    apply: (object, options) => (options.dryRun ? counts.dryRun++ : counts.apply++, kube.apply(object, options)),
    get: (ref) => (counts.get++, kube.get(ref)),
    list: (apiVersion, kind, options) => (counts.list++, kube.list(apiVersion, kind, options)),
    delete: (ref) => (counts.delete++, kube.delete(ref)),
    scopeOf: (apiVersion, kind) => kube.scopeOf(apiVersion, kind),
  };
  return { client, counts };
}

const ready = (state: AgentState) => state.conditions.find((c) => c.type === 'Ready');

describe('drift', () => {
  let agent: ReturnType<typeof memoryAgent> | undefined;
  afterEach(() => agent?.db.close());

  it('sends nothing for objects nobody touched since the last apply', async () => {
    const base = memoryAgent();
    const { client, counts } = counting(base.kube);
    base.db.close();
    agent = memoryAgent({ kube: client });
    agent.git.commit('main', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`app/c${i}.yaml`, configMapYaml(`c${i}`)])));
    await agent.reconciler.reconcile();
    expect(counts.apply).toBe(20);
    const before = { ...counts };
    await agent.reconciler.reconcile();
    expect(counts.apply).toBe(before.apply);
    expect(counts.dryRun).toBe(before.dryRun);
    expect(counts.list - before.list).toBe(1);
  });

  it('remediates a hand edit and names the paths that drifted', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a', { mode: 'safe' }) });
    await reconciler.reconcile();
    await kube.patch(configMapRef('a'), 'merge', { data: { mode: 'yolo' } }, { fieldManager: 'kubectl-edit' });
    await reconciler.reconcile();
    expect((await kube.get(configMapRef('a')))?.['data']).toEqual({ mode: 'safe' });
    const events = agent.store.pendingRecords(100).filter((r) => r.kind === 'event');
    expect(events.map((r) => r.kind === 'event' && r.event)).toContainEqual({
      reason: 'DriftRemediated',
      message: 'ConfigMap/default/a (v1): .data.mode changed by hand; re-applied',
      severity: 'warning',
    });
  });

  it('recreates an object deleted by hand', async () => {
    agent = memoryAgent();
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a') });
    await reconciler.reconcile();
    await kube.delete(configMapRef('a'));
    await reconciler.reconcile();
    expect(await kube.get(configMapRef('a'))).toBeDefined();
  });

  it('in alert mode leaves the edit in place and reports it', async () => {
    agent = memoryAgent({ driftPolicy: 'alert' });
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a', { mode: 'safe' }) });
    await reconciler.reconcile();
    await kube.patch(configMapRef('a'), 'merge', { data: { mode: 'yolo' } }, { fieldManager: 'kubectl-edit' });
    const state = await reconciler.reconcile();
    expect((await kube.get(configMapRef('a')))?.['data']).toEqual({ mode: 'yolo' });
    expect(ready(state)?.message).toMatch(/drift left in place on ConfigMap\/default\/a \(\.data\.mode\)/);
    // Counted for the hub, and cleared once the object matches again.
    expect(state.driftedObjects).toBe(1);
    expect(agent.store.pendingRecords(10).at(-1)).toMatchObject({ kind: 'status', status: { driftedObjects: 1 } });
    await kube.patch(configMapRef('a'), 'merge', { data: { mode: 'safe' } }, { fieldManager: 'kubectl-edit' });
    expect((await reconciler.reconcile()).driftedObjects).toBe(0);
  });

  it('honours a per-object annotation over the cluster policy', async () => {
    agent = memoryAgent({ driftPolicy: 'alert' });
    const { git, kube, reconciler } = agent;
    git.commit('main', { 'app/a.yaml': configMapYaml('a', { mode: 'safe' }, '  annotations: {edge-fleet.dev/drift: remediate}\n') });
    await reconciler.reconcile();
    await kube.patch(configMapRef('a'), 'merge', { data: { mode: 'yolo' } }, { fieldManager: 'kubectl-edit' });
    await reconciler.reconcile();
    expect((await kube.get(configMapRef('a')))?.['data']).toEqual({ mode: 'safe' });
  });
});
