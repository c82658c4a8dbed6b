/**
 * Reads a kustomization's `patches`, `patchesStrategicMerge` and `patchesJson6902` into
 * `PatchSpec`s: inline text or a file under the kustomization's folder, parsed as Kubernetes
 * YAML as kustomize reads it; a list of operations is JSON 6902, mappings are strategic merge patches.
 */
import { readLocalFile, resolveLocalPath, utf8Text, type KustomizationContext } from './local-file.js';
import { parseYamlDocuments } from './resource-yaml.js';
import { KustomizeError, type PatchSpec, type TargetSelector } from './types.js';

const TARGET_FIELDS = new Set(['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector']);
const PATCH_FIELDS = new Set(['path', 'patch', 'target', 'options']);
const OPTION_FIELDS = new Set(['allowNameChange', 'allowKindChange']);

/** `patches:` entries: `{path | patch, target?, options?}`. */
export function readPatches(entries: unknown, ctx: KustomizationContext): PatchSpec[] {
  return listOf(entries, 'patches', ctx).map((entry, index) => {
    const where = `patches[${index}]`;
    if (!isMap(entry)) throw new KustomizeError(ctx.file, `${where} must be a mapping with path or patch`);
    checkFields(entry, PATCH_FIELDS, where, ctx);
    checkOptions(entry['options'], where, ctx);
    const { documents, origin } = patchContent(entry, where, ctx);
    const target = entry['target'] === undefined ? undefined : readTarget(entry['target'], `${where}.target`, ctx);
    const isOperations = documents.length === 1 && Array.isArray(documents[0]);
    if (!isOperations && documents.some((document) => Array.isArray(document))) {
      throw new KustomizeError(origin, `${where}: a JSON 6902 patch must be a single list of operations`);
    }
    const patch = isOperations ? documents[0] : documents.length === 1 ? documents[0] : documents;
    const spec: PatchSpec = { patch, kind: isOperations ? 'json6902' : 'strategic-merge', origin };
    if (target) spec.target = target;
    if (isOperations && !target) throw new KustomizeError(origin, `${where}: a JSON 6902 patch needs a target`);
    return spec;
  });
}

/** `patchesStrategicMerge:` entries: a file path, or the patch itself written inline. */
export function readStrategicMergePatches(entries: unknown, ctx: KustomizationContext): PatchSpec[] {
  return listOf(entries, 'patchesStrategicMerge', ctx).flatMap((entry, index) => {
    const where = `patchesStrategicMerge[${index}]`;
    if (typeof entry !== 'string') throw new KustomizeError(ctx.file, `${where} must be a file path or an inline patch`);
    // kustomize takes an entry that is not a file name as the patch itself; ours must span lines.
    const { documents, origin } = patchContent(entry.includes('\n') ? { patch: entry } : { path: entry.trim() }, where, ctx);
    return documents.map((patch) => {
      if (!isMap(patch)) throw new KustomizeError(origin, `${where}: each document must be a strategic merge patch (a mapping)`);
      return { patch, kind: 'strategic-merge' as const, origin };
    });
  });
}

/** `patchesJson6902:` entries: `{target, path | patch}`. */
export function readJson6902Patches(entries: unknown, ctx: KustomizationContext): PatchSpec[] {
  return listOf(entries, 'patchesJson6902', ctx).map((entry, index) => {
    const where = `patchesJson6902[${index}]`;
    if (!isMap(entry)) throw new KustomizeError(ctx.file, `${where} must be a mapping with target and path or patch`);
    checkFields(entry, new Set(['path', 'patch', 'target']), where, ctx);
    if (entry['target'] === undefined) throw new KustomizeError(ctx.file, `${where} needs a target`);
    const target = readTarget(entry['target'], `${where}.target`, ctx);
    const { documents, origin } = patchContent(entry, where, ctx);
    if (documents.length !== 1 || !Array.isArray(documents[0])) {
      throw new KustomizeError(origin, `${where}: a JSON 6902 patch must be one list of operations`);
    }
    return { patch: documents[0], kind: 'json6902' as const, target, origin };
  });
}

function patchContent(entry: Record<string, unknown>, where: string, ctx: KustomizationContext): { documents: unknown[]; origin: string } {
  const { path, patch } = entry;
  if ((path === undefined) === (patch === undefined)) throw new KustomizeError(ctx.file, `${where} needs exactly one of path and patch`);
  if (patch !== undefined) {
    if (typeof patch !== 'string') throw new KustomizeError(ctx.file, `${where}.patch must be a string holding the patch`);
    return { documents: parsePatch(patch, ctx.file, where), origin: ctx.file };
  }
  if (typeof path !== 'string' || path === '') throw new KustomizeError(ctx.file, `${where}.path must be a file path`);
  const origin = resolveLocalPath(ctx, path, where);
  const text = utf8Text(readLocalFile(ctx, path, where));
  if (text === undefined) throw new KustomizeError(origin, 'a patch file must be UTF-8 text');
  return { documents: parsePatch(text, origin, where), origin };
}

function parsePatch(text: string, origin: string, where: string): unknown[] {
  // kustomize reads patches as it reads resources (kyaml), so the same scalars come out.
  const documents = parseYamlDocuments(origin, text).map((document) => document.value);
  if (documents.length === 0) throw new KustomizeError(origin, `${where}: the patch is empty`);
  return documents;
}

function readTarget(value: unknown, where: string, ctx: KustomizationContext): TargetSelector {
  if (!isMap(value)) throw new KustomizeError(ctx.file, `${where} must be a mapping`);
  checkFields(value, TARGET_FIELDS, where, ctx);
  const target: TargetSelector = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null || field === undefined) continue;
    if (typeof field !== 'string') throw new KustomizeError(ctx.file, `${where}.${key} must be a string`);
    target[key as keyof TargetSelector] = field;
  }
  return target;
}

function checkOptions(options: unknown, where: string, ctx: KustomizationContext): void {
  if (options === undefined || options === null) return;
  if (!isMap(options)) throw new KustomizeError(ctx.file, `${where}.options must be a mapping`);
  checkFields(options, OPTION_FIELDS, `${where}.options`, ctx);
  for (const [key, value] of Object.entries(options)) {
    if (value === true) throw new KustomizeError(ctx.file, `${where}.options.${key} is not supported; patch the name or kind with a JSON 6902 patch`);
  }
}

function checkFields(value: Record<string, unknown>, allowed: ReadonlySet<string>, where: string, ctx: KustomizationContext): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) throw new KustomizeError(ctx.file, `${where}: unsupported field ${key}`);
  }
}

function listOf(entries: unknown, field: string, ctx: KustomizationContext): unknown[] {
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new KustomizeError(ctx.file, `${field} must be a list`);
  return entries;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
