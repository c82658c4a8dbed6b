/**
 * Finds what a kustomization names in the repository tree: its own file, resource files (each
 * a multi-document YAML or JSON file) and folders holding other kustomizations. Remote bases are
 * refused (an edge cluster renders offline, from the revision it was given), as are paths that
 * leave the repository; resource files must lie inside the kustomization's folder, as kustomize's
 * default load restrictor requires.
 */
import { posix } from 'node:path';
import type { FileTree } from '../../../../../shared/src/git/file-tree.js';
import { leavesTree, treePath } from '../../../../../shared/src/git/tree-path.js';
import type { KubeObject } from '../../kube-object.js';
import { parseKustomization, type Kustomization } from './kustomization.js';
import { parseYamlDocuments } from './resource-yaml.js';
import { KustomizeError, type Resource } from './types.js';

export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** Largest file a build reads, and most objects one file may hold. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface LoadedKustomization {
  dir: string;
  file: string;
  kustomization: Kustomization;
}

export type ResourceEntry = { type: 'file'; path: string } | { type: 'dir'; path: string };

export function loadKustomization(tree: FileTree, dir: string, expected: 'Kustomization' | 'Component', from: string): LoadedKustomization {
  const found = KUSTOMIZATION_FILE_NAMES.map((name) => treePath(dir, name)).filter((path) => tree.has(path));
  if (found.length === 0) {
    throw new KustomizeError(from, `${dir === '' ? 'the repository root' : dir} has no kustomization.yaml, kustomization.yml or Kustomization`);
  }
  if (found.length > 1) {
    throw new KustomizeError(found[0]!, `found several kustomization files in ${dir || '/'}: ${found.join(', ')}; keep one`);
  }
  const file = found[0]!;
  const kustomization = parseKustomization(file, readText(tree, file));
  const kind = kustomization.kind ?? 'Kustomization';
  if (kind !== expected) {
    const message = expected === 'Component'
      ? `is a ${kind}, but is listed under components; components must be kind: Component`
      : 'is a Component; list it under components, not resources';
    throw new KustomizeError(file, message);
  }
  if (kind === 'Component' && kustomization.apiVersion === 'kustomize.config.k8s.io/v1beta1') {
    throw new KustomizeError(file, 'a Component must have apiVersion kustomize.config.k8s.io/v1alpha1');
  }
  return { dir, file, kustomization };
}

/** What an entry of `resources`, `bases` or `components` names, relative to the kustomization's folder. */
export function resolveEntry(tree: FileTree, loaded: LoadedKustomization, entry: string, field: string): ResourceEntry {
  if (isRemote(entry)) {
    throw new KustomizeError(loaded.file, `${field}: ${entry} is a remote reference; the agent renders only what is in the repository — vendor it into the repository and refer to its path`);
  }
  if (posix.isAbsolute(entry)) {
    throw new KustomizeError(loaded.file, `${field}: ${entry} is an absolute path; write it relative to the kustomization`);
  }
  const normalized = treePath(loaded.dir, entry);
  if (leavesTree(normalized)) {
    throw new KustomizeError(loaded.file, `${field}: ${entry} is outside the repository`);
  }
  if (tree.has(normalized)) {
    const inside = loaded.dir === '' || normalized.startsWith(`${loaded.dir}/`);
    if (!inside) {
      throw new KustomizeError(loaded.file, `${field}: the file ${entry} is not in or below ${loaded.dir || '/'}; list the folder that holds it (with its own kustomization) instead`);
    }
    return { type: 'file', path: normalized };
  }
  if (isDirectory(tree, normalized)) return { type: 'dir', path: normalized };
  throw new KustomizeError(loaded.file, `${field}: ${entry} does not exist (looked for ${normalized || '/'})`);
}

/** The objects of one resource file, `kind: List` documents contributing their items. */
export function readResourceFile(tree: FileTree, path: string): Resource[] {
  const resources: Resource[] = [];
  for (const document of parseYamlDocuments(path, readText(tree, path))) {
    const value = document.value;
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      const problem = checkObject(item);
      if (problem) throw new KustomizeError(path, problem, document.line);
      resources.push({ object: item as KubeObject, origin: path });
    }
  }
  return resources;
}

export function readText(tree: FileTree, path: string): string {
  const bytes = tree.get(path);
  if (bytes === undefined) throw new KustomizeError(path, 'file does not exist');
  if (bytes.byteLength > MAX_FILE_BYTES) {
    throw new KustomizeError(path, `file is ${bytes.byteLength} bytes, over the ${MAX_FILE_BYTES}-byte limit`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function isDirectory(tree: FileTree, path: string): boolean {
  if (path === '') return true;
  const prefix = `${path}/`;
  for (const key of tree.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

/** URLs, scp-style git addresses and go-getter forms kustomize would fetch. */
function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^[\w.-]+@[\w.-]+:/.test(entry) ||
    /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || /[?&]ref=/.test(entry) || entry.includes('//');
}

function isList(value: unknown): value is { items: unknown[] } {
  const record = value as Record<string, unknown>;
  return typeof record === 'object' && record !== null && typeof record['kind'] === 'string' &&
    record['kind'].endsWith('List') && Array.isArray(record['items']);
}

function checkObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'a resource document must be a mapping with apiVersion, kind and metadata';
  }
  const record = value as Record<string, unknown>;
  const metadata = record['metadata'] as Record<string, unknown> | undefined;
  if (typeof record['kind'] !== 'string' || record['kind'] === '') return 'resource has no kind';
  if (typeof record['apiVersion'] !== 'string' || record['apiVersion'] === '') return `${record['kind']} has no apiVersion`;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    return `${record['kind']} has no metadata.name`;
  }
  return undefined;
}
