import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKustomization } from '../../agent/src/core/render/kustomize/build.js';
import { serializeObjects } from '../../agent/src/core/render/kustomize/serialize.js';
import { kubectlAvailable, kubectlKustomize, listCases, readCaseTree } from './case-tree.js';

const cases = listCases();
const live = kubectlAvailable();

function render(root: string, dir: string): string {
  return serializeObjects(buildKustomization({ tree: readCaseTree(root), dir }));
}

describe('kustomize conformance against committed kubectl goldens', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const testCase of cases) {
    it(testCase.name, () => {
      const expected = readFileSync(join(testCase.root, 'expected.yaml'), 'utf8');
      expect(render(testCase.root, testCase.dir)).toBe(expected);
    });
  }
});

describe.skipIf(!live)(`kustomize conformance against live kubectl${live ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const actual = kubectlKustomize(testCase);
      expect(readFileSync(join(testCase.root, 'expected.yaml'), 'utf8'), 'golden is stale: run npx tsx test/kustomize/update-goldens.ts').toBe(actual);
      expect(render(testCase.root, testCase.dir)).toBe(actual);
    });
  }
});
