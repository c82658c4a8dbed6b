/**
 * `agent render DIR` as a process, as an operator runs it: output equal to `kubectl kustomize`
 * where no fleet.yaml variables are involved, per-cluster output with them, errors on stderr.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtBinary } from './support/built-binary.js';
import { makeTempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

describe('agent render', () => {
  const temp = makeTempDir('agent-render');
  let agent: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(temp.dir, path)), { recursive: true });
    writeFileSync(join(temp.dir, path), text);
  };
  const render = (...args: string[]) => run(process.execPath, [agent, 'render', ...args], { cwd: temp.dir });

  beforeAll(() => {
    agent = builtBinary('agent/src/main.js');
    write('repo/.git/HEAD', 'ref: refs/heads/main\n'); // marks the repository root
    write('repo/base/kustomization.yaml', 'resources: [app.yaml]\nconfigMapGenerator:\n  - name: settings\n    literals: [mode=fast]\n');
    write(
      'repo/base/app.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  selector: {matchLabels: {app: app}}\n  template:\n    metadata: {labels: {app: app}}\n    spec:\n      containers:\n        - name: app\n          image: app:1\n          envFrom: [{configMapRef: {name: settings}}]\n',
    );
    write('repo/apps/shop/overlays/eu/kustomization.yaml', 'resources: [../../../../base]\nnamePrefix: eu-\ncommonLabels: {region: eu}\nimages: [{name: app, newTag: "2"}]\n');
    write('repo/apps/shop/overlays/other/kustomization.yaml', 'resources: [../../../../base]\ncommonAnnotations: {store: "${cluster.name}"}\n');
    write(
      'repo/apps/shop/fleet.yaml',
      'targets:\n  - name: eu\n    clusterSelector: {matchLabels: {region: eu}}\n    overlay: overlays/eu\n  - name: other\n    overlay: overlays/other\n',
    );
  });
  afterAll(() => temp.remove());

  it.skipIf(!hasKubectl)('prints what kubectl kustomize prints for the chosen overlay (skipped without kubectl)', async () => {
    const ours = await render('repo/apps/shop', '--cluster-name', 'store-1', '--label', 'region=eu');
    const kubectl = await run('kubectl', ['kustomize', join(temp.dir, 'repo/apps/shop/overlays/eu')]);
    expect(ours.stdout).toBe(kubectl.stdout);
    expect(ours.stdout).toContain('name: eu-settings-');
  });

  it('tailors the output to the cluster', async () => {
    const { stdout } = await render('repo/apps/shop', '--cluster-name', 'store-9');
    expect(stdout).toContain('store: store-9');
    expect(stdout).not.toContain('eu-app');
  });

  it('reports a broken bundle on stderr, naming the file, with a non-zero exit', async () => {
    write('repo/apps/broken/kustomization.yaml', 'resources: [gone.yaml]\n');
    const failure = await render('repo/apps/broken').then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toMatch(/apps\/broken\/kustomization\.yaml.*gone\.yaml/);
  });
});
