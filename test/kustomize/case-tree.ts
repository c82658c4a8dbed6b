/**
 * Conformance cases: each folder under `cases/` is a repository tree, `expected.yaml` is what
 * `kubectl kustomize` printed for it, and an optional `case.json` names the folder to build.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileTree } from '../../shared/src/git/file-tree.js';

export const CASES_DIR = join(import.meta.dirname, 'cases');
const HARNESS_FILES = new Set(['expected.yaml', 'case.json']);

export interface ConformanceCase {
  name: string;
  root: string;
  /** Folder to build, relative to the case root ('' for the root). */
  dir: string;
}

export function listCases(): ConformanceCase[] {
  return readdirSync(CASES_DIR).sort().map((name) => {
    const root = join(CASES_DIR, name);
    let dir = '';
    try {
      dir = (JSON.parse(readFileSync(join(root, 'case.json'), 'utf8')) as { dir?: string }).dir ?? '';
    } catch {
      // No case.json: the kustomization is at the case root.
    }
    return { name, root, dir };
  });
}

export function readCaseTree(root: string): FileTree {
  const tree = new Map<string, Uint8Array>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const rel = relative(root, path).split(sep).join('/');
      if (statSync(path).isDirectory()) walk(path);
      else if (!(dir === root && HARNESS_FILES.has(entry))) tree.set(rel, readFileSync(path));
    }
  };
  walk(root);
  return tree;
}

export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `kubectl kustomize` of the case; its deprecation warnings on stderr are not part of the output. */
export function kubectlKustomize(testCase: ConformanceCase): string {
  return execFileSync('kubectl', ['kustomize', join(testCase.root, testCase.dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
