/**
 * Simulated controllers behind the HTTP simulator, seen the way the agent sees them: objects
 * applied and read through client-node (HttpKube), judged by the agent's own health assessment.
 * Time runs on a manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import type { HttpKube } from '../agent/src/adapters/kube/http-kube.js';
import { assessHealth } from '../agent/src/core/apply/health.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';
import { refOf } from '../agent/src/core/kube-object.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';

const AGENT = { fieldManager: 'edge-agent' };
const CLUSTER = 'store-9';

const deployment = (name: string, image: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 120,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
  },
});

const job = (name: string, image: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default' },
  spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name, image }] } } },
});

describe('simulated controllers over HTTP', () => {
  const clock = new ManualClock(Date.parse('2025-07-01T12:00:00Z'));
  let server: KubeApiServer;
  let kube: HttpKube;

  beforeAll(async () => {
    server = await startKubeApiServer({ clock, controllers: { readyAfterMs: 30_000, failures: { imageTags: ['broken'] } } });
    kube = httpKubeFromUrl(server.clusterUrl(CLUSTER));
  });
  afterAll(async () => {
    kube.close();
    await server.close();
  });

  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await server.controllers(CLUSTER)?.settled();
  };
  const health = async (object: KubeObject) => {
    await server.controllers(CLUSTER)?.settled();
    const live = await kube.get(refOf(object));
    if (live === undefined) throw new Error(`${object.metadata.name} is gone`);
    return assessHealth(live);
  };

  it('takes a Deployment and a Job from progressing to healthy after the delay', async () => {
    const web = deployment('web', 'nginx:1.27');
    const migrate = job('migrate', 'migrate:1');
    await kube.apply(web, AGENT);
    await kube.apply(migrate, AGENT);
    expect((await health(web)).status).toBe('InProgress');
    expect((await health(migrate)).status).toBe('InProgress');
    await advance(30_000);
    expect(await health(web)).toMatchObject({ status: 'Current' });
    expect(await health(migrate)).toMatchObject({ status: 'Current', reason: 'Complete' });
    // Timestamps follow the server's clock.
    expect((await kube.get(refOf(migrate)))?.['status']).toMatchObject({ completionTime: '2025-07-01T12:00:30Z' });
  });

  it('shows a new generation progressing at once, then healthy again', async () => {
    const web = deployment('web', 'nginx:1.28');
    await kube.apply(web, AGENT);
    expect(await health(web)).toMatchObject({ status: 'InProgress' });
    expect((await kube.get(refOf(web)))?.['status']).toMatchObject({ observedGeneration: 2 });
    await advance(30_000);
    expect(await health(web)).toMatchObject({ status: 'Current' });
  });

  it('degrades what a failure rule or annotation names: ProgressDeadlineExceeded and BackoffLimitExceeded', async () => {
    const bad = deployment('bad', 'registry.local/bad:broken');
    const annotated = deployment('flaky', 'nginx:1.27', { 'sim.edge-fleet.dev/fail': 'OOMKilled' });
    const failing = job('fails', 'migrate:broken');
    for (const object of [bad, annotated, failing]) await kube.apply(object, AGENT);
    await advance(30_000);
    expect((await health(bad)).status).toBe('InProgress');
    expect(await health(failing)).toMatchObject({ status: 'Failed', reason: 'BackoffLimitExceeded' });
    await advance(90_000);
    expect(await health(bad)).toMatchObject({ status: 'Failed', reason: 'ProgressDeadlineExceeded' });
    expect(await health(annotated)).toMatchObject({ status: 'Failed', reason: 'ProgressDeadlineExceeded' });
    expect((await health(annotated)).message).toContain('OOMKilled');
    expect((await kube.get(refOf(bad)))?.['status']).toMatchObject({ replicas: 2, unavailableReplicas: 2 });
  });
});

describe('simulator without controllers', () => {
  it('leaves status alone when controllers are off', async () => {
    const clock = new ManualClock();
    const server = await startKubeApiServer({ clock, controllers: false });
    try {
      const kube = server.cluster('default');
      const web = deployment('web', 'nginx');
      await kube.apply(web, AGENT);
      clock.advance(3_600_000);
      expect(server.controllers('default')).toBeUndefined();
      expect((await kube.get(refOf(web)))?.['status']).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
