/**
 * `configMapGenerator` and `secretGenerator`: objects built from literals, files and env files,
 * created or merged into (or replacing) a generator's object from a base. Names get their hash
 * suffix later, at the end of the top-level build (`name-hash.ts`), as kustomize does.
 */
import type { KubeObject } from '../../kube-object.js';
import { readGeneratorSources, type GeneratedValue } from './generator-sources.js';
import type { KustomizationContext } from './local-file.js';
import { KustomizeError, type Resource } from './types.js';

export interface GeneratorOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  disableNameSuffixHash?: boolean;
  immutable?: boolean;
}

export interface GeneratorArgs {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'merge' | 'replace';
  literals?: string[];
  files?: string[];
  envs?: string[];
  /** Deprecated singular form of `envs`, still read by kustomize. */
  env?: string;
  options?: GeneratorOptions;
  /** Secrets only; `Opaque` when absent. */
  type?: string;
}

export interface GeneratorSpec {
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
}

const ARG_FIELDS = new Set(['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options', 'type']);
const OPTION_FIELDS = new Set(['labels', 'annotations', 'disableNameSuffixHash', 'immutable']);
const BEHAVIORS = new Set(['create', 'merge', 'replace']);

/**
 * The resource list after running the generators: `existing` with merged or replaced objects in
 * their place, then the created ones (ConfigMaps, then Secrets, in the order written).
 */
export function generateResources(spec: GeneratorSpec, ctx: KustomizationContext, existing: readonly Resource[]): Resource[] {
  checkOptions(spec.generatorOptions, ctx, 'generatorOptions');
  const result = [...existing];
  const generators = [
    ...(spec.configMapGenerator ?? []).map((args) => ({ kind: 'ConfigMap' as const, args })),
    ...(spec.secretGenerator ?? []).map((args) => ({ kind: 'Secret' as const, args })),
  ];
  for (const { kind, args } of generators) {
    const field = kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator';
    checkArgs(args, kind, ctx, field);
    const generated = generate(kind, args, spec.generatorOptions, ctx);
    const behavior = args.behavior ?? 'create';
    const index = result.findIndex((resource) => sameGenerated(resource, kind, args));
    if (behavior === 'create') {
      if (index >= 0) {
        throw new KustomizeError(ctx.file, `${field} ${args.name}: a ${kind} of that name already exists (from ${result[index]!.origin}); use behavior: merge or replace`);
      }
      result.push(generated);
      continue;
    }
    const base = result[index];
    if (base === undefined) {
      throw new KustomizeError(ctx.file, `${field} ${args.name}: behavior ${behavior} needs a ${kind} of that name from a base, and there is none`);
    }
    result[index] = behavior === 'merge' ? mergeGenerated(base, generated) : replaceGenerated(base, generated);
  }
  return result;
}

function generate(kind: 'ConfigMap' | 'Secret', args: GeneratorArgs, global: GeneratorOptions | undefined, ctx: KustomizationContext): Resource {
  // Either level can switch the hash off or make the object immutable; neither switches back.
  const options = {
    disableNameSuffixHash: Boolean(global?.disableNameSuffixHash || args.options?.disableNameSuffixHash),
    immutable: Boolean(global?.immutable || args.options?.immutable),
  };
  const labels = { ...global?.labels, ...args.options?.labels };
  const annotations = { ...global?.annotations, ...args.options?.annotations };
  const values = readGeneratorSources(
    { literals: args.literals, files: args.files, envs: [...(args.envs ?? []), ...(args.env ? [args.env] : [])] },
    ctx,
    `${kind === 'ConfigMap' ? 'configmap' : 'secret'} ${args.name}`,
  );
  const object: KubeObject = { apiVersion: 'v1', kind, metadata: { name: args.name } };
  if (args.namespace) object.metadata.namespace = args.namespace;
  if (Object.keys(labels).length > 0) object.metadata.labels = labels;
  if (Object.keys(annotations).length > 0) object.metadata.annotations = annotations;
  Object.assign(object, kind === 'ConfigMap' ? configMapData(values) : secretData(values));
  if (kind === 'Secret') object['type'] = args.type ?? 'Opaque';
  if (options.immutable) object['immutable'] = true;
  return { object, origin: ctx.file, hashSuffix: !options.disableNameSuffixHash };
}

