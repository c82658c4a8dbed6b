/**
 * Render: a 1,000-object kustomize overlay rendered in-process by the agent's renderer, and as a
 * whole process (`agent render`) against `kubectl kustomize` on the same folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDirectoryTree } from '../agent/src/adapters/directory-tree.js';
import { renderRevision } from '../agent/src/core/render/render-revision.js';
import { execFileAsync, hasCommand, medianMs, ratio } from './measure.js';

const APPS = 250; // × (Deployment, Service, ConfigMap, ServiceAccount) = 1,000 objects

function writeOverlay(root: string): string {
  const base = join(root, 'base');
  mkdirSync(base, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < APPS; i++) {
    const name = `app-${i}`;
    writeFileSync(
      join(base, `${name}.yaml`),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: app
          image: registry.example/app:1.0.${i}
          envFrom: [{configMapRef: {name: ${name}-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}-config}
data: {INDEX: "${i}"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${name}}
`,
    );
    files.push(`${name}.yaml`);
  }
  writeFileSync(join(base, 'kustomization.yaml'), `resources:\n${files.map((f) => `  - ${f}`).join('\n')}\n`);
  const overlay = join(root, 'overlays', 'prod');
  mkdirSync(overlay, { recursive: true });
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    `resources:
  - ../../base
namespace: shop
namePrefix: prod-
commonLabels:
  env: prod
commonAnnotations:
  owner: platform
images:
  - name: registry.example/app
    newTag: "2.0"
patches:
  - target: {kind: Deployment}
    patch: |
      - op: replace
        path: /spec/replicas
        value: 3
`,
  );
  return overlay;
}

export async function renderBench(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'bench-render-'));
  try {
    const overlay = writeOverlay(root);
    const tree = readDirectoryTree(root);
    const cluster = { name: 'bench', labels: {} };
    let objects = 0;
    const render = async () => {
      const result = renderRevision(tree, 'overlays/prod', cluster);
      if (!result.ok) throw new Error(`${result.error.file}: ${result.error.message}`);
      objects = result.objects.length;
    };
    await render(); // warm-up: the agent renders many revisions over its life
    const renderMs = await medianMs(5, render);
    console.log(`in-process render of ${objects} objects: ${renderMs} ms (median of 5)`);

    const agentMain = join(import.meta.dirname, '../dist/agent/src/main.js');
    await execFileAsync(process.execPath, [join(import.meta.dirname, '../deploy/build.mjs')]);
    const processMs = await medianMs(3, () => execFileAsync(process.execPath, [agentMain, 'render', overlay, '--root', root], { maxBuffer: 64 * 1024 * 1024 }));
    console.log(`agent render as a process: ${processMs} ms (median of 3)`);
    const figures: Record<string, number> = { objects, renderMs, processMs };
    if (await hasCommand('kubectl')) {
      const kubectlProcessMs = await medianMs(3, () => execFileAsync('kubectl', ['kustomize', overlay], { maxBuffer: 64 * 1024 * 1024 }));
      console.log(`kubectl kustomize as a process: ${kubectlProcessMs} ms (median of 3); ratio agent/kubectl ${ratio(processMs, kubectlProcessMs)}`);
      figures['kubectlProcessMs'] = kubectlProcessMs;
      figures['processVsKubectl'] = ratio(processMs, kubectlProcessMs);
    } else {
      console.log('kubectl not found: no peer figure');
    }
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
