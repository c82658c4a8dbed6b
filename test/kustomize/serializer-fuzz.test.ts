/**
 * Random ConfigMaps full of YAML-hostile strings and numbers, rendered by kubectl and by us:
 * exercises quoting, folding, block scalars, key order and number formats beyond the golden cases.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildKustomization } from '../../agent/src/core/render/kustomize/build.js';
import { serializeObjects } from '../../agent/src/core/render/kustomize/serialize.js';
import { kubectlAvailable } from './case-tree.js';

const PIECES = [
  'a', 'b', ' ', '  ', '-', '- ', ':', ': ', '#', ' #', "'", '"', '\\', '\n', '\n\n', ' \n', '\t', 'x', 'yes', 'y', '1',
  '0', '0.5', '1e3', '~', 'null', 'é', '😀', '\u00a0', '{', '}', '[', ']', ',', '?', '? ', '@', '`', '!', '&', '*', '|',
  '>', '%', '...', '---', '1:20', '2001-01-01', '0x1', '+1', '.5', '.inf', 'longwordlongwordlong',
  'The quick brown fox jumps over the lazy dog', '\r', '<<', '=', 'true', 'False',
];

function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

function randomDocument(seed: number): unknown {
  const rnd = generator(seed);
  const text = (): string => {
    let s = '';
    for (let i = rnd(12); i > 0; i--) s += PIECES[rnd(PIECES.length)];
    return rnd(5) === 0 ? s.repeat(3 + rnd(4)) : s;
  };
  const value = (depth: number): unknown => {
    const r = rnd(depth > 2 ? 6 : 9);
    if (r < 4) return text();
    if (r === 4) return [0, 1, -5, 0.5, 1e-7, 12345678.9, 1e21, 3.25, 100, true, false, null][rnd(12)];
    if (r === 5) return [];
    if (r < 8) return Object.fromEntries(Array.from({ length: rnd(4) }, () => [text(), value(depth + 1)]));
    return Array.from({ length: rnd(4) }, () => value(depth + 1));
  };
  const items = Array.from({ length: 20 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `c${i}` },
    data: Object.fromEntries(Array.from({ length: 6 }, () => [text(), value(0)])),
  }));
  return { apiVersion: 'v1', kind: 'List', items };
}

const live = kubectlAvailable();
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!live)(`serializer against kubectl on random data${live ? '' : ' (skipped: kubectl is not on PATH)'}`, () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, () => {
      const files = { 'kustomization.yaml': 'resources:\n- data.json\n', 'data.json': JSON.stringify(randomDocument(seed)) };
      const root = mkdtempSync(join(tmpdir(), 'kustomize-fuzz-'));
      temps.push(root);
      for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
      const expected = execFileSync('kubectl', ['kustomize', root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const tree = new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));
      expect(serializeObjects(buildKustomization({ tree, dir: '' }))).toBe(expected);
    });
  }
});