function configMapData(values: readonly GeneratedValue[]): Record<string, unknown> {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const value of values) {
    if (value.text !== undefined) data[value.key] = value.text;
    else binaryData[value.key] = wrappedBase64(value.bytes);
  }
  return {
    ...(Object.keys(data).length > 0 ? { data } : {}),
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
}

function secretData(values: readonly GeneratedValue[]): Record<string, unknown> {
  if (values.length === 0) return {};
  return { data: Object.fromEntries(values.map((value) => [value.key, wrappedBase64(value.bytes)])) };
}

/** Base64 as kustomize writes it: from 70 characters on, in lines of 70, each ending in a newline. */
function wrappedBase64(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString('base64');
  if (encoded.length < 70) return encoded;
  return encoded.replace(/.{1,70}/g, (line) => `${line}\n`);
}

/** The base's object with the overlay's data and metadata laid over it. */
function mergeGenerated(base: Resource, overlay: Resource): Resource {
  const object: KubeObject = { ...base.object, metadata: { ...base.object.metadata } };
  for (const field of ['data', 'binaryData'] as const) {
    const merged = { ...asMap(base.object[field]), ...asMap(overlay.object[field]) };
    if (Object.keys(merged).length > 0) object[field] = merged;
  }
  for (const field of ['labels', 'annotations'] as const) {
    const merged = { ...base.object.metadata[field], ...overlay.object.metadata[field] };
    if (Object.keys(merged).length > 0) object.metadata[field] = merged;
  }
  if (overlay.object['immutable'] === true) object['immutable'] = true;
  return { ...base, object, hashSuffix: Boolean(base.hashSuffix || overlay.hashSuffix) };
}

/** The overlay's object under the base's name and namespace. */
function replaceGenerated(base: Resource, overlay: Resource): Resource {
  const { name, namespace } = base.object.metadata;
  const metadata = { ...overlay.object.metadata, name };
  if (namespace !== undefined) metadata.namespace = namespace;
  return { ...base, object: { ...overlay.object, metadata }, hashSuffix: overlay.hashSuffix };
}

/** Same kind and name, and the same namespace when the generator names one; current or original. */
function sameGenerated(resource: Resource, kind: string, args: GeneratorArgs): boolean {
  const { object, original } = resource;
  if (object.apiVersion !== 'v1' || object.kind !== kind) return false;
  const candidates = [{ name: object.metadata.name, namespace: object.metadata.namespace }, ...(original ? [original] : [])];
  return candidates.some(({ name, namespace }) => name === args.name && (namespace ?? '') === (args.namespace ?? ''));
}

function asMap(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function checkArgs(args: GeneratorArgs, kind: string, ctx: KustomizationContext, field: string): void {
  const record = args as unknown as Record<string, unknown>;
  if (typeof record !== 'object' || record === null || typeof args.name !== 'string' || args.name === '') {
    throw new KustomizeError(ctx.file, `${field}: every generator needs a name`);
  }
  for (const key of Object.keys(record)) {
    if (!ARG_FIELDS.has(key) || (key === 'type' && kind !== 'Secret')) {
      throw new KustomizeError(ctx.file, `${field} ${args.name}: unsupported field ${key}`);
    }
  }
  if (args.behavior !== undefined && !BEHAVIORS.has(args.behavior)) {
    throw new KustomizeError(ctx.file, `${field} ${args.name}: behavior must be create, merge or replace, not ${String(args.behavior)}`);
  }
  for (const list of ['literals', 'files', 'envs'] as const) {
    const value = args[list];
    if (value !== undefined && (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))) {
      throw new KustomizeError(ctx.file, `${field} ${args.name}: ${list} must be a list of strings`);
    }
  }
  checkOptions(args.options, ctx, `${field} ${args.name}: options`);
}

function checkOptions(options: GeneratorOptions | undefined, ctx: KustomizationContext, where: string): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!OPTION_FIELDS.has(key)) throw new KustomizeError(ctx.file, `${where}: unsupported field ${key}`);
  }
  for (const map of ['labels', 'annotations'] as const) {
    const value = options[map] as unknown;
    if (value !== undefined && (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string'))) {
      throw new KustomizeError(ctx.file, `${where}: ${map} must map strings to strings`);
    }
  }
}
