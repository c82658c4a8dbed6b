/**
 * Apply: server-side apply of 500 objects through the agent's Kubernetes adapter against the
 * simulated API, and `kubectl apply --server-side` of the same 500 against the same simulator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { RateLimitedKube } from '../agent/src/adapters/kube/rate-limited-kube.js';
import { SqliteAppliedObjects } from '../agent/src/adapters/store/sqlite-applied-objects.js';
import { Applier } from '../agent/src/reconcile/applier.js';
import { AgentConfig } from '../agent/src/config/agent-config.js';
import { FIELD_MANAGER, planApply } from '../agent/src/core/apply/plan-apply.js';
import type { KubeObject } from '../agent/src/core/kube-object.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import { execFileAsync, hasCommand, ratio, timed } from './measure.js';

const OBJECTS = 500;

function objects(): KubeObject[] {
  const list: KubeObject[] = [];
  for (let i = 0; i < OBJECTS / 2; i++) {
    list.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `config-${i}`, namespace: 'bench' }, data: { index: String(i) } });
    list.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: 'bench', labels: { app: `app-${i}` } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: `app-${i}` } },
        template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'app', image: `registry.example/app:${i}` }] } },
      },
    });
  }
  return list;
}

export async function applyBench(): Promise<Record<string, number>> {
  const server = await startKubeApiServer({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-apply-'));
  try {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } };
    // The agent's applier as the agent runs it: through the default client rate limit.
    const defaults = AgentConfig.shape.kubernetes.parse({});
    const kube = new RateLimitedKube(httpKubeFromUrl(server.clusterUrl('agent')), defaults);
    await kube.apply(namespace, { fieldManager: FIELD_MANAGER });
    const { db } = openAgentDatabase(':memory:');
    const applier = new Applier(kube, new SqliteAppliedObjects(db), { concurrency: defaults.concurrency });
    const desired = planApply(objects());
    const cold = await timed(() => applier.apply(desired, 'remediate'));
    const noop = await timed(() => applier.apply(desired, 'remediate'));
    db.close();
    const summary = (changes: { action: string }[]) => [...new Set(changes.map((c) => c.action))].join('/');
    console.log(`agent applier: cold apply of ${OBJECTS} objects ${cold.ms} ms (${summary(cold.value.changes)}); no-op reconcile ${noop.ms} ms (${summary(noop.value.changes)})`);

    const figures: Record<string, number> = { objects: OBJECTS, coldApplyMs: cold.ms, noopReconcileMs: noop.ms };
    if (await hasCommand('kubectl')) {
      const file = join(dir, 'objects.yaml');
      writeFileSync(file, [namespace, ...objects()].map((o) => stringify(o)).join('---\n'));
      const kubectl = await timed(() =>
        execFileAsync(
          'kubectl',
          [`--server=${server.clusterUrl('kubectl')}`, 'apply', '--server-side', '--validate=false', '-f', file],
          { env: { ...process.env, KUBECONFIG: join(dir, 'no-kubeconfig') }, maxBuffer: 16 * 1024 * 1024 },
        ),
      );
      console.log(`kubectl apply --server-side of the same ${OBJECTS} (+ namespace): ${kubectl.ms} ms`);
      console.log(`ratio agent/kubectl (cold): ${ratio(cold.ms, kubectl.ms)}`);
      figures['kubectlApplyMs'] = kubectl.ms;
      figures['coldVsKubectl'] = ratio(cold.ms, kubectl.ms);
    } else {
      console.log('kubectl not found: no peer figure');
    }
    return figures;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
