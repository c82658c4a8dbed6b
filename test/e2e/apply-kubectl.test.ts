/**
 * Apply, prune, health and drift end to end: a real agent (git over HTTP, SQLite, client-node
 * over HTTP) against the simulated API with its controllers, and real kubectl as the other actor
 * — scaling, patching and deleting by hand.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../../agent/src/agent.js';
import type { AgentState } from '../../agent/src/core/agent-state.js';
import { commitFiles, createBareRepo } from '../../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../../simulators/src/git-server/git-server.js';
import type { GitServer } from '../../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../../simulators/src/kube-api/server.js';
import { findKubectl, kubectlEnv } from '../kube-sim-support.js';
import { startTestAgent } from '../support/agent-fixture.js';
import { makeTempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const kubectlPath = findKubectl();

const deployment = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "${image}"}]
`;
const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop}\ndata: {a: "1"}\n`;
const deployRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
const ready = (state: AgentState) => state.conditions.find((c) => c.type === 'Ready');

describe.skipIf(!kubectlPath)('apply, prune, health and drift with kubectl as the other actor (needs kubectl)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let git: GitServer;
  let kube: KubeApiServer;
  let bare: string;
  let agent: RunningAgent | undefined;

  const kubectl = (...args: string[]) =>
    run(kubectlPath!, [`--server=${kube.clusterUrl('store-1')}`, ...args], { env: kubectlEnv(temp.dir) });
  const commit = (files: Record<string, string>) => commitFiles(bare, { branch: 'main', files, replace: true });
  const start = async (config: Record<string, unknown> = {}) => {
    agent = await startTestAgent({
      clusterId: 'store-1',
      repoUrl: git.repoUrl('fleet.git'),
      kubeUrl: kube.clusterUrl('store-1'),
      dataDir: join(temp.dir, 'agent'),
      config: { source: { url: git.repoUrl('fleet.git'), path: 'app' }, ...config },
    });
    return agent;
  };
  /** Reconciles until `done` holds for the state, as the agent's interval would. */
  const reconcileUntil = async (done: (state: AgentState) => boolean) => {
    let state = await agent!.reconciler.reconcile();
    for (let i = 0; i < 100 && !done(state); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = await agent!.reconciler.reconcile();
    }
    return state;
  };

  beforeEach(async () => {
    temp = makeTempDir('apply-kubectl');
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0, controllers: { readyAfterMs: 100, failures: { imageTags: ['broken'], progressDeadlineMs: 300 } } });
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await git.close();
    await kube.close();
    temp.remove();
  });

  it('becomes healthy once the controller reports, and degrades on a failing image', async () => {
    await commit({ 'app/ns.yaml': namespace, 'app/web.yaml': deployment('web:1') });
    await start();
    const healthy = await reconcileUntil((s) => s.health === 'Healthy');
    expect(healthy.health).toBe('Healthy');
    expect(ready(healthy)).toMatchObject({ status: 'True', reason: 'ReconciliationSucceeded' });

    await commit({ 'app/ns.yaml': namespace, 'app/web.yaml': deployment('web:broken') });
    const failed = await reconcileUntil((s) => s.health === 'Failed');
    expect(failed.health).toBe('Failed');
    expect(ready(failed)).toMatchObject({ status: 'False', reason: 'ObjectFailed' });
    expect(ready(failed)?.message).toMatch(/Deployment\/shop\/web/);
  });

  it('takes back a field kubectl scaled by hand, and recreates what kubectl deleted', async () => {
    await commit({ 'app/ns.yaml': namespace, 'app/web.yaml': deployment('web:1', 2), 'app/cm.yaml': configMap('settings') });
    await start();
    await agent!.reconciler.reconcile();
    await kubectl('scale', 'deploy/web', '-n', 'shop', '--replicas=5');
    await kubectl('delete', 'configmap', 'settings', '-n', 'shop');
    expect((await kube.cluster('store-1').get(deployRef))?.['spec']).toMatchObject({ replicas: 5 });

    await agent!.reconciler.reconcile({ fetch: false });
    const live = await kube.cluster('store-1').get(deployRef);
    expect(live?.['spec']).toMatchObject({ replicas: 2 });
    expect(live?.metadata.managedFields?.find((m) => m.manager === 'edge-agent' && !m.subresource)?.fieldsV1).toHaveProperty(['f:spec', 'f:replicas']);
    expect(await kube.cluster('store-1').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'shop' })).toBeDefined();
  });

  it('notices a hand edit through its watch and remediates it within seconds, without waiting for the interval', async () => {
    await commit({ 'app/ns.yaml': namespace, 'app/web.yaml': deployment('web:1', 2) });
    await start(); // fetch interval an hour, drift interval a minute: only the watch can be this quick
    await kubectl('scale', 'deploy/web', '-n', 'shop', '--replicas=7');
    await expect
      .poll(async () => ((await kube.cluster('store-1').get(deployRef))?.['spec'] as { replicas: number }).replicas, { timeout: 10_000, interval: 100 })
      .toBe(2);
  });

  it('in alert mode leaves a kubectl patch in place and reports the drifted path', async () => {
    await commit({ 'app/ns.yaml': namespace, 'app/cm.yaml': configMap('settings') });
    await start({ drift: { policy: 'alert' } });
    await agent!.reconciler.reconcile();
    await kubectl('patch', 'configmap', 'settings', '-n', 'shop', '--type=merge', '-p', '{"data":{"a":"2"}}');
    const state = await agent!.reconciler.reconcile({ fetch: false });
    expect((await kube.cluster('store-1').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: 'shop' }))?.['data']).toEqual({ a: '2' });
    expect(ready(state)?.message).toMatch(/drift left in place on ConfigMap\/shop\/settings \(\.data\.a\)/);
  });

  it('prunes what a revision dropped, never a foreign object, and refuses an empty revision', async () => {
    await commit({ 'app/ns.yaml': namespace, 'app/a.yaml': configMap('a'), 'app/b.yaml': configMap('b') });
    await start();
    await agent!.reconciler.reconcile();
    await kubectl('create', 'configmap', 'foreign', '-n', 'shop', '--from-literal=x=1').catch(async () => {
      // kubectl create sends protobuf, which the simulator refuses; server-side apply is the same actor.
      await kube.cluster('store-1').apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foreign', namespace: 'shop' } }, { fieldManager: 'kubectl' });
    });
    await commit({ 'app/ns.yaml': namespace, 'app/a.yaml': configMap('a') });
    await agent!.reconciler.reconcile();
    const { stdout } = await kubectl('get', 'configmaps', '-n', 'shop', '-o', 'name');
    expect(stdout.trim().split('\n').sort()).toEqual(['configmap/a', 'configmap/foreign']);

    await commit({ 'app/README.md': 'emptied by mistake' });
    const refused = await agent!.reconciler.reconcile();
    expect(ready(refused)).toMatchObject({ status: 'False', reason: 'PruneRefused' });
    const after = await kubectl('get', 'configmaps', '-n', 'shop', '-o', 'name');
    expect(after.stdout).toContain('configmap/a');
  });
});
