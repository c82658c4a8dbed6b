/**
 * Patches and generators that must fail, each with an error naming the file and the problem.
 * Where kubectl is present the same tree goes through `kubectl kustomize` too, to show it also
 * refuses it — except where kubectl lets it through (a target that selects nothing, an unknown
 * generator behavior, a directive we do not implement) and we refuse on purpose.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKustomization } from '../../agent/src/core/render/kustomize/build.js';
import { KustomizeError } from '../../agent/src/core/render/kustomize/types.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
`;

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function treeOf(files: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)]));
}

function build(files: Record<string, string>): KustomizeError {
  try {
    buildKustomization({ tree: treeOf(files), dir: '' });
  } catch (error) {
    expect(error).toBeInstanceOf(KustomizeError);
    return error as KustomizeError;
  }
  throw new Error('the build succeeded');
}

/** Whether `kubectl kustomize` accepts the same tree; `undefined` without kubectl. */
function kubectlAccepts(files: Record<string, string>): boolean | undefined {
  if (!hasKubectl) return undefined;
  const root = mkdtempSync(join(tmpdir(), 'patch-failures-'));
  tempDirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  try {
    execFileSync('kubectl', ['kustomize', root], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface FailureCase {
  name: string;
  files: Record<string, string>;
  error: RegExp;
  file?: string;
  kubectlAccepts?: boolean;
}

const withDeployment = (kustomization: string, extra: Record<string, string> = {}): Record<string, string> =>
  ({ 'deployment.yaml': DEPLOYMENT, 'kustomization.yaml': kustomization, ...extra });

const cases: FailureCase[] = [
  {
    name: 'a strategic merge patch naming an object that does not exist',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- path: p.yaml\n', {
      'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n',
    }),
    error: /no resource matches strategic merge patch Deployment\.v1\.apps\/api/,
    file: 'p.yaml',
  },
  {
    name: 'a target that selects nothing (kubectl skips it silently)',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- target: {kind: StatefulSet}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 2\n'),
    error: /patch target .*StatefulSet.* matches no resource/,
    file: 'kustomization.yaml',
    kubectlAccepts: true,
  },
  {
    name: 'a patch file that is not YAML',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- path: p.yaml\n', { 'p.yaml': 'kind: Deployment\nmetadata: {name: web\n' }),
    error: /./,
    file: 'p.yaml',
  },
  {
    name: 'a JSON 6902 operation kubectl does not know',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: frobnicate\n      path: /spec\n'),
    error: /operation 1: op must be one of/,
  },
  {
    name: 'a JSON 6902 test that fails',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: test\n      path: /spec/template/spec/containers/0/image\n      value: app:2\n'),
    error: /operation 1 \(test .*\): test failed/,
  },
  {
    name: 'a JSON 6902 remove of a missing field',
    files: withDeployment('resources: [deployment.yaml]\npatchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, name: web}\n  patch: |-\n    - op: remove\n      path: /spec/replicas\n'),
    error: /no value at \/spec\/replicas/,
  },
  {
    name: 'a patch file that does not exist',
    files: withDeployment('resources: [deployment.yaml]\npatchesStrategicMerge:\n- missing.yaml\n'),
    error: /missing\.yaml does not exist/,
  },
  {
    name: 'a strategic merge directive we do not implement',
    files: withDeployment('resources: [deployment.yaml]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          $setElementOrder/containers:\n          - name: app\n'),
    error: /\$setElementOrder\/containers directive is not supported/,
    kubectlAccepts: true,
  },
  {
    name: 'a generator file that does not exist',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - config/app.properties\n' },
    error: /config\/app\.properties does not exist/,
  },
  {
    name: 'a generator file outside the kustomization',
    files: { 'app/kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - ../secret.txt\n', 'secret.txt': 'x', 'kustomization.yaml': 'resources: [app]\n' },
    error: /\.\.\/secret\.txt is outside the kustomization's folder app/,
    file: 'app/kustomization.yaml',
  },
  {
    // kubectl takes an unknown behavior for `create`; a typo of `merge` would then duplicate a name.
    name: 'a generator behavior that does not exist (kubectl creates)',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  behavior: upsert\n  literals: [a=1]\n' },
    error: /behavior/,
    kubectlAccepts: true,
  },
  {
    name: 'a merge with nothing to merge into',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  behavior: merge\n  literals: [a=1]\n' },
    error: /behavior merge needs a ConfigMap of that name from a base/,
  },
  {
    name: 'a generator creating a name a base already generated',
    files: {
      'base/kustomization.yaml': 'configMapGenerator:\n- name: c\n  literals: [a=1]\n',
      'kustomization.yaml': 'resources: [base]\nconfigMapGenerator:\n- name: c\n  literals: [a=2]\n',
    },
    error: /already exists .*use behavior: merge or replace/,
  },
  {
    name: 'a generator repeating a key',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  literals: [a=1, a=2]\n' },
    error: /configmap c illegally repeats the key `a`/,
  },
  {
    name: 'a literal without a value',
    files: { 'kustomization.yaml': 'secretGenerator:\n- name: s\n  literals: [novalue]\n' },
    error: /invalid literal source novalue, expected key=value/,
  },
];

describe('patch and generator failures', () => {
  it.each(cases)('$name', (failure) => {
    const error = build(failure.files);
    expect(error.message).toMatch(failure.error);
    expect(error.file).toBe(failure.file ?? 'kustomization.yaml');
    const accepted = kubectlAccepts(failure.files);
    if (accepted !== undefined) expect(accepted).toBe(failure.kubectlAccepts ?? false);
  });
});
