import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKube, PatchType } from '../memory-kube/index.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { ManualClock } from '../../../shared/src/time/clock.js';
import { startControllers } from './controllers.js';
import type { ControllerOptions, Controllers } from './controllers.js';

const AGENT = { fieldManager: 'edge-agent' };
const podTemplate = (image: string) => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image }] } });

const workload = (kind: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
  kind,
  metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec,
});

const refOf = (object: KubeObject): ObjectRef => ({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: 'default' });

interface Fixture {
  kube: MemoryKube;
  clock: ManualClock;
  controllers: Controllers;
  status(object: KubeObject): Promise<Record<string, unknown>>;
  advance(ms: number): Promise<void>;
}

const running: Controllers[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

function setup(options: Omit<ControllerOptions, 'clock'> = {}): Fixture {
  const clock = new ManualClock(Date.parse('2025-05-01T00:00:00Z'));
  const kube = new MemoryKube({ clock });
  const controllers = startControllers(kube, { clock, readyAfterMs: 5000, ...options });
  running.push(controllers);
  return {
    kube,
    clock,
    controllers,
    status: async (object) => {
      await controllers.settled();
      return ((await kube.get(refOf(object)))?.['status'] ?? {}) as Record<string, unknown>;
    },
    advance: async (ms) => {
      clock.advance(ms);
      await controllers.settled();
    },
  };
}

const conditions = (status: Record<string, unknown>) =>
  ((status['conditions'] ?? []) as { type: string; status: string; reason: string }[]).map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('simulated controllers', () => {
  it('rolls a Deployment out: in progress at once, available after the delay, again after a spec change', async () => {
    const f = setup();
    const web = workload('Deployment', 'web', { replicas: 3, selector: { matchLabels: { app: 'x' } }, template: podTemplate('nginx:1.27') });
    await f.kube.apply(web, AGENT);
    const started = await f.status(web);
    expect(started).toMatchObject({ observedGeneration: 1, replicas: 3, unavailableReplicas: 3 });
    expect(started['updatedReplicas']).toBeUndefined();
    expect(conditions(started)).toEqual(['Available=False/MinimumReplicasUnavailable', 'Progressing=True/ReplicaSetUpdated']);

    await f.advance(4999);
    expect((await f.status(web))['readyReplicas']).toBeUndefined();
    await f.advance(1);
    const ready = await f.status(web);
    expect(ready).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(conditions(ready)).toEqual(['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
    expect((await f.kube.get(refOf(web)))?.metadata.generation).toBe(1);

    await f.kube.patch(refOf(web), PatchType.merge, { spec: { template: podTemplate('nginx:1.28') } });
    const rolling = await f.status(web);
    // The old pods keep serving while the new ones start.
    expect(rolling).toMatchObject({ observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(rolling['updatedReplicas']).toBeUndefined();
    expect(conditions(rolling)).toEqual(['Available=True/MinimumReplicasAvailable', 'Progressing=True/ReplicaSetUpdated']);
    await f.advance(5000);
    expect(await f.status(web)).toMatchObject({ observedGeneration: 2, updatedReplicas: 3 });
  });

  it('fails a Deployment with an injected image tag after its progress deadline', async () => {
    const f = setup({ failures: { imageTags: ['bad'] } });
    const web = workload('Deployment', 'web', { replicas: 2, progressDeadlineSeconds: 60, selector: {}, template: podTemplate('registry.local/web:bad') });
    await f.kube.apply(web, AGENT);
    await f.advance(59_999);
    expect(conditions(await f.status(web))).toContain('Progressing=True/ReplicaSetUpdated');
    await f.advance(1);
    const failed = await f.status(web);
    expect(failed).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2, unavailableReplicas: 2 });
    expect(failed['readyReplicas']).toBeUndefined();
    expect(conditions(failed)).toEqual(['Available=False/MinimumReplicasUnavailable', 'Progressing=False/ProgressDeadlineExceeded']);
    expect(JSON.stringify(failed)).toContain('registry.local/web:bad');

    // Fixing the image rolls out normally.
    await f.kube.patch(refOf(web), PatchType.merge, { spec: { template: podTemplate('registry.local/web:good') } });
    await f.advance(5000);
    expect(conditions(await f.status(web))).toEqual(['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
  });

  it('fails what carries the failure annotation, with a shorter simulated deadline', async () => {
    const f = setup({ failures: { progressDeadlineMs: 2000 } });
    const web = workload('Deployment', 'web', { replicas: 1, selector: {}, template: podTemplate('nginx') }, { 'sim.edge-fleet.dev/fail': 'CrashLoopBackOff' });
    await f.kube.apply(web, AGENT);
    await f.advance(2000);
    const failed = await f.status(web);
    expect(conditions(failed)).toContain('Progressing=False/ProgressDeadlineExceeded');
    expect(JSON.stringify(failed['conditions'])).toContain('CrashLoopBackOff');
  });

  it('brings StatefulSets and DaemonSets to ready, and holds failing ones in progress', async () => {
    const f = setup({ nodes: 3, failures: { imageTags: ['bad'] } });
    const db = workload('StatefulSet', 'db', { replicas: 2, serviceName: 'db', selector: {}, template: podTemplate('postgres:16') });
    const agent = workload('DaemonSet', 'agent', { selector: {}, template: podTemplate('agent:1') });
    const broken = workload('StatefulSet', 'broken', { replicas: 1, selector: {}, template: podTemplate('x:bad') });
    for (const o of [db, agent, broken]) await f.kube.apply(o, AGENT);
    expect(await f.status(db)).toMatchObject({ observedGeneration: 1, replicas: 2 });
    expect(await f.status(agent)).toMatchObject({ observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 0, numberUnavailable: 3 });
    await f.advance(5000);
    const dbReady = await f.status(db);
    expect(dbReady).toMatchObject({ replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    expect(dbReady['currentRevision']).toBe(dbReady['updateRevision']);
    expect(await f.status(agent)).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3 });
    await f.advance(600_000);
    expect((await f.status(broken))['readyReplicas']).toBeUndefined();
  });

  it('completes Jobs, or fails them with BackoffLimitExceeded', async () => {
    const f = setup({ failures: { imageTags: ['bad'] } });
    const ok = workload('Job', 'migrate', { template: podTemplate('migrate:1') });
    const bad = workload('Job', 'broken', { backoffLimit: 2, template: podTemplate('migrate:bad') });
    await f.kube.apply(ok, AGENT);
    await f.kube.apply(bad, AGENT);
    expect(await f.status(ok)).toMatchObject({ active: 1, startTime: '2025-05-01T00:00:00Z' });
    await f.advance(5000);
    const done = await f.status(ok);
    expect(done).toMatchObject({ succeeded: 1, completionTime: '2025-05-01T00:00:05Z', startTime: '2025-05-01T00:00:00Z' });
    expect(conditions(done)).toEqual(['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
    const failed = await f.status(bad);
    expect(failed).toMatchObject({ failed: 3 });
    expect(conditions(failed)).toEqual(['FailureTarget=True/BackoffLimitExceeded', 'Failed=True/BackoffLimitExceeded']);
  });

  it('binds claims and gives LoadBalancer services an address after the delay, leaving other services alone', async () => {
    const f = setup();
    const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const lb: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
    const plain: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'back', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
    for (const o of [claim, lb, plain]) await f.kube.apply(o, AGENT);
    expect(await f.status(claim)).toEqual({ phase: 'Pending' });
    expect(await f.status(lb)).toEqual({ loadBalancer: {} });
    await f.advance(5000);
    expect(await f.status(claim)).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    expect(await f.status(lb)).toEqual({ loadBalancer: { ingress: [{ ip: '172.18.255.200', ipMode: 'VIP' }] } });
    expect(await f.status(plain)).toEqual({});
  });

  it('forgets deleted objects, reports objects that existed before it started, and stops', async () => {
    const clock = new ManualClock();
    const kube = new MemoryKube({ clock });
    const web = workload('Deployment', 'web', { replicas: 1, selector: {}, template: podTemplate('nginx') });
    await kube.apply(web, AGENT);
    const controllers = startControllers(kube, { clock, readyAfterMs: 100 });
    running.push(controllers);
    await controllers.settled();
    expect((await kube.get(refOf(web)))?.['status']).toMatchObject({ observedGeneration: 1 });
    await kube.delete(refOf(web));
    expect(clock.pending()).toBe(0);
    await kube.apply(web, AGENT);
    await controllers.settled();
    controllers.stop();
    expect(clock.pending()).toBe(0);
    clock.advance(100);
    await controllers.settled();
    // Stopped before the delay was up: in progress for good.
    expect((await kube.get(refOf(web)))?.['status']).toMatchObject({ observedGeneration: 1, unavailableReplicas: 1 });
    expect((await kube.get(refOf(web)))?.['status']).not.toHaveProperty('readyReplicas');
  });
});
