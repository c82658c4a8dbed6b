import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKustomization } from '../../agent/src/core/render/kustomize/build.js';
import { KustomizeError } from '../../agent/src/core/render/kustomize/types.js';
import { kubectlAvailable } from './case-tree.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n';

interface FailureCase {
  name: string;
  files: Record<string, string>;
  dir?: string;
  /** Where the error must point, and what it must say. */
  file: string;
  line?: number;
  message: RegExp;
  /** kubectl refuses the same tree (false where it would fetch, or supports what we refuse). */
  kubectlFails: boolean;
}

const CASES: FailureCase[] = [
  {
    name: 'missing resource file',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- gone.yaml\n', 'cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /resources: gone\.yaml does not exist/,
    kubectlFails: true,
  },
  {
    name: 'missing base folder',
    files: { 'app/kustomization.yaml': 'resources:\n- ../base\n' },
    dir: 'app',
    file: 'app/kustomization.yaml',
    message: /resources: \.\.\/base does not exist/,
    kubectlFails: true,
  },
  {
    name: 'folder without a kustomization',
    files: { 'kustomization.yaml': 'resources:\n- plain\n', 'plain/cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /plain has no kustomization\.yaml/,
    kubectlFails: true,
  },
  {
    name: 'path escaping the repository root',
    files: { 'kustomization.yaml': 'resources:\n- ../../etc/base\n' },
    file: 'kustomization.yaml',
    message: /outside the repository/,
    kubectlFails: true,
  },
  {
    name: 'resource file outside the kustomization folder',
    files: { 'shared/cm.yaml': CM, 'app/kustomization.yaml': 'resources:\n- ../shared/cm.yaml\n' },
    dir: 'app',
    file: 'app/kustomization.yaml',
    message: /not in or below app/,
    kubectlFails: true,
  },
  {
    name: 'remote https base',
    files: { 'kustomization.yaml': 'resources:\n- https://github.com/example/repo//base?ref=v1\n' },
    file: 'kustomization.yaml',
    message: /remote reference.*vendor it/,
    kubectlFails: false,
  },
  {
    name: 'remote github shorthand',
    files: { 'kustomization.yaml': 'resources:\n- github.com/example/repo/base?ref=main\n' },
    file: 'kustomization.yaml',
    message: /remote reference/,
    kubectlFails: false,
  },
  {
    name: 'remote scp-style git address',
    files: { 'kustomization.yaml': 'resources:\n- git@github.com:example/repo.git\n' },
    file: 'kustomization.yaml',
    message: /remote reference/,
    kubectlFails: false,
  },
  {
    name: 'unknown field',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nnamePrefx: x-\n', 'cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /unknown field "namePrefx"/,
    kubectlFails: true,
  },
  {
    name: 'unknown nested field',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nimages:\n- name: nginx\n  newTg: "1"\n', 'cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /unknown field "images\.0\.newTg"/,
    kubectlFails: true,
  },
  {
    name: 'field kustomize knows but this renderer does not',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nreplacements: []\n', 'cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /field "replacements" is not supported/,
    kubectlFails: false,
  },
  {
    name: 'malformed resource YAML',
    files: { 'kustomization.yaml': 'resources:\n- bad.yaml\n', 'bad.yaml': `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n` },
    file: 'bad.yaml',
    // The parser notices the unclosed flow sequence where the input ends.
    line: 10,
    message: /./,
    kubectlFails: true,
  },
  {
    name: 'malformed kustomization YAML',
    files: { 'kustomization.yaml': 'resources:\n  - a.yaml\n - b.yaml\n' },
    file: 'kustomization.yaml',
    line: 3,
    message: /./,
    kubectlFails: true,
  },
  {
    name: 'duplicate key in a resource',
    files: { 'kustomization.yaml': 'resources:\n- dup.yaml\n', 'dup.yaml': `${CM}data:\n  a: "1"\n  a: "2"\n` },
    file: 'dup.yaml',
    line: 7,
    message: /unique|duplicate/i,
    kubectlFails: true,
  },
  {
    name: 'resource without a name',
    files: { 'kustomization.yaml': 'resources:\n- noname.yaml\n', 'noname.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' },
    file: 'noname.yaml',
    message: /ConfigMap has no metadata\.name/,
    kubectlFails: true,
  },
  {
    name: 'cycle between kustomizations',
    files: { 'a/kustomization.yaml': 'resources:\n- ../b\n', 'b/kustomization.yaml': 'resources:\n- ../a\n' },
    dir: 'a',
    file: 'b/kustomization.yaml',
    message: /cycle: a -> b -> a/,
    kubectlFails: true,
  },
  {
    name: 'component listed as a resource',
    files: {
      'kustomization.yaml': 'resources:\n- comp\n',
      'comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n',
    },
    file: 'comp/kustomization.yaml',
    message: /is a Component; list it under components/,
    kubectlFails: true,
  },
  {
    name: 'the same object twice',
    files: { 'kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n', 'a.yaml': CM, 'b.yaml': CM },
    file: 'kustomization.yaml',
    message: /ConfigMap cm \(v1\) is defined more than once/,
    kubectlFails: true,
  },
  {
    name: 'replicas naming nothing',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nreplicas:\n- name: web\n  count: 2\n', 'cm.yaml': CM },
    file: 'kustomization.yaml',
    message: /no Deployment, ReplicaSet, ReplicationController or StatefulSet is named web/,
    kubectlFails: true,
  },
  {
    name: 'alias bomb',
    files: {
      'kustomization.yaml': 'resources:\n- bomb.yaml\n',
      'bomb.yaml': `${CM}data:\n  a: &a ["x","x","x","x","x","x","x","x","x","x"]\n` +
        Array.from({ length: 8 }, (_, i) => `  l${i}: &l${i} [${Array(10).fill(i === 0 ? '*a' : `*l${i - 1}`).join(',')}]\n`).join(''),
    },
    file: 'bomb.yaml',
    message: /too many nodes|aliases/,
    // kubectl does refuse it too, but only after ~20 s of expansion.
    kubectlFails: false,
  },
];

function tree(files: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));
}

describe('kustomize build failures', () => {
  for (const failure of CASES) {
    it(failure.name, () => {
      let caught: unknown;
      try {
        buildKustomization({ tree: tree(failure.files), dir: failure.dir ?? '' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(KustomizeError);
      const error = caught as KustomizeError;
      expect(error.file).toBe(failure.file);
      if (failure.line !== undefined) expect(error.line).toBe(failure.line);
      expect(error.message).toMatch(failure.message);
    });
  }
});

const live = kubectlAvailable();
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!live)(`kubectl refuses the same trees${live ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  for (const failure of CASES.filter((c) => c.kubectlFails)) {
    it(failure.name, () => {
      const root = mkdtempSync(join(tmpdir(), 'kustomize-failure-'));
      temps.push(root);
      for (const [path, text] of Object.entries(failure.files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
      }
      expect(() => execFileSync('kubectl', ['kustomize', join(root, failure.dir ?? '')], { stdio: 'ignore', timeout: 20_000 }))
        .toThrow();
    });
  }
});
