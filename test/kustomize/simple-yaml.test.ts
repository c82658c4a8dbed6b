/**
 * The simple YAML reader against the `yaml` package: whenever the simple reader accepts a text,
 * it must yield exactly what the `yaml` reading yields (values, number types, documents and
 * their lines); otherwise it must decline. Checked on every file of the conformance cases, on
 * generated manifests and on random edits of them.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUSTOMIZATION_READING, readWithYamlPackage } from '../../agent/src/core/render/kustomize/kustomization.js';
import { parseWithYamlPackage } from '../../agent/src/core/render/kustomize/resource-yaml.js';
import { readSimpleYaml } from '../../agent/src/core/render/kustomize/simple-yaml.js';
import { CASES_DIR } from './case-tree.js';
import { generateManifest, mutate, random, writeYaml } from './yaml-generator.js';

type Outcome = 'read' | 'declined';

function compare(text: string): Outcome {
  const simple = readSimpleYaml(text);
  if (simple === undefined) return 'declined';
  let reference;
  try {
    reference = parseWithYamlPackage('doc.yaml', text);
  } catch (error) {
    throw new Error(`the simple reader accepted a text the yaml package refuses (${(error as Error).message}):\n${text}`);
  }
  expect(simple, text).toStrictEqual(reference);
  return 'read';
}

/** The same for kustomization files, read with YAML 1.1 and converted by the `yaml` package's toJS. */
function compareKustomization(text: string): Outcome {
  const simple = readSimpleYaml(text, KUSTOMIZATION_READING);
  if (simple === undefined || simple.length === 0) return 'declined';
  let reference;
  try {
    reference = readWithYamlPackage('kustomization.yaml', text);
  } catch (error) {
    throw new Error(`the simple reader accepted a kustomization the yaml package refuses (${(error as Error).message}):\n${text}`);
  }
  expect(simple.map((document) => document.value), text).toStrictEqual([reference]);
  return 'read';
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.(ya?ml|json)$|^Kustomization$/.test(entry) ? [path] : [];
  });
}

describe('simple YAML reader', () => {
  it('reads the conformance cases exactly as the yaml package does', () => {
    const files = yamlFiles(CASES_DIR);
    const outcomes = files.map((file) => compare(readFileSync(file, 'utf8')));
    // Most of them are in the subset: the fast path is what the cases exercise.
    expect(outcomes.filter((o) => o === 'read').length).toBeGreaterThan(files.length * 0.9);
  });

  it('reads generated manifests exactly as the yaml package does, or declines', () => {
    const next = random(20261122);
    const counts = { read: 0, declined: 0 };
    for (let i = 0; i < 3000; i++) {
      const documents = Array.from({ length: 1 + Math.floor(next() * 3) }, () => generateManifest(next));
      counts[compare(writeYaml(next, documents))]++;
    }
    expect(counts.read).toBeGreaterThan(1500);
  });

  it('never accepts an edited manifest the yaml package reads differently or refuses', () => {
    const next = random(7);
    const counts = { read: 0, declined: 0 };
    for (let i = 0; i < 3000; i++) {
      counts[compare(mutate(next, writeYaml(next, [generateManifest(next)])))]++;
    }
    expect(counts.read).toBeGreaterThan(500);
  });

  it('reads kustomization files exactly as the yaml package does with YAML 1.1, or declines', () => {
    const files = yamlFiles(CASES_DIR).filter((file) => /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file));
    const outcomes = files.map((file) => compareKustomization(readFileSync(file, 'utf8')));
    expect(outcomes.filter((o) => o === 'read').length).toBeGreaterThan(files.length / 2);
    const next = random(1_1);
    const counts = { read: 0, declined: 0 };
    for (let i = 0; i < 3000; i++) {
      const text = writeYaml(next, [generateManifest(next)]);
      counts[compareKustomization(next() < 0.5 ? text : mutate(next, text))]++;
    }
    expect(counts.read).toBeGreaterThan(300);
  });

  it.each([
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['folded scalars', 'a: >\n  x\n'],
    ['multi-line plain scalars', 'a: x\n  y\n'],
    ['multi-line quoted scalars', 'a: "x\n  y"\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['merge keys', 'a: {x: 1}\nb:\n  <<: {y: 2}\n'],
    ['tabs', 'a:\tb\n'],
    ['infinities', 'a: .inf\n'],
    ['document end markers', 'a: 1\n...\n'],
    ['directives', '%YAML 1.2\n---\na: 1\n'],
    ['a mapping after a scalar', 'a: b: c\n'],
  ])('declines %s', (_name, text) => {
    expect(readSimpleYaml(text)).toBeUndefined();
  });

  it('reads a typical manifest with the lines of its documents', () => {
    const text = '# app\napiVersion: v1\nkind: Service\nmetadata: {name: web, annotations: {v: 1.0}}\nspec:\n  ports:\n  - port: 80\n    name: "http"\n---\n\nkind: ConfigMap\ndata:\n  conf: |\n    a=1\n\n    b=2\n';
    expect(readSimpleYaml(text)).toStrictEqual([
      { line: 2, value: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', annotations: { v: '1.0' } }, spec: { ports: [{ port: 80, name: 'http' }] } } },
      { line: 11, value: { kind: 'ConfigMap', data: { conf: 'a=1\n\nb=2\n' } } },
    ]);
  });
});
