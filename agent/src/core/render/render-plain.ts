/**
 * Renders plain manifests: every `.yaml`, `.yml` and `.json` file of a tree, in path order, each
 * document an object (a `kind: List` contributes its items). Pure: the same tree gives the same
 * objects in the same order. Anything it cannot render faithfully is an error naming the file
 * and line, never a silent skip.
 */
import { parseAllDocuments } from 'yaml';
import type { FileTree } from '../../../../shared/src/git/file-tree.js';
import type { KubeObject } from '../kube-object.js';

export interface RenderError {
  file: string;
  line?: number;
  message: string;
}

export type RenderResult = { ok: true; objects: KubeObject[] } | { ok: false; error: RenderError };

export interface RenderLimits {
  /** Largest manifest file, in bytes. */
  maxFileBytes: number;
  /** Most objects a tree may render to. */
  maxObjects: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { maxFileBytes: 5 * 1024 * 1024, maxObjects: 10_000 };

/** Files that configure the agent or kustomize rather than describe objects. */
const CONTROL_FILES = new Set(['fleet.yaml', 'fleet.yml']);
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const MANIFEST = /\.(ya?ml|json)$/i;

export function renderPlainManifests(tree: FileTree, limits: RenderLimits = DEFAULT_RENDER_LIMITS): RenderResult {
  const objects: KubeObject[] = [];
  for (const file of [...tree.keys()].sort()) {
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (KUSTOMIZATION_FILES.has(base)) {
      return fail(file, 'kustomizations are not rendered by this agent version; remove the kustomization or upgrade');
    }
    if (CONTROL_FILES.has(base) || !MANIFEST.test(base)) continue;
    const bytes = tree.get(file)!;
    if (bytes.byteLength > limits.maxFileBytes) {
      return fail(file, `file is ${bytes.byteLength} bytes, over the ${limits.maxFileBytes}-byte limit`);
    }
    const parsed = parseManifestFile(file, Buffer.from(bytes).toString('utf8'));
    if (!parsed.ok) return parsed;
    objects.push(...parsed.objects);
    if (objects.length > limits.maxObjects) {
      return fail(file, `the tree renders more than ${limits.maxObjects} objects`);
    }
  }
  return { ok: true, objects };
}

function parseManifestFile(file: string, text: string): RenderResult {
  // Kubernetes reads YAML 1.1 (`yes`/`on` are booleans, `0755` is octal); JSON is YAML too.
  const documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
  const objects: KubeObject[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const line = lineOf(text, document.range?.[0] ?? 0);
    const problem = document.errors[0];
    if (problem) {
      return fail(file, problem.message.split('\n')[0] ?? problem.message, problem.linePos?.[0].line ?? line);
    }
    let value: unknown;
    try {
      // A few hundred aliases is generous for hand-written manifests and stops "billion laughs".
      value = document.toJS({ maxAliasCount: 200 });
    } catch (error) {
      return fail(file, (error as Error).message, line);
    }
    if (value === null || value === undefined) continue;
    const items = isList(value) ? value.items : [value];
    for (const item of items) {
      const problem = checkObject(item);
      if (problem) return fail(file, problem, line);
      objects.push(item as KubeObject);
    }
  }
  return { ok: true, objects };
}

function isList(value: unknown): value is { items: unknown[] } {
  const record = value as Record<string, unknown>;
  return typeof record === 'object' && typeof record['kind'] === 'string' && record['kind'].endsWith('List') &&
    Array.isArray(record['items']);
}

function checkObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'a manifest document must be a mapping with apiVersion, kind and metadata';
  }
  const record = value as Record<string, unknown>;
  const metadata = record['metadata'] as Record<string, unknown> | undefined;
  if (typeof record['apiVersion'] !== 'string' || record['apiVersion'] === '') return 'object has no apiVersion';
  if (typeof record['kind'] !== 'string' || record['kind'] === '') return 'object has no kind';
  if (typeof metadata !== 'object' || metadata === null || typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    return `${record['kind']} has no metadata.name`;
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const fail = (file: string, message: string, line?: number): RenderResult => ({
  ok: false,
  error: line === undefined ? { file, message } : { file, line, message },
});
